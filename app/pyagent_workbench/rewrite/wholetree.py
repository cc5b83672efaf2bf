"""A package moves whole, or the apply refuses before anything changes.

The engine's change set carries the files of a moved package (git-ignored ones too).
What else a moved package's directory holds is carried here as it is: links to
directories (renamed, never followed: the link's text is unchanged), bytecode files
beside the sources (`*.pyc` outside `__pycache__`), empty directories. What cannot move
whole is refused, in one line naming it:

* a git submodule, or a repository of its own, inside a moved package: its history,
  index and configuration name its place, and its files moved one by one would leave
  it broken (and `.gitmodules` naming the old place);
* a link that, moved with its text unchanged, would point at something else (a relative
  link to outside what moves with it);
* any path the apply writes, renames or deletes that lies through a link, or inside a
  submodule or another repository: `app/storage -> /elsewhere` would take the moved
  files elsewhere (every path is checked, whatever the link points to);
* two names of one directory that differ only in case (`User.py` beside `user.py`): the
  repository could no longer be checked out on macOS or Windows.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import stat
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyagent_workbench import gitrepo
from pyagent_workbench.errors import ApplyError
from pyagent_workbench.model.repo_validation import case_clashes
from pyagent_workbench.rewrite.engine import ChangeSet
from pyagent_workbench.workspace import Workspace

_CACHE_DIR = "__pycache__"
"""Bytecode, which goes with the old package (Python writes it again where needed)."""


@dataclass(frozen=True)
class Carried:
    """An entry of a moved package's directory that the change set does not carry."""

    old: str
    new: str
    is_dir: bool = False
    """An empty directory: made at the new place (the old one goes with its package, if
    the package's directory empties); anything else is renamed."""


@dataclass(frozen=True)
class Carrying:
    """What the apply does besides the change set's files."""

    carried: list[Carried]
    removed_dirs: list[str]
    """Directories the apply removes, deepest first, each only if it then holds nothing
    but directories and bytecode."""


class WholeTree:
    """The moved package directories of one apply, and the questions asked of them."""

    def __init__(self, root: Path, moved_dirs: dict[str, str], submodules: set[str]) -> None:
        self.root = root
        self.moved_dirs = moved_dirs
        """Old directory -> new directory of every package the plan moves (relative)."""
        self.submodules = submodules
        self._way: dict[str, str | None] = {"": None}
        """Directory -> why a path through it is refused (`None`: it is not)."""
        self._missing: set[str] = set()
        """Directories found not to exist (nor, then, anything below them)."""
        self._root_text = str(root)

    @classmethod
    def of(cls, workspace: Workspace) -> WholeTree:
        repo = workspace.repo
        prefix = "" if repo.source_root == "." else repo.source_root + "/"
        moved = {}
        for name in workspace.mapping.packages:
            path = workspace.module_table[name][0]
            old = path[: -len("/__init__.py")] if path.endswith("/__init__.py") else path
            moved[old.rstrip("/")] = prefix + workspace.mapping.modules[name].replace(".", "/")
        return cls(repo.root, moved, gitrepo.submodules(repo.root) if repo.is_git else set())

    # -- every path inside this repository, never through a link -------------------------

    def refuse_foreign_ways(self, paths: Iterable[str]) -> None:
        """Every directory on the way to each path is a real directory of this
        repository: not a link (wherever it points), not a submodule, not the top of a
        repository of its own. (The path itself may be a link: a link is moved or
        replaced, never written through.)"""
        for path in sorted(paths):
            problem = self._problem_on_the_way(posixpath.dirname(path))
            if problem:
                raise ApplyError(f"the plan moves or writes {path}, but {problem}; nothing "
                                 f"was changed")

    def _problem_on_the_way(self, directory: str) -> str | None:
        unchecked = []
        while directory not in self._way:
            unchecked.append(directory)
            directory = posixpath.dirname(directory)
        problem = self._way[directory]
        for ancestor in reversed(unchecked):  # from the top down: the first problem holds
            problem = problem or self._problem_of(ancestor)
            self._way[ancestor] = problem
        return problem

    def _problem_of(self, directory: str) -> str | None:
        """(Plain os calls on strings: asked of thousands of folders, most of them new
        places that do not exist yet, below a parent that does not either.)"""
        full = os.path.join(self._root_text, directory)
        mode = None
        if posixpath.dirname(directory) not in self._missing:
            with contextlib.suppress(OSError):
                mode = os.lstat(full).st_mode
        if mode is None:
            self._missing.add(directory)
        elif stat.S_ISLNK(mode):
            return (f"{directory} is a link (to {os.readlink(full)}): the apply never "
                    f"writes, moves or deletes through a link; make it a real directory, or "
                    f"choose another target")
        if directory in self.submodules:
            kind = "a git submodule"
        elif mode is not None and os.path.lexists(os.path.join(full, ".git")):
            kind = "a git repository of its own"
        else:
            return None
        return (f"{directory} is {kind}: the apply moves the files of this repository, "
                f"not repositories (their history, index and .gitmodules name their "
                f"place); move it out of the way by hand first (git mv moves a submodule), "
                f"or leave its package where it is")

    # -- what the change set leaves in the moved directories -------------------------------

    def left_behind(self, changeset: ChangeSet) -> list[Carried]:
        """Every entry of a moved package's directory that the change set does not carry
        (bytecode caches aside), with its new place; refuses a submodule or a repository
        inside (checked out or not)."""
        carried = {old for change in changeset.changes
                   for old in (change.old_path, *change.merged_from) if old}
        found = []
        for top in self._outermost_moved_dirs():
            problem = self._problem_on_the_way(top)
            if problem:
                raise ApplyError(f"the plan moves {top}, but {problem}; nothing was changed")
            for dirpath, dirnames, filenames in os.walk(self.root / top):
                here = Path(dirpath).relative_to(self.root).as_posix()
                kept = []
                for name in sorted(dirnames):
                    path = f"{here}/{name}"
                    if os.path.islink(self.root / path):
                        found.append(Carried(path, self.new_place(path)))
                        continue
                    if name == _CACHE_DIR:
                        continue
                    problem = self._problem_on_the_way(path)
                    if problem:
                        raise ApplyError(f"the plan moves {top}, but {problem}; nothing was "
                                         f"changed")
                    if not os.listdir(self.root / path):
                        found.append(Carried(path, self.new_place(path), is_dir=True))
                    kept.append(name)
                dirnames[:] = kept
                found += [Carried(f"{here}/{name}", self.new_place(f"{here}/{name}"))
                          for name in sorted(filenames) if f"{here}/{name}" not in carried]
        return found

    def _outermost_moved_dirs(self) -> list[str]:
        moved = sorted(self.moved_dirs)
        return [d for d in moved if not any(d.startswith(o + "/") for o in moved)]

    def new_place(self, path: str) -> str:
        """Where an entry of a moved package's directory goes: with its innermost
        package (`path` itself when no moved directory holds it)."""
        directory = path
        while directory:
            new = self.moved_dirs.get(directory)
            if new is not None:
                return new + path[len(directory):]
            directory = posixpath.dirname(directory)
        return path

    # -- the tree after the apply, checked before it ----------------------------------------

    def check(self, changeset: ChangeSet) -> Carrying:
        """What else moves (see `left_behind`) and the directories the apply removes;
        refuses, before anything changes, a tree that cannot move whole."""
        carried = self.left_behind(changeset)
        self.refuse_foreign_ways(changeset.touched_paths()
                                 | {c.old for c in carried} | {c.new for c in carried})
        moved_to = {old: change.new_path for change in changeset.changes
                    for old in (change.old_path, *change.merged_from)
                    if old and change.kind == "move"}
        moved_to.update((c.old, c.new) for c in carried)
        landing = Counter([change.new_path for change in changeset.changes]
                          + [c.new for c in carried])
        for c in carried:
            if (not c.is_dir and (landing[c.new] > 1 or os.path.lexists(self.root / c.new))) \
                    or (c.is_dir and not _is_real_dir(self.root / c.new, or_missing=True)):
                raise ApplyError(f"{c.new} is in the way: {c.old} moves there with its "
                                 f"package; rename or remove one of them, nothing was "
                                 f"changed")
        arriving = set(landing)
        for old, new in sorted(moved_to.items()):
            self._refuse_a_link_pointing_elsewhere(old, new, moved_to)
        removed = self._removed_dirs(changeset, carried, arriving)
        self._refuse_case_clashes(changeset, carried, arriving, removed)
        return Carrying(carried, removed)

    def _refuse_a_link_pointing_elsewhere(self, old: str, new: str,
                                          moved_to: dict[str, str]) -> None:
        """A link moves with its text unchanged: it must still point at what it pointed
        at (an absolute link does; a relative one, if what it points at moves with it)."""
        full = self.root / old
        if not full.is_symlink():
            return
        text = os.readlink(full)
        if os.path.isabs(text):
            return
        pointed = posixpath.normpath(posixpath.join(posixpath.dirname(old), text))
        after = posixpath.normpath(posixpath.join(posixpath.dirname(new), text))
        if after != moved_to.get(pointed, self.new_place(pointed)):
            raise ApplyError(f"{old} is a link to {text}: moved to {new} as it is, it would "
                             f"point at {after} instead of {pointed}; make it absolute or "
                             f"a copy first, nothing was changed")

    def _removed_dirs(self, changeset: ChangeSet, carried: list[Carried],
                      arriving: set[str]) -> list[str]:
        """The engine's emptied directories, and the moved ones that carrying empties."""
        filled = {posixpath.dirname(path) for path in arriving}
        filled |= {ancestor for path in filled for ancestor in _ancestors(path)}
        candidates = set(changeset.removed_dirs) | set(self.moved_dirs)
        for c in carried:
            candidates.update(d for d in _ancestors(c.old) if self.new_place(d) != d)
            if c.is_dir:
                candidates.add(c.old)  # (moved: made at the new place, gone from the old)
        return sorted((d for d in candidates if d and d not in filled),
                      key=lambda d: (-d.count("/"), d))

    def _refuse_case_clashes(self, changeset: ChangeSet, carried: list[Carried],
                             arriving: set[str], removed: list[str]) -> None:
        """Every directory something lands in, as it will be: what is on disk, less what
        leaves, plus what arrives."""
        leaving = {old for change in changeset.changes
                   for old in (change.old_path, *change.merged_from) if old}
        gone = (leaving - arriving) | {c.old for c in carried if not c.is_dir} | set(removed)
        directories = {""} | {ancestor for path in arriving for ancestor in _ancestors(path)}
        staying = []
        for directory in directories:
            full = self.root / directory
            if _is_real_dir(full):
                staying += [path for path in (posixpath.join(directory, name)
                                              for name in os.listdir(full))
                            if path not in gone]
        for new, other in case_clashes(staying, arriving):
            raise ApplyError(f"{new} would sit beside {other}, a name differing only in "
                             f"case: the repository could no longer be checked out on macOS "
                             f"or Windows; pick a name that differs by more than case, "
                             f"nothing was changed")


def _is_real_dir(path: Path, *, or_missing: bool = False) -> bool:
    if not os.path.lexists(path):
        return or_missing
    return path.is_dir() and not path.is_symlink()


def _ancestors(path: str) -> list[str]:
    """`a/b/c` -> [`a/b`, `a`] (the top, "", left out)."""
    found = []
    directory = posixpath.dirname(path)
    while directory:
        found.append(directory)
        directory = posixpath.dirname(directory)
    return found
