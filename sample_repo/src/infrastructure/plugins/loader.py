"""Discover plugins from package entry points and the builtin table."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from src.core.base.base_exceptions import ModuleLoadError
from src.core.base.module_loader import load_object

from .registry import BUILTIN_PLUGINS

ENTRY_POINT_GROUP = "pyagent.plugins"


def entry_point_specs(group: str = ENTRY_POINT_GROUP) -> dict[str, str]:
    """``name -> "module:attr"`` for every installed entry point of ``group``.

    Empty when the ``pyagent`` distribution is not installed (e.g. when
    running the tests from a source checkout).
    """
    return {ep.name: ep.value for ep in metadata.entry_points(group=group)}


def all_specs(include_entry_points: bool = True) -> dict[str, str]:
    specs = dict(BUILTIN_PLUGINS)
    if include_entry_points:
        specs.update(entry_point_specs())
    return specs


def load_all(include_entry_points: bool = True) -> tuple[dict[str, Any], dict[str, str]]:
    """Load every plugin; return ``(loaded, errors)``."""
    loaded: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, spec in sorted(all_specs(include_entry_points).items()):
        try:
            loaded[name] = load_object(spec)
        except ModuleLoadError as exc:
            errors[name] = str(exc)
    return loaded, errors
