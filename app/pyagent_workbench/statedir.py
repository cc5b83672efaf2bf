"""The tool's own folder in a repo, `.pyagent-workbench/`, and every name inside it.

Only the tool writes here; the folder ignores itself for git (like `.pytest_cache`), so
nothing in it is ever committed. Each file's owner documents its contents.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyagent_workbench.errors import RepoError

STATE_DIR = ".pyagent-workbench"

GRAPH_CACHE = "graph-cache.json"
"""The import graph, keyed by every module file's mtime (analysis.graph)."""
CLUSTER_CACHE = "clusters.json"
"""The clustering, keyed by members, weights and options (analysis.clustering)."""
SYNTAX_CACHE = "syntax-cache.json"
"""Files known to parse, keyed by size and mtime (rewrite.runner)."""
DRAFTS_DIR = "drafts"
"""The workbench's autosaved plans, one per plan file (`<key>.toml`), each with which
plan file it continues and when (`<key>.json`)."""
LAST_DIFF = "last-diff.json"
"""What the last `diff` showed, so `apply` can tell the plan or the tree changed since."""
APPLIED_DIR = "applied"
"""One record per applied plan, named by the plan's digest."""
VERIFY_DIR = "verify"
"""What imported before an apply, for `verify` after it, named by the plan's digest."""
JOURNAL_DIR = "journal"
"""The journal of an apply under way (its absence is the commit point)."""
CONFLICTS_DIR = "conflicts"
"""Bytes of files someone else changed during an apply, kept instead of overwritten."""


def state_dir(repo_root: Path) -> Path:
    """The tool's folder in the repo (it may not exist yet). Refused when the repository
    has something else in its place: a cloned repository can commit a link there, and
    the tool would read its caches and journal from wherever it points and write (or
    delete) there; or a file."""
    state = repo_root / STATE_DIR
    if state.is_symlink():
        raise RepoError(f"{state} is a symbolic link: the tool keeps its state only in a "
                        f"folder of its own inside the repository; remove the link")
    if state.exists() and not state.is_dir():
        raise RepoError(f"{state} is not a folder: the tool keeps its state there; "
                        f"remove or rename it")
    _refuse_links_inside(state)
    return state


def _refuse_links_inside(state: Path) -> None:
    """The tool never makes a link in its folder: one there came from elsewhere (a
    tarball or a copy carrying a crafted folder), and the tool would write its caches, or
    read a journal's backups, through it. The folder is small: walking it is cheap."""
    for folder, subfolders, files in os.walk(state):
        for name in subfolders + files:
            if os.path.islink(os.path.join(folder, name)):
                where = Path(folder, name).relative_to(state.parent).as_posix()
                raise RepoError(
                    f"{where} is a link: the tool's folder holds only what the tool wrote; "
                    f"delete the folder {STATE_DIR} (the tool makes a new one)")


def ensure_state_dir(repo_root: Path) -> Path:
    """The tool's own folder in the repo; it ignores itself for git, like .pytest_cache."""
    state = state_dir(repo_root)
    try:
        state.mkdir(exist_ok=True)
        ignore = state / ".gitignore"
        if not ignore.exists():
            ignore.write_text(
                "# Created by pyagent-workbench: its own state, never committed.\n*\n")
    except OSError as error:
        raise RepoError(f"cannot create the tool's folder {state}: "
                        f"{error.strerror or error}") from None
    return state
