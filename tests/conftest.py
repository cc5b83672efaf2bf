from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest_textual_snapshot

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"


def _snapshot_dirname(cls: type, *, test_location: object) -> str:
    """Keep the TUI snapshots in the top-level snapshots/ folder."""
    return str(SNAPSHOTS / test_location.basename)  # type: ignore[attr-defined]


pytest_textual_snapshot.SVGImageExtension.dirname = classmethod(_snapshot_dirname)  # type: ignore[method-assign,assignment]
