"""The journal that makes an apply all-or-nothing.

Before the first write to the repo, every path the apply may touch is recorded with
a copy of its bytes (or the fact that it did not exist), and the git index is copied.
The manifest is written last, atomically: once it exists, `rollback` (on any error)
or `recover` (after a crash, even `kill -9`) puts back the exact previous bytes.
The apply deletes the journal as its very last step: that is its commit point.

The copies are one file, `backup/pack`, each at the offset its entry records: a large
plan backs up thousands of files, and creating (then deleting) a file per copy cost
seconds on a busy file system where one file costs milliseconds. A journal written by
an earlier version (a file per copy, no offset) is still read back.

A package that moves whole is one rename of its directory (`dirmoves`): its new paths may
hold their sources' old bytes until the apply rewrites them (`Entry.renamed_from`), and
the empty folders it held are made again on rollback (`empty_dirs`).

Durability comes in two barriers rather than one fsync per file (thousands of files,
each fsync a journal commit of the file system): the backups are made durable together
before the manifest is written, and everything the apply wrote is made durable together
before the journal is deleted (`commit`). On Linux a barrier is one `syncfs` per file
system, which reports any write-back error since the journal began; elsewhere it is an
fsync of every file the phase wrote.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pyagent_workbench import safefiles
from pyagent_workbench.errors import ApplyError
from pyagent_workbench.statedir import CONFLICTS_DIR, JOURNAL_DIR

MANIFEST = "manifest.json"
PACK = "pack"
"""The file under backup/ holding every copy, one after another."""
TMP_SUFFIX = ".pyagent-workbench-tmp"

Fault = Callable[[str], None]
"""The test seam of an apply: called with the name of each step it is about to finish
(`backup:<path>`, `remove:<path>`, `write:<path>`, `written`); it may raise or kill."""

KILL_SWITCH = "PYAGENT_WORKBENCH_TEST_KILL_AT"


def kill_switch_from_env() -> Fault | None:
    """Test hook: `PYAGENT_WORKBENCH_TEST_KILL_AT=N` makes the apply SIGKILL itself at its
    Nth step (journal backups, removals, writes), as a crash or `kill -9` would."""
    value = os.environ.get(KILL_SWITCH)
    if not value:
        return None
    target = int(value)
    steps = 0

    def fault(step: str) -> None:
        nonlocal steps
        steps += 1
        if steps == target:
            os.kill(os.getpid(), signal.SIGKILL)

    return fault


def why(error: BaseException) -> str:
    """An error as a user reads it: for an OS error, what failed, on which file."""
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    return str(error) or type(error).__name__


@dataclass
class Entry:
    path: str
    backup: str | None
    """Name of the file under backup/ holding the copy, or `None` if the path did not
    exist."""
    mode: int | None = None
    link: str | None = None
    """Target of a symlink (restored as a symlink)."""
    after: str | None = None
    """sha256 of what the apply leaves at this path (`None`: nothing), when `after_known`."""
    after_known: bool = False
    """Whether `after` was recorded: rollback then restores only what the apply itself
    wrote or removed, and leaves a path someone else changed meanwhile as it is."""
    offset: int | None = None
    """Where the copy starts in its backup file (`None`: the whole file is the copy)."""
    length: int | None = None
    """The copy's length in bytes, with `offset`."""
    renamed_from: str | None = None
    """The old path whose bytes the rename of its whole directory put at this (new) path
    before the apply wrote it: found here, they are the apply's doing too."""


class Journal:
    def __init__(self, repo_root: Path, state_dir: Path) -> None:
        self.root = repo_root
        self.state = state_dir
        self.dir = state_dir / JOURNAL_DIR
        self.entries: dict[str, Entry] = {}
        self.git_index: Path | None = None
        self.created_dirs: dict[str, None] = {}
        """Directories the apply creates, in order (a dict: an ordered set)."""
        self.empty_dirs: list[str] = []
        """Empty directories the apply moves away: rollback makes them again."""
        self.conflicts: list[str] = []
        """Paths rollback left alone because someone else changed them meanwhile (their
        pre-apply bytes are kept under `conflicts/` in the tool's folder)."""
        self._barrier: Barrier | None = None

    @property
    def manifest(self) -> Path:
        return self.dir / MANIFEST

    def exists(self) -> bool:
        return self.manifest.exists()

    # -- writing the journal -----------------------------------------------------------

    def begin(self, paths: Iterable[str], *, git_index: Path | None, plan: str,
              fault: Fault | None = None,
              after: Mapping[str, str | None] | None = None,
              new_dirs: Iterable[str] = ()) -> None:
        """Record every path that may change; nothing in the repo is touched yet. `after`
        gives, per path, the sha256 of what the apply will leave there (None: nothing);
        `new_dirs`, the directories it will create (recorded here at once rather than one
        manifest write each: a large plan creates thousands)."""
        self.back_up(paths, git_index=git_index, fault=fault)
        self.open(plan, after=after, new_dirs=new_dirs)

    def back_up(self, paths: Iterable[str], *, git_index: Path | None,
                fault: Fault | None = None) -> None:
        """The first half of `begin`: copy every path that may change (and the git index)
        into the journal's folder, durably. The journal does not exist yet (`open`): a
        process that dies here, or a `discard`, leaves nothing to recover."""
        if self.dir.exists():
            if self.exists():
                raise ApplyError(
                    f"a journal from an interrupted apply exists in {self.dir}; run "
                    f"`pyagent-workbench recover {self.root}` first")
            shutil.rmtree(self.dir)  # an apply died before its journal was complete
        backups = self.dir / "backup"
        backups.mkdir(parents=True)
        # Opened before anything is written, so that its barriers see every write-back
        # error from here on.
        self._barrier = barrier = Barrier([self.root, self.dir])
        with open(backups / PACK, "wb") as pack:
            barrier.wrote(backups / PACK)
            for path in sorted(set(paths)):
                full = self.root / path
                if full.is_symlink():
                    self.entries[path] = Entry(path, None, link=os.readlink(full))
                elif full.is_file():
                    with open(full, "rb") as source:
                        data = source.read()
                        mode = stat.S_IMODE(os.fstat(source.fileno()).st_mode)
                    self.entries[path] = Entry(path, PACK, mode=mode, offset=pack.tell(),
                                               length=len(data))
                    pack.write(data)
                    if fault:
                        pack.flush()  # what a kill at this step leaves is on disk
                        fault(f"backup:{path}")
                elif full.exists():
                    raise ApplyError(
                        f"{path} is in the way: it is a directory, expected a file")
                else:
                    self.entries[path] = Entry(path, None)
        if git_index is not None and git_index.is_file():
            _copy(git_index, backups / "git-index")
            barrier.wrote(backups / "git-index")
            self.git_index = git_index
        barrier.changed(backups)
        barrier.sync()  # every backup is on disk before the manifest says it exists

    def open(self, plan: str, *, after: Mapping[str, str | None] | None = None,
             new_dirs: Iterable[str] = (), renamed: Mapping[str, str] | None = None,
             empty_dirs: Iterable[str] = ()) -> None:
        """The second half of `begin`: the manifest is written, and from here rollback
        and `recover` undo what the apply changes. `renamed`: new path -> old path of
        the files a directory's rename carries (`Entry.renamed_from`); `empty_dirs`:
        the empty directories it moves away."""
        for path, digest in (after or {}).items():
            if path in self.entries:
                self.entries[path].after = digest
                self.entries[path].after_known = True
        for path, old in (renamed or {}).items():
            if path in self.entries and old in self.entries:
                self.entries[path].renamed_from = old
        self.created_dirs.update(dict.fromkeys(new_dirs))
        self.empty_dirs = sorted(empty_dirs)
        self._write_manifest(plan)

    def write(self, path: Path, data: bytes, *, mode: int | None = None) -> None:
        """Write a file of the repo during the apply (atomically; made durable by
        `commit`)."""
        write_atomic(path, data, mode=mode, sync=False)
        if self._barrier is not None:
            self._barrier.wrote(path)

    def move(self, source: Path, target: Path) -> None:
        """Move a file of the repo to a new path (a rename: no copy of its bytes; rollback
        restores the source from its backup, which is a copy)."""
        os.replace(source, target)
        if self._barrier is not None:
            self._barrier.changed(source.parent)
            self._barrier.changed(target.parent)

    def commit(self) -> None:
        """The apply is complete: make everything it wrote durable, then forget the
        journal (the commit point: until the manifest is gone, rollback undoes it)."""
        if self._barrier is not None:
            self._barrier.sync()
        self.discard()

    def record_created_dir(self, directory: str) -> None:
        """Directories the apply creates are removed again on rollback (if empty)."""
        if directory not in self.created_dirs:
            self.created_dirs[directory] = None
            self._write_manifest(None)
        if self._barrier is not None:
            self._barrier.changed(self.root / directory)

    def record_removed_dirs(self, directories: Iterable[str]) -> None:
        """Folders the apply removes whole (emptied by its moves: nothing left in them but
        folders and bytecode) are made again on rollback, as `empty_dirs` are: recorded,
        durably, before they go."""
        added = set(directories).difference(self.empty_dirs)
        if added:
            self.empty_dirs = sorted({*self.empty_dirs, *added})
            self._write_manifest(None)

    def remove(self, path: Path) -> None:
        """Remove a file (or an emptied directory tree) of the repo during the apply
        (made durable by `commit`)."""
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        if self._barrier is not None:
            self._barrier.changed(path.parent)

    def _write_manifest(self, plan: str | None) -> None:
        previous: dict[str, object] = {}
        if plan is None and self.manifest.exists():
            previous = json.loads(self.manifest.read_text())
        data = {
            "version": 1,
            "plan": plan if plan is not None else previous.get("plan"),
            "started": previous.get("started", time.strftime("%Y-%m-%dT%H:%M:%S")),
            "entries": [_recorded(e) for e in self.entries.values()],
            "git_index": str(self.git_index) if self.git_index else None,
            "created_dirs": list(self.created_dirs),
            "empty_dirs": self.empty_dirs,
        }
        safefiles.replace_file(self.manifest, json.dumps(data, indent=1).encode("utf-8"),
                            sync=True)
        _fsync_dir(self.dir)

    # -- reading it back ------------------------------------------------------------------

    @classmethod
    def load(cls, repo_root: Path, state_dir: Path, *, git_index: Path | None = None
             ) -> Journal:
        """Read a journal back. Its paths are checked, never trusted: a manifest naming a
        path outside the repo (or a git index other than the repo's own, `git_index`) is
        refused rather than written to."""
        journal = cls(repo_root, state_dir)
        data = json.loads(journal.manifest.read_text(encoding="utf-8"))
        entries = [Entry(**e) for e in data["entries"]]
        for entry in entries:
            _inside(entry.path, "path")
            if entry.renamed_from is not None and not isinstance(entry.renamed_from, str):
                raise ValueError(f"the entry of {entry.path} names no old path")
            if entry.backup is not None and (
                    not entry.backup or "/" in entry.backup or entry.backup.startswith(".")):
                raise ValueError(f"backup name {entry.backup!r} is not a file of the journal")
        _check_copies(journal.dir / "backup", entries)
        journal.entries = {e.path: e for e in entries}
        recorded = data.get("git_index")
        if recorded:
            if git_index is None or Path(recorded).resolve() != git_index.resolve():
                raise ValueError(f"the git index it names ({recorded}) is not this repo's")
            journal.git_index = git_index
        journal.created_dirs = dict.fromkeys(
            _inside(d, "directory") for d in data.get("created_dirs", []))
        journal.empty_dirs = [_inside(d, "directory") for d in data.get("empty_dirs", [])]
        return journal

    # -- undoing --------------------------------------------------------------------------

    def rollback(self) -> None:
        """Put every path the apply changed back as it was, then forget the journal.

        A path whose content is neither what it was nor what the apply wrote was changed
        by someone else meanwhile: it is left as it is (listed in `conflicts`, its
        pre-apply bytes kept under the tool's folder), never overwritten."""
        backups = self.dir / "backup"
        for entry in self.entries.values():
            self._restore(entry)
        for directory in sorted(self.created_dirs, key=lambda d: -d.count("/")):
            _remove_empty_tree(self.root / directory)
        for directory in self.empty_dirs:
            if not os.path.lexists(self.root / directory):
                (self.root / directory).mkdir(parents=True)
        if self.git_index is not None and (backups / "git-index").exists():
            leftover = self.git_index.with_name(self.git_index.name + TMP_SUFFIX)
            if leftover.exists() or leftover.is_symlink():
                leftover.unlink()  # a rollback killed while it wrote the index
            write_atomic(self.git_index, (backups / "git-index").read_bytes())
        self.discard()

    def _restore(self, entry: Entry) -> None:
        """One path as it was before the apply (unless someone else changed it)."""
        full = self.root / entry.path
        tmp = full.with_name(full.name + TMP_SUFFIX)
        if tmp.exists() or tmp.is_symlink():
            tmp.unlink()
        if entry.after_known and entry.link is None and self._foreign(entry, full):
            self._keep_conflict(entry)
            return
        if entry.link is not None:
            if full.is_symlink() and os.readlink(full) == entry.link:
                return
            if full.exists() or full.is_symlink():
                _remove(full)
            full.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(entry.link, full)
        elif entry.backup is not None:
            original = self._copy_of(entry)
            if full.is_dir() and not full.is_symlink():
                shutil.rmtree(full)
            full.parent.mkdir(parents=True, exist_ok=True)
            if not (full.is_file() and full.read_bytes() == original):
                write_atomic(full, original, mode=entry.mode)
            elif entry.mode is not None and stat.S_IMODE(full.stat().st_mode) != entry.mode:
                os.chmod(full, entry.mode)
        elif full.exists() or full.is_symlink():
            _remove(full)

    def conflict_note(self) -> str:
        """"; left as they are ...": what rollback left alone and where their bytes are
        ("" when nothing was)."""
        if not self.conflicts:
            return ""
        shown = ", ".join(self.conflicts[:5]) + (" ..." if len(self.conflicts) > 5 else "")
        return (f"; left as they are because someone else changed them during the apply: "
                f"{shown} (their previous bytes are in {self.state / CONFLICTS_DIR})")

    def _foreign(self, entry: Entry, full: Path) -> bool:
        """Is what is at `full` now someone else's doing (neither before nor after)?"""
        if full.is_symlink() or full.is_dir():
            return True
        if not full.exists():
            return False  # removed by the apply (or never written): restore it
        current = _digest(full)
        if current == entry.after:
            return False
        source = self.entries.get(entry.renamed_from) if entry.renamed_from else None
        if source is not None and source.backup is not None \
                and current == hashlib.sha256(self._copy_of(source)).hexdigest():
            return False  # renamed here with its directory, not yet rewritten
        if entry.backup is not None:
            return current != hashlib.sha256(self._copy_of(entry)).hexdigest()
        return True

    def _copy_of(self, entry: Entry) -> bytes:
        """The bytes a path held before the apply (an entry with a backup)."""
        assert entry.backup is not None
        with open(self.dir / "backup" / entry.backup, "rb") as handle:
            if entry.offset is None:
                return handle.read()
            handle.seek(entry.offset)
            data = handle.read(entry.length)
        if len(data) != entry.length:
            raise OSError(errno.EIO, f"the journal's copy of {entry.path} is cut short",
                          str(self.dir / "backup" / entry.backup))
        return data

    def _keep_conflict(self, entry: Entry) -> None:
        self.conflicts.append(entry.path)
        if entry.backup is None:
            return
        keep = self.state / CONFLICTS_DIR / entry.path
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.write_bytes(self._copy_of(entry))

    def discard(self) -> None:
        if self.manifest.exists():
            self.manifest.unlink()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self._barrier is not None:
            self._barrier.close()
            self._barrier = None


def _recorded(entry: Entry) -> dict[str, object]:
    """An entry as the manifest holds it (`renamed_from` only where there is one: a
    journal without directory renames reads as before)."""
    fields = dict(entry.__dict__)
    if fields["renamed_from"] is None:
        del fields["renamed_from"]
    return fields


def _digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _check_copies(backups: Path, entries: list[Entry]) -> None:
    """Refuse a manifest whose copies do not lie inside their backup files (before
    anything is restored, rather than halfway through)."""
    sizes: dict[str, int] = {}
    for entry in entries:
        if entry.offset is None and entry.length is None:
            continue
        if entry.backup is None or not all(
                type(n) is int and n >= 0 for n in (entry.offset, entry.length)):
            raise ValueError(f"the copy of {entry.path} has no valid place in the journal")
        if entry.backup not in sizes:
            sizes[entry.backup] = (backups / entry.backup).stat().st_size
        assert entry.offset is not None and entry.length is not None
        if entry.offset + entry.length > sizes[entry.backup]:
            raise ValueError(f"the copy of {entry.path} lies past the end of "
                             f"{entry.backup}: the journal is cut short")


def _inside(path: str, what: str) -> str:
    """`path` if it is a relative path that stays inside the repo."""
    parts = Path(path).parts
    if not path or Path(path).is_absolute() or ".." in parts or parts[:1] == (".git",):
        raise ValueError(f"{what} {path!r} is not inside the repo")
    return path


def temporary_names_taken(root: Path, paths: Iterable[str]) -> list[str]:
    """The temporary names `write_atomic` would use for `paths` that something already
    holds (a file or a link the repository committed, say)."""
    return [p + TMP_SUFFIX for p in paths if os.path.lexists(root / (p + TMP_SUFFIX))]


def write_atomic(path: Path, data: bytes, *, mode: int | None = None,
                 sync: bool = True) -> None:
    """Write through a temporary file and a rename: a reader (or a crash) never sees a
    half-written file. `sync=False` leaves the fsync to a later barrier. The temporary
    file has a name `rollback` knows (`TMP_SUFFIX`), so it is created exclusively and
    never through a link: a file of that name already there (a repository can commit
    one) fails the write instead of being written through or over (the apply refuses
    such a tree before it starts: `temporary_names_taken`)."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(tmp, flags, 0o600 if mode is not None else 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
        if sync:
            os.fsync(handle)
    finally:
        os.close(handle)
    if mode is not None:
        os.chmod(tmp, mode)
    os.replace(tmp, path)


def _copy(source: Path, destination: Path) -> None:
    with open(source, "rb") as src, open(destination, "wb") as dst:
        shutil.copyfileobj(src, dst)


class Barrier:
    """Makes the files written since it was opened durable, all at once.

    Linux: one `syncfs` per file system written to. The file descriptors of the given
    directories' file systems are opened first, so `syncfs` reports a write-back error of
    any file of theirs from then on (Linux 5.8 and later); a directory on another file
    system (a mount inside the repo) is added when the phase first writes there.
    Elsewhere, or if `syncfs` is missing: an fsync of every file the phase `wrote`, then
    of the directories whose entries changed."""

    def __init__(self, directories: list[Path]) -> None:
        self._written: list[Path] = []
        self._directories: dict[Path, None] = {}
        self._fds: dict[int, int] = {}
        """File system (st_dev) -> an open directory of it."""
        self._seen: set[Path] = set()
        if _syncfs() is None:
            return
        try:
            for directory in directories:
                self._watch(directory)
        except OSError:
            self.close()  # fall back to one fsync per file

    def _watch(self, directory: Path) -> None:
        if directory in self._seen:
            return
        self._seen.add(directory)
        device = os.stat(directory).st_dev
        if device not in self._fds:
            self._fds[device] = os.open(directory, os.O_RDONLY)

    def wrote(self, path: Path) -> None:
        """A file written in this phase."""
        if self._fds:
            self._watch(path.parent)
        else:
            self._written.append(path)

    def changed(self, directory: Path) -> None:
        """A directory whose entries changed in this phase (created, or a file removed)."""
        if not self._fds:
            self._directories[directory] = None
        elif directory not in self._seen and directory.is_dir():
            self._watch(directory)  # (one still to be created is on its parent's)

    def sync(self) -> None:
        syncfs = _syncfs()
        if self._fds and syncfs is not None:
            for fd in self._fds.values():
                if syncfs(fd) != 0:
                    code = ctypes.get_errno() or errno.EIO
                    raise OSError(code, os.strerror(code))
            return
        for path in self._written:
            _fsync_path(path)
            self._directories[path.parent] = None
        for directory in list(self._directories):
            self._directories[directory.parent] = None  # its own entry, if it is new
        for directory in self._directories:
            _fsync_dir(directory)
        self._written.clear()
        self._directories.clear()

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds = {}


_SYNCFS: list[object] = []


def _syncfs() -> Callable[[int], int] | None:
    """libc's `syncfs`, or None where there is none (not Linux)."""
    if not _SYNCFS:
        function = None
        if sys.platform.startswith("linux"):
            try:
                function = ctypes.CDLL(None, use_errno=True).syncfs
                function.argtypes = [ctypes.c_int]
                function.restype = ctypes.c_int
            except (OSError, AttributeError):
                function = None
        _SYNCFS.append(function)
    return _SYNCFS[0]  # type: ignore[return-value]


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _remove_empty_tree(directory: Path) -> None:
    """Remove a directory if nothing but caches is left in it."""
    if not directory.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(directory):
        if filenames and not dirpath.endswith("__pycache__"):
            return
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
    shutil.rmtree(directory, ignore_errors=True)
