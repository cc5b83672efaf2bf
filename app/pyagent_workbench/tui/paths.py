"""Paths as the workbench shows them: relative to the repo when inside it."""

from __future__ import annotations

from pathlib import Path


def shown_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
