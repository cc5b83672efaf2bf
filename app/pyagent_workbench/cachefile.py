"""The tool's caches under `.pyagent-workbench/`: JSON files that only save time. A
reader checks what it loads (never trusts it); a cache that cannot be read or written
is no error."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


def load(path: Path) -> Any | None:
    """The JSON in `path`, or None when there is none (missing, unreadable, not JSON)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save(path: Path, data: object) -> None:
    """Write `data` through a temporary file of this process and a rename (two writers
    at once cannot mix their bytes); on failure, leave nothing behind."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
