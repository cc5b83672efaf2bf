"""Plugin registry and discovery."""

from .loader import ENTRY_POINT_GROUP, entry_point_specs, load_all
from .registry import (
    BUILTIN_PLUGINS,
    DuplicatePluginError,
    PluginError,
    available,
    register,
    resolve,
)

__all__ = [
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "DuplicatePluginError",
    "PluginError",
    "available",
    "entry_point_specs",
    "load_all",
    "register",
    "resolve",
]
