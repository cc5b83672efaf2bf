"""Load modules and objects from dotted-path strings.

Two spellings are accepted, both of which appear in configuration and in the
agent registry:

* ``"package.module:attribute"`` (entry-point style), and
* ``"package.module.attribute"`` (plain dotted style).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from .base_exceptions import ModuleLoadError


def split_spec(spec: str) -> tuple[str, str | None]:
    """Return ``(module, attribute_path)`` for a ``module:attr`` spec."""
    if not spec or spec.strip() != spec:
        raise ModuleLoadError(f"invalid spec {spec!r}")
    if ":" in spec:
        module, _, attr = spec.partition(":")
        if not module or not attr:
            raise ModuleLoadError(f"invalid spec {spec!r}")
        return module, attr
    return spec, None


def load_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ModuleLoadError(f"cannot import {name!r}: {exc}") from exc


def _walk(obj: Any, attr_path: str, spec: str) -> Any:
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ModuleLoadError(f"{spec!r}: no attribute {part!r}") from None
    return obj


def load_object(spec: str) -> Any:
    """Resolve ``spec`` to the object it names."""
    module_name, attr = split_spec(spec)
    if attr is not None:
        return _walk(load_module(module_name), attr, spec)
    # Plain dotted form: find the longest importable module prefix.
    parts = module_name.split(".")
    for cut in range(len(parts), 0, -1):
        candidate = ".".join(parts[:cut])
        try:
            module = importlib.import_module(candidate)
        except ModuleNotFoundError as exc:
            if exc.name and not candidate.startswith(exc.name):
                raise ModuleLoadError(f"{spec!r}: {exc}") from exc
            continue
        rest = ".".join(parts[cut:])
        return _walk(module, rest, spec) if rest else module
    raise ModuleLoadError(f"cannot resolve {spec!r}")


class ModuleLoader:
    """Caching front-end over :func:`load_object`."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    def load(self, spec: str) -> Any:
        if spec not in self._cache:
            self._cache[spec] = load_object(spec)
        return self._cache[spec]

    def loaded(self) -> list[str]:
        return sorted(self._cache)

    def invalidate(self, spec: str | None = None) -> None:
        if spec is None:
            self._cache.clear()
        else:
            self._cache.pop(spec, None)


default_loader = ModuleLoader()
