"""Every question the tool asks git, and the things it asks git to do (stage moves; with
`apply --commit`, commit them).

The only module that runs git: the rest of the tool sees plain paths, relative to the
directory it was pointed at (which may be a subdirectory of the git work tree). When git
is not installed, or the directory is not in a work tree, the questions answer `None`
(or nothing) and the tool falls back to walking the file system.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyagent_workbench.errors import ApplyError, RepoError


def _git(root: Path, *args: str, stdin: bytes | None = None
         ) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in `root`; `None` when git itself cannot be started."""
    try:
        return subprocess.run(["git", "-C", str(root), *args], input=stdin,
                              capture_output=True, check=False)
    except OSError:
        return None


def _answer(root: Path, *args: str) -> str | None:
    """git's one-line answer, or `None` when git failed or is missing."""
    out = _git(root, *args)
    if out is None or out.returncode != 0:
        return None
    return out.stdout.decode(errors="replace").strip()


def toplevel(root: Path) -> Path | None:
    """The top of the work tree `root` is in; `None` outside a work tree."""
    top = _answer(root, "rev-parse", "--show-toplevel")
    return Path(top) if top is not None else None


def is_work_tree(root: Path) -> bool:
    """Whether `root` is in a work tree whose files git lists: a directory that an
    enclosing repository ignores (a project unpacked into another's ignored `build/` or
    cache) is not, and is walked like a plain directory."""
    if toplevel(root) is None:
        return False
    ignored = _git(root, "check-ignore", "-q", ".")
    return ignored is None or ignored.returncode != 0


def _prefix(root: Path) -> str:
    """Where `root` is inside its work tree: "" at the top, else `some/dir/`."""
    return _answer(root, "rev-parse", "--show-prefix") or ""


def unignored_files(root: Path) -> list[str] | None:
    """The files under `root` that git does not ignore (tracked or not) and that exist,
    relative to `root`; `None` when git cannot list them."""
    out = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard",
               "--full-name", "--", ".")
    top = toplevel(root)
    if out is None or out.returncode != 0 or top is None:
        return None
    offset = root.resolve().relative_to(top.resolve()).as_posix()
    cut = 0 if offset == "." else len(offset) + 1
    files = []
    seen = set()
    base = str(root)
    for raw in out.stdout.split(b"\0"):
        if not raw:
            continue
        path = os.fsdecode(raw)[cut:]
        if path in seen:
            continue
        seen.add(path)
        # A regular file or a link (to anything, or dangling): one lstat, not pathlib's
        # is_file() then is_symlink() (a project of 7,000 files pays it at every command).
        try:
            mode = os.lstat(os.path.join(base, path)).st_mode
        except OSError as error:
            if error.errno in _MISSING:
                continue
            raise
        if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
            files.append(path)
    return files


_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
"""What `Path.is_file()` takes for "not a file" rather than an error."""


def refuse_committed_state(root: Path, state: str) -> None:
    """Refuse a repository that commits the tool's folder `state` (relative to `root`):
    the folder ignores itself for git, so tracked files in it came with the repository
    (a crafted journal that `recover` would act on, a diff record that `apply` would
    trust), not from the tool."""
    if not is_work_tree(root):
        return
    out = _git(root, "ls-files", "-z", "--", state)
    if out is not None and out.returncode == 0 and out.stdout.strip(b"\0"):
        first = os.fsdecode(out.stdout.split(b"\0")[0])
        raise RepoError(
            f"the repository commits the tool's folder ({first}): it is never committed "
            f"and the tool will not trust what is in it; remove it from git "
            f"(git rm -r --cached {state}) and delete it")


def ignored_dirs(root: Path, base: Path) -> set[str]:
    """The names of `base`'s subdirectories that git ignores (none outside a work tree)."""
    if not is_work_tree(root):
        return set()
    names = [e.name for e in base.iterdir() if e.is_dir()] if base.is_dir() else []
    if not names:
        return set()
    out = _git(base, "check-ignore", "--stdin", "-z",
               stdin=b"\0".join(os.fsencode(n + "/") for n in names))
    if out is None:
        return set()
    return {os.fsdecode(x).rstrip("/") for x in out.stdout.split(b"\0") if x}


def submodules(root: Path) -> set[str]:
    """The submodules git tracks under `root` (checked out or not), relative to `root`:
    the index's gitlinks (mode 160000). Empty outside a work tree."""
    out = _git(root, "ls-files", "-z", "--stage", "--", ".")
    if out is None or out.returncode != 0:
        return set()
    return {os.fsdecode(entry.split(b"\t", 1)[1]) for entry in out.stdout.split(b"\0")
            if entry.startswith(b"160000 ") and b"\t" in entry}


def dirty_paths(root: Path) -> list[str]:
    """Tracked files under `root` with uncommitted changes (staged or not), relative to
    `root`; a rename lists its new path."""
    out = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--", ".")
    if out is None or out.returncode != 0:
        return []
    prefix = _prefix(root)
    paths = []
    skip_next = False
    for entry in (e for e in out.stdout.decode(errors="replace").split("\0") if e):
        if skip_next:  # the old path of a rename or copy
            skip_next = False
            continue
        status, path = entry[:2], entry[3:]
        skip_next = status.startswith(("R", "C"))
        paths.append(path[len(prefix):] if prefix and path.startswith(prefix) else path)
    return paths


def index_path(root: Path) -> Path | None:
    """The git index file of `root`'s work tree (the apply's journal keeps a copy)."""
    path = _answer(root, "rev-parse", "--git-path", "index")
    if path is None:
        return None
    return Path(path) if Path(path).is_absolute() else root / path


def stage_moves(root: Path, moves: Iterable[tuple[Sequence[str], str]],
                created: Iterable[str], imported: BlobImport | None = None) -> None:
    """Stage moves as `git mv` would, so that history follows the files.

    `moves` are (old paths, new path) relative to `root`: a tracked old path leaves the
    index and the new path enters it (with its new bytes); an untracked file that moves
    stays untracked. The `created` files (facades, new packages) are added. (`git
    update-index`, not `git add`: paths, not pathspecs, so a path that is not there is no
    error, and a tracked file moved into an ignored directory stays tracked.)
    `imported`: the new contents, imported already (`start_blob_import`, with the same
    moves and created files)."""
    staging = _Staging.of(root, moves, created)
    if not staging.paths:
        return
    if imported is not None and imported.wait():
        staging.update_index()  # every new object is there: git only hashes and stats
        return
    if _stage_through_a_pack(staging.top, sorted(staging.paths), set(staging.blobs.values())):
        return
    staging.update_index()


@dataclass
class _Staging:
    top: Path
    paths: set[str]
    """Relative to `top`: the paths whose entries change."""
    blobs: dict[str, str]
    """Path (relative to `top`) -> the object id the index holds for it."""

    @classmethod
    def of(cls, root: Path, moves: Iterable[tuple[Sequence[str], str]],
           created: Iterable[str]) -> _Staging:
        top = toplevel(root)
        listed = _git(top or root, "ls-files", "-z", "--stage", "--full-name")
        if top is None or listed is None or listed.returncode != 0:
            raise ApplyError(f"git ls-files failed: {_stderr(listed)}")
        blobs = {}
        for record in listed.stdout.split(b"\0"):
            if record:
                info, _, path = record.partition(b"\t")
                blobs[os.fsdecode(path)] = info.split(b" ")[1].decode("ascii")
        prefix = _prefix(root)
        paths = {prefix + path for path in created}
        for olds, new in moves:
            kept = [prefix + old for old in olds if prefix + old in blobs]
            if kept:
                paths.update(kept)
                paths.add(prefix + new)
        return cls(top, paths, blobs)

    def update_index(self) -> None:
        result = _git(self.top, "update-index", "--add", "--remove", "-z", "--stdin",
                      stdin="\0".join(sorted(self.paths)).encode() + b"\0")
        if result is None or result.returncode != 0:
            raise ApplyError(f"git update-index failed: {_stderr(result)}")


class BlobImport:
    """The contents an apply is about to stage, imported into one pack (`git
    fast-import`) by a process of their own while the apply writes the files: the
    staging after the writes finds every object in the repository, and git only hashes
    and stats the files (`stage_moves`). About 0.4 s of Django's apply."""

    def __init__(self, process: subprocess.Popen[bytes] | None) -> None:
        self.process = process
        self._done: bool | None = None if process is not None else True

    def wait(self) -> bool:
        """Whether every object was imported (waits for the import)."""
        if self._done is None and self.process is not None:
            try:
                self.process.wait(timeout=_IMPORT_TIMEOUT)
                self._done = self.process.returncode == 0
            except subprocess.TimeoutExpired:
                self.stop()
        return bool(self._done)

    def stop(self) -> None:
        """End the import if it still runs (the apply failed meanwhile): the objects
        imported so far stay unreferenced, for git's garbage collection."""
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(OSError):
                self.process.kill()
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self.process.wait(timeout=_IMPORT_TIMEOUT)
            self._done = False


_IMPORT_TIMEOUT = 300


def start_blob_import(root: Path, moves: Iterable[tuple[Sequence[str], str]],
                      created: Iterable[str], contents: Mapping[str, bytes]
                      ) -> BlobImport | None:
    """Start importing the objects `stage_moves(root, moves, created)` will need, for
    the paths of `contents` (relative to `root`: the bytes the apply will write there; a
    path left out, a link say, is hashed and stored by `update-index` as it stages it).
    `None` where git would store other bytes than the file's (`_CONTENT_ATTRIBUTES`,
    `core.autocrlf`), with `core.fileMode` off, or when git cannot: the staging then
    does it all, after the writes."""
    top = toplevel(root)
    object_format = _packable(top) if top is not None else None
    if top is None or object_format is None:
        return None
    staging = _Staging.of(root, moves, created)
    prefix = _prefix(root)
    wanted = {prefix + path: data for path, data in contents.items()
              if prefix + path in staging.paths}
    if not wanted or not _stored_as_they_are(top, sorted(wanted)):
        return None
    known = set(staging.blobs.values())
    with tempfile.TemporaryFile() as stream:
        for data in wanted.values():
            oid = _object_id(object_format, data)
            if oid not in known:
                known.add(oid)
                stream.writelines(_blob_record(data))
        if not stream.tell():
            return BlobImport(None)
        stream.write(b"done\n")
        stream.seek(0)
        try:
            process = subprocess.Popen(["git", "-C", str(top), *_FAST_IMPORT], stdin=stream,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            return None
    return BlobImport(process)


_CONTENT_ATTRIBUTES = ("text", "eol", "crlf", "filter", "ident", "working-tree-encoding")
"""What makes git store a file as other bytes than the file's (line endings, a filter
such as LFS's, `$Id$`, another encoding)."""


def _stage_through_a_pack(top: Path, paths: list[str], known: set[str]) -> bool:
    """Stage `paths` (relative to `top`: each one's file as it is, or its removal where
    there is none) as `git update-index --add --remove` would, with the new contents
    written into one pack (`git fast-import`) rather than a file per object, which cost
    Django's apply 1-1.5 s on a busy file system. False, having changed nothing, where
    git would store other bytes than the file's (`_CONTENT_ATTRIBUTES`, `core.autocrlf`),
    on a path that is not a regular file (a link, a submodule), with `core.fileMode`
    off, or when git cannot: `update-index` then does it all."""
    object_format = _packable(top)
    if object_format is None:
        return False
    entries: list[bytes] = []
    stream: list[bytes] = []
    for path in paths:
        try:
            info = os.lstat(top / path)
        except (FileNotFoundError, NotADirectoryError):  # gone (its folder too, maybe)
            entries.append(b"0 " + b"0" * (40 if object_format == "sha1" else 64)
                           + b"\t" + os.fsencode(path))
            continue
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode):
            return False
        try:
            with open(top / path, "rb") as handle:
                data = handle.read()
        except OSError:
            return False
        oid = _object_id(object_format, data)
        mode = b"100755" if info.st_mode & stat.S_IXUSR else b"100644"
        entries.append(mode + b" " + oid.encode() + b"\t" + os.fsencode(path))
        if oid not in known:
            known.add(oid)
            stream += _blob_record(data)
    present = [path for path, entry in zip(paths, entries, strict=True)
               if not entry.startswith(b"0 ")]
    if present and not _stored_as_they_are(top, present):
        return False
    if stream:
        imported = _git(top, *_FAST_IMPORT, stdin=b"".join(stream) + b"done\n")
        if imported is None or imported.returncode != 0:
            return False
    _must(_git(top, "update-index", "-z", "--index-info", stdin=b"\0".join(entries) + b"\0"),
          "git update-index --index-info")
    _git(top, "update-index", "-q", "--refresh")  # the staged files' stat data, as `add` has
    return True


_FAST_IMPORT = ("-c", "pack.compression=1", "-c", "pack.depth=0", "fast-import", "--quiet",
                "--done")
"""New contents into one pack, compressed as git compresses a loose object (level 1), and
no deltas: what the next `git gc` does (with more time) either way."""


def _object_id(object_format: str, data: bytes) -> str:
    """The id git gives a blob of `data`."""
    digest = hashlib.new(object_format, b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def _blob_record(data: bytes) -> list[bytes]:
    """A blob in `git fast-import`'s stream."""
    return [b"blob\ndata %d\n" % len(data), data, b"\n"]


def _packable(top: Path) -> str | None:
    """The repository's object format, where git stores a file's bytes as they are and
    keeps its mode (no `core.autocrlf`, `core.fileMode` not off); `None` otherwise."""
    autocrlf = _answer(top, "config", "--get", "core.autocrlf")
    file_mode = _answer(top, "config", "--type=bool", "--get", "core.filemode")
    object_format = _answer(top, "rev-parse", "--show-object-format")
    if (autocrlf or "false").lower() != "false" or file_mode not in (None, "true") \
            or object_format not in ("sha1", "sha256"):
        return None
    return object_format


def _stored_as_they_are(top: Path, paths: list[str]) -> bool:
    """Whether no attribute makes git store other bytes than the file's at `paths`
    (relative to `top`): no line-ending conversion, filter, `ident` or encoding."""
    attributes = _git(top, "check-attr", "-z", "--stdin", *_CONTENT_ATTRIBUTES,
                      stdin=b"\0".join(map(os.fsencode, paths)) + b"\0")
    if attributes is None or attributes.returncode != 0:
        return False
    values = attributes.stdout.split(b"\0")[2::3]  # path, attribute, value, ...
    return len(values) == len(paths) * len(_CONTENT_ATTRIBUTES) and all(
        value == b"unspecified" for value in values)


def stage_removals(root: Path, paths: Iterable[str]) -> None:
    """Take removed files (relative to `root`) out of the index, as `git rm` would; a path
    git does not track is no error."""
    top = toplevel(root)
    prefix = _prefix(root)
    listing = "\0".join(prefix + path for path in sorted(paths))
    if top is None or not listing:
        return
    _must(_git(top, "update-index", "--remove", "-z", "--stdin",
               stdin=listing.encode() + b"\0"), "git update-index --remove")


def commit_applied(root: Path, facades: Sequence[str], moves_message: str,
                   facades_message: str, *,
                   after_first: Callable[[str], Sequence[str]] | None = None,
                   record_message: str = "") -> list[str]:
    """Commit what the apply staged in two commits and return their ids: the moves and
    rewrites first, without the facades (so that git sees each moved file as renamed:
    `git log --follow`, `git diff -M`), then the facades at the old paths.

    `after_first` is called with the first commit's id and returns files (relative to
    `root`) to add to the second commit (the plan, recording that id); with no facades,
    they are committed alone with `record_message`.

    Raises `ApplyError` with git's reason when a commit fails (no identity, a hook that
    refuses); the index is then as the apply left it, everything staged."""
    top = toplevel(root)
    if top is None:
        raise ApplyError("not a git work tree: nothing to commit")
    prefix = _prefix(root)
    paths = [prefix + path for path in facades]
    listing = "\0".join(paths).encode() + b"\0"
    if paths:  # out of the index only (paths, not pathspecs); the files stay
        _must(_git(top, "update-index", "--force-remove", "-z", "--stdin", stdin=listing),
              "git update-index --force-remove")
    try:
        _must(_git(top, "commit", "-q", "-m", moves_message), "git commit")
    finally:
        if paths:
            _must(_git(top, "update-index", "--add", "-z", "--stdin", stdin=listing),
                  "git update-index")
    commits = [_answer(top, "rev-parse", "HEAD") or ""]
    recorded = [prefix + path for path in (after_first(commits[0]) if after_first else [])]
    if recorded:
        _must(_git(top, "update-index", "--add", "-z", "--stdin",
                   stdin="\0".join(recorded).encode() + b"\0"), "git update-index")
    if paths or recorded:
        message = facades_message if paths else record_message
        if paths and recorded:
            message += "\n" + record_message
        _must(_git(top, "commit", "-q", "-m", message), "git commit")
        commits.append(_answer(top, "rev-parse", "HEAD") or "")
    return commits


def is_tracked(root: Path, path: str) -> bool:
    """Whether git tracks the file `path` (relative to `root`)."""
    out = _git(root, "ls-files", "--error-unmatch", "--", path)
    return out is not None and out.returncode == 0


def commit_adding(root: Path, path: str) -> str | None:
    """The latest commit that added the file `path` (relative to `root`; a rename counts
    as adding its new path), or `None`."""
    return _answer(root, "log", "-1", "--no-renames", "--diff-filter=A", "--format=%H",
                   "--", path) or None


def _must(out: subprocess.CompletedProcess[bytes] | None, what: str) -> None:
    if out is None or out.returncode != 0:
        raise ApplyError(f"{what} failed: {_stderr(out) or _stdout(out)}")


def _stdout(out: subprocess.CompletedProcess[bytes] | None) -> str:
    return "" if out is None else out.stdout.decode(errors="replace").strip()


def _stderr(out: subprocess.CompletedProcess[bytes] | None) -> str:
    if out is None:
        return "git could not be run"
    return out.stderr.decode(errors="replace").strip()


def first_parent_commits(root: Path, since: str) -> list[tuple[str, str]]:
    """(id, subject) of `since`'s parent (the tree before it, when it has one), `since`
    and each commit after it on HEAD's first-parent line, oldest first; `[]` when git
    cannot say (not a work tree, `since` not in HEAD's history)."""
    if _answer(root, "rev-parse", "--verify", "-q", f"{since}^{{commit}}") is None:
        return []
    ancestor = _git(root, "merge-base", "--is-ancestor", since, "HEAD")
    if ancestor is None or ancestor.returncode != 0:
        return []
    parent = _answer(root, "rev-parse", "--verify", "-q", f"{since}~1")
    out = _git(root, "log", "--first-parent", "--reverse", "--format=%H%x00%s",
               f"{parent}..HEAD" if parent else "HEAD")
    if out is None or out.returncode != 0:
        return []
    lines = out.stdout.decode(errors="replace").splitlines()
    if parent:
        subject = _answer(root, "log", "-1", "--format=%s", parent) or ""
        lines.insert(0, f"{parent}\0{subject}")
    return [(commit, subject) for commit, _, subject in
            (line.partition("\0") for line in lines) if commit]


def count_words(root: Path, commit: str, words: Sequence[str], *,
                exclude: Sequence[str] = ()) -> int | None:
    """Lines of the Python files (relative to `root`) at `commit` that hold one of
    `words` as a whole word (`git grep -w -F`); `None` when git cannot say."""
    if not words:
        return 0
    args = ["grep", "-c", "-w", "-F", "-I"]
    for word in words:
        args += ["-e", word]
    args += [commit, "--", "*.py", "*.pyi", *(f":(exclude){path}" for path in exclude)]
    out = _git(root, *args)
    if out is None or out.returncode not in (0, 1):  # 1: no line matched
        return None
    total = 0
    for line in out.stdout.decode(errors="replace").splitlines():
        count = line.rpartition(":")[2]
        if count.isdigit():
            total += int(count)
    return total


def commit_time(root: Path, commit: str) -> int:
    """The commit's committer time (seconds), 0 when git cannot say."""
    answer = _answer(root, "log", "-1", "--format=%ct", commit)
    return int(answer) if answer and answer.isdigit() else 0


def first_parent_line(root: Path) -> list[str]:
    """HEAD's first-parent history, oldest first (`[]` when git cannot say)."""
    out = _git(root, "rev-list", "--first-parent", "--reverse", "HEAD")
    if out is None or out.returncode != 0:
        return []
    return out.stdout.decode().split()


def commit_before(root: Path, commits: Iterable[str]) -> str | None:
    """The tree before the oldest of `commits` on HEAD's first-parent line (its
    parent); HEAD when none of them is there (nothing committed yet); `None` outside a
    work tree with history."""
    head = _answer(root, "rev-parse", "--verify", "-q", "HEAD")
    if head is None:
        return None
    wanted = set(commits)
    line = first_parent_line(root)
    for index, commit in enumerate(line):
        if commit in wanted:
            return line[index - 1] if index else None
    return head
