"""The tool's caches under `.pyagent-workbench/`: JSON files that only save time. A
reader checks what it loads (never trusts it); a cache that cannot be read or written
is no error."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from pyagent_workbench import safefiles


def load(path: Path) -> Any | None:
    """The JSON in `path`, or None when there is none (missing, unreadable, not JSON)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save(path: Path, data: object) -> None:
    """Write `data` through a temporary file of its own and a rename (two writers at
    once cannot mix their bytes, a link in the way is replaced, never written through);
    on failure, leave nothing behind."""
    with contextlib.suppress(OSError):
        safefiles.replace_file(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
