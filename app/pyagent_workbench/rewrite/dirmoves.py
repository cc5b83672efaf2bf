"""Moved package directories renamed whole, rather than file by file.

A package that moves with everything it holds (Django's `contrib/sessions`: 40 modules
and 200 translation files) is one `rename` of its directory instead of a `mkdir` per
folder, a `rename` per file and an `rmdir` per emptied folder: on Django's 30-move plan,
about 3,300 file-system operations become 20.

The journal is nearly the same either way: every file of the directory is backed up and
has its entry (old path restored from its copy, new path removed on rollback), and the
new directory is among those the apply creates. Two things differ, both recorded before
the rename: a new path may hold its source's old bytes until the apply rewrites it
(`Entry.renamed_from`: rollback knows them as the apply's, not someone else's), and the
empty folders go at once (`Journal.empty_dirs`: rollback makes them again). The writer
(`apply._TreeWriter.move_dir`) lists the directory again just before the rename and
checks every file the changes were computed from, as the file-by-file moves check each.

A directory is renamed whole only when that does exactly what the file-by-file moves
would: every file and link under it (bytecode caches aside) moves to the same relative
path under the new directory, nothing else lands on those paths, the new directory does
not exist yet, and the whole tree sits on one file system. Anything else (a nested
package moved elsewhere, a merged `__init__.py`, a file the change set does not know, a
mount inside) leaves that directory to the file-by-file moves.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pyagent_workbench.rewrite.engine import ChangeSet
from pyagent_workbench.rewrite.wholetree import Carrying

CACHE_DIR = "__pycache__"


@dataclass(frozen=True)
class DirMove:
    old: str
    new: str
    files: frozenset[str]
    """Every file and link under `old` (bytecode caches aside), relative to the repo."""
    caches: tuple[str, ...]
    """The `__pycache__` directories under `old`, relative to it: bytecode of the old
    place, removed at the new one after the rename (as the file-by-file moves leave it
    behind with the old directory)."""

    def new_place(self, path: str) -> str:
        return self.new + path[len(self.old):]

    @property
    def arrived(self) -> set[str]:
        return {self.new_place(path) for path in self.files}


def plan_dir_moves(root: Path, changeset: ChangeSet, carrying: Carrying,
                   moved_dirs: Mapping[str, str]) -> list[DirMove]:
    """The moved package directories (`WholeTree.moved_dirs`: old -> new) that can be
    renamed whole, outermost first."""
    destination: dict[str, str] = {}
    """Old path -> new path of every plain move (a merged file has none)."""
    sources: dict[str, list[str]] = {}
    """New path -> the old paths that land there (an empty list: a new file)."""
    for change in changeset.changes:
        olds = [old for old in (change.old_path, *change.merged_from) if old]
        if change.kind == "move" and change.old_path and not change.merged_from:
            destination[change.old_path] = change.new_path
        else:
            destination.update((old, "") for old in olds if old not in destination)
        sources.setdefault(change.new_path, []).extend(olds)
    for carried in carrying.carried:
        if not carried.is_dir:
            destination[carried.old] = carried.new
            sources.setdefault(carried.new, []).append(carried.old)
    planned: list[DirMove] = []
    for old in sorted(moved_dirs):
        if any(old.startswith(other.old + "/") for other in planned):
            continue  # inside a directory renamed whole already
        move = _whole(root, old, moved_dirs[old], destination, sources)
        if move is not None:
            planned.append(move)
    return planned


def _whole(root: Path, old: str, new: str, destination: Mapping[str, str],
           sources: Mapping[str, list[str]]) -> DirMove | None:
    """`old` -> `new` as one rename, if that is what the file-by-file moves would do."""
    if not old or not new or old == new or new.startswith(old + "/") \
            or old.startswith(new + "/") or os.path.lexists(root / new):
        return None
    listing = list_tree(root, old)
    if listing is None:
        return None
    files, caches = listing
    for path in files:
        target = new + path[len(old):]
        if destination.get(path) != target or sources.get(target) != [path]:
            return None
    # Every plain move out of this directory is among its files (none vanished).
    prefix = old + "/"
    if any(path.startswith(prefix) and path not in files for path in destination):
        return None
    return DirMove(old, new, frozenset(files), tuple(caches))


def list_tree(root: Path, directory: str) -> tuple[set[str], list[str]] | None:
    """Every file and link under `directory` (a link to a directory too, never followed)
    and its `__pycache__` directories (relative to `directory`, not listed inside);
    `None` when it is not a real directory, or something inside lies on another file
    system (a mount: a rename cannot carry it)."""
    top = root / directory
    try:
        if top.is_symlink() or not top.is_dir():
            return None
        device = os.stat(top).st_dev
    except OSError:
        return None
    files: set[str] = set()
    caches: list[str] = []
    pending = [directory]
    while pending:
        here = pending.pop()
        try:
            with os.scandir(root / here) as entries:
                listed = list(entries)
        except OSError:
            return None
        for entry in listed:
            path = f"{here}/{entry.name}"
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.stat(follow_symlinks=False).st_dev != device:
                        return None
                    if entry.name == CACHE_DIR:
                        caches.append(path[len(directory) + 1:])
                    else:
                        pending.append(path)
                else:
                    files.add(path)
            except OSError:
                return None
    return files, sorted(caches)


def vacated_dirs(moves: Iterable[DirMove], changeset: ChangeSet) -> set[str]:
    """The directories that the renames take away and later writes need again (a
    facade at a moved module's old path): the apply creates them, so the journal lists
    them up front."""
    olds = [move.old for move in moves]
    needed: set[str] = set()
    for change in changeset.changes:
        parent = posixpath.dirname(change.new_path)
        while parent and any(parent == old or parent.startswith(old + "/") for old in olds):
            needed.add(parent)
            parent = posixpath.dirname(parent)
    return needed
