"""Version information for PyAgent."""

from __future__ import annotations

__version__ = "0.1.0"


def version_tuple(version: str = __version__) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def is_compatible(required: str, current: str = __version__) -> bool:
    """Same major version and ``current >= required``."""
    req, cur = version_tuple(required), version_tuple(current)
    return bool(req) and req[0] == cur[0] and cur >= req
