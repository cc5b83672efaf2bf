"""Files read only when they are regular, and replaced whole through a temporary file
nobody else can have put in the way.

A repository is untrusted: it can commit a link under any name, to a device
(`/dev/zero`: endless bytes; `/dev/tty`: a read that waits for the keyboard) or to a
FIFO, and a link or a file under the name of a temporary file. `read_regular` opens
without waiting (`O_NONBLOCK`: a FIFO with no writer does not block the open) and reads
only what is a regular file once opened, within a size bound. A temporary file here is
created exclusively (`mkstemp`: a fresh unpredictable name, `O_EXCL`), so a write never
goes through a link to somewhere else nor over a file that was already there; the
rename that follows replaces the target itself, never what a link at the target points
to.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

READ_LIMIT = 64 << 20
"""Bytes of one file read at most (a source file or a plan of 64 MiB is not one a
person wrote; reading an endless one would never end)."""


class NotRegular(OSError):
    """The path is not a regular file (a FIFO, a device, a socket, a directory, or a link
    to one), or it is larger than the bound."""


def read_regular(path: os.PathLike[str] | str, *, limit: int = READ_LIMIT,
                 head: bool = False) -> bytes:
    """The bytes of `path`, a regular file (links followed) of at most `limit` bytes
    (`head`: its first `limit` bytes, whatever its size); `NotRegular` (an `OSError`)
    otherwise, without blocking on a FIFO or a terminal."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    handle = os.open(path, flags)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file (a FIFO, a device, a "
                             "socket or a folder, or a link to one)", str(path))
        if info.st_size > limit and not head:
            raise NotRegular(errno.EFBIG, f"larger than {limit >> 20} MiB", str(path))
        with os.fdopen(handle, "rb", closefd=False) as stream:
            return stream.read(limit + 1)[:limit]
    finally:
        os.close(handle)


def default_mode() -> int:
    """The mode a new file gets from `open()` under this process's umask."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o644


def replace_file(path: Path, data: bytes, *, mode: int | None = None,
                 sync: bool = False) -> None:
    """Write `data` to `path` whole: a reader sees the old file or the new one. The new
    file keeps `mode`, else the old file's mode, else the umask's default."""
    if mode is None:
        try:
            mode = os.stat(path, follow_symlinks=False).st_mode & 0o7777
        except OSError:
            mode = default_mode()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if sync:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
