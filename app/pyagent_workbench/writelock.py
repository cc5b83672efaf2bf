"""One writer at a time: the lock that `apply`, `recover`, `facades --remove` and the
workbench's apply hold while they change a repository.

Two writers at once would each journal and roll back on their own, and one's failure
path could delete the other's journal, leaving a half-moved tree that nothing can
recover. So a writer first creates `.pyagent-workbench/lock` exclusively and removes it
when done; a second writer finds it and refuses in one line naming the holder.

The lock file is complete before anyone can see it: its content (which process holds it,
since when, doing what) is written to a fresh file that is then hard-linked to `lock`
(`link` fails if the name exists, so exactly one writer wins). A holder killed with
SIGKILL leaves its lock behind; the next writer sees that the process it names is gone
(on this machine: no such process, a zombie, or the process id reused by a process that
started later) and takes the lock over. Checking a lock and taking it over happen under
an advisory lock on the tool's folder, so two writers cannot both find it stale and both
take it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import json
import os
import secrets
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.statedir import ensure_state_dir

LOCK_NAME = "lock"
"""The lock file in the tool's folder."""


class Locked(WorkbenchError):
    """Another writer holds the repository (or its lock cannot be read)."""


@dataclasses.dataclass(frozen=True)
class Holder:
    """What a lock file says about the process that holds it."""

    pid: int
    host: str
    started: float
    """When the lock was taken (seconds since the epoch)."""
    command: str
    token: str
    """Random per lock: tells this lock from a later one of a process with the same id."""
    process_start: int | None = None
    """The holder's start time in clock ticks since boot (Linux), to tell a reused
    process id from the holder; None where unknown."""

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"{self.command} (process {self.pid}{where}, since {when})"

    def is_gone(self) -> bool:
        """True when the holder certainly no longer runs. A holder on another machine (a
        shared folder) cannot be checked: it counts as running."""
        if self.host != socket.gethostname():
            return False
        if self.pid == os.getpid():  # this process: gone unless it holds the lock now
            return self.token not in _HELD
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # it exists, under another user
        state, start = _process_state(self.pid)
        if state == "Z":
            return True  # killed, not yet reaped by its parent
        return None not in (start, self.process_start) and start != self.process_start


def _process_state(pid: int) -> tuple[str | None, int | None]:
    """A process's state letter and start time (ticks since boot), from /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read().decode("ascii", "replace")
    except OSError:
        return None, None
    # The command name, in parentheses, may hold spaces and parentheses itself.
    fields = text[text.rfind(")") + 2:].split()
    try:
        return fields[0], int(fields[19])
    except (IndexError, ValueError):
        return None, None


@contextlib.contextmanager
def repo_lock(repo_root: Path, command: str) -> Iterator[Holder]:
    """Hold the repository's writer lock for the duration of the block; `Locked` (one
    line: who holds it, what to do) when another writer does, or when the lock cannot be
    written (nothing was changed then)."""
    state = ensure_state_dir(repo_root)
    holder = Holder(os.getpid(), socket.gethostname(), time.time(), command,
                    secrets.token_hex(16), _process_state(os.getpid())[1])
    try:
        with _folder_locked(state) as folder:
            _take(state, folder, holder)
    except OSError as error:
        raise Locked(f"cannot take the lock in {state}: {error.strerror or error}; "
                     f"nothing was changed") from None
    _HELD.add(holder.token)
    try:
        yield holder
    finally:
        _HELD.discard(holder.token)
        # Never fails the work done under the lock: a lock that cannot be removed is
        # stale now (its token is no longer held), and the next writer takes it over.
        with contextlib.suppress(OSError), _folder_locked(state) as folder:
            if _read(folder) == holder:
                os.unlink(LOCK_NAME, dir_fd=folder)


_HELD: set[str] = set()
"""Tokens of the locks this process holds now: a lock naming this process with another
token was left by an earlier writer of this process that could not remove it."""


@contextlib.contextmanager
def _folder_locked(state: Path) -> Iterator[int]:
    """The tool's folder, open and under an exclusive advisory lock (held for the few
    system calls that check, take or drop the lock file)."""
    folder = os.open(state, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        yield folder
    finally:
        os.close(folder)  # closing drops the advisory lock


def _take(state: Path, folder: int, holder: Holder) -> None:
    content = json.dumps(dataclasses.asdict(holder), indent=2).encode() + b"\n"
    fresh = f"{LOCK_NAME}.{holder.token}"
    for _ in range(2):
        handle = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644,
                         dir_fd=folder)
        try:
            try:
                os.write(handle, content)
                os.fsync(handle)
            finally:
                os.close(handle)
            os.link(fresh, LOCK_NAME, src_dir_fd=folder, dst_dir_fd=folder,
                    follow_symlinks=False)
            return
        except FileExistsError:
            pass
        finally:
            with contextlib.suppress(OSError):  # a stray copy in the tool's folder is harmless
                os.unlink(fresh, dir_fd=folder)
        other = _read(folder)
        if other is None:
            raise Locked(
                f"{state / LOCK_NAME} exists but does not say which process holds it; if "
                f"no pyagent-workbench is changing this repository, delete that file")
        if not other.is_gone():
            raise Locked(f"another pyagent-workbench is changing this repository: "
                         f"{other.describe()}; wait for it to finish")
        os.unlink(LOCK_NAME, dir_fd=folder)  # its holder died without releasing it
    raise Locked(f"could not take the lock {state / LOCK_NAME}")  # pragma: no cover


def _read(folder: int) -> Holder | None:
    """The holder the lock file names; None when there is no lock file, or it is not a
    regular file the tool wrote (a link, a FIFO, text that does not parse as a holder)."""
    try:
        handle = os.open(LOCK_NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK,
                         dir_fd=folder)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None  # a link: not a lock the tool wrote
        raise
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        data = os.read(handle, 4096)
    finally:
        os.close(handle)
    try:
        holder = Holder(**json.loads(data))
    except (ValueError, TypeError):
        return None
    typed = (isinstance(holder.pid, int) and isinstance(holder.host, str)
             and isinstance(holder.started, (int, float)) and isinstance(holder.command, str)
             and isinstance(holder.token, str)
             and isinstance(holder.process_start, (int, type(None))))
    return holder if typed else None
