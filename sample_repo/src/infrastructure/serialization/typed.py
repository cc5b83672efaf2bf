"""Round-trip dataclasses through JSON payloads.

A payload records its type as ``"module:QualName"``, e.g.
``"src.infrastructure.orchestration.request:Request"``. Those strings end up in
persisted data (the db, KV transfer frames), so moving a class breaks old
payloads unless an alias is kept in ``TYPE_ALIASES``.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

TYPE_ALIASES: dict[str, str] = {}


def type_key(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def to_payload(obj: Any) -> dict[str, Any]:
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        raise TypeError(f"{obj!r} is not a dataclass instance")
    return {"__type__": type_key(type(obj)), "data": dataclasses.asdict(obj)}


def from_payload(payload: dict[str, Any]) -> Any:
    key = TYPE_ALIASES.get(payload["__type__"], payload["__type__"])
    module_name, _, qualname = key.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj(**payload["data"])
