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

import configparser
import contextlib
import errno
import os
import stat
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from pyagent_workbench.errors import OutputError

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
        return _read_up_to(handle, limit, info.st_size)
    finally:
        os.close(handle)


def read_config_text(path: Path) -> str | None:
    """A configuration file of the repo as text: a regular file, not a link (linked
    configuration is named where it matters, never read: it may point anywhere), UTF-8;
    `None` otherwise."""
    if path.is_symlink():
        return None
    try:
        return read_regular(path).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def read_ini(path: Path) -> configparser.ConfigParser | None:
    """An ini-style configuration file of the repo (`setup.cfg`, `tox.ini`, `.flake8`...),
    parsed without interpolation; `None` when `read_config_text` has no text or it does
    not parse."""
    text = read_config_text(path)
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return parser


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML configuration file of the repo, parsed; `{}` when `read_config_text` has no
    text or it does not parse."""
    text = read_config_text(path)
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _read_up_to(handle: int, limit: int, size: int) -> bytes:
    """At most `limit` bytes, to the end of the file. Plain `os.read` calls: a buffered
    file object around the handle cost seven times as much as the reading itself (the
    engine reads every Python file of a project for each preview). The first read asks
    for one byte more than `size`, so that a file read whole takes one call and the one
    that sees its end."""
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        chunk = os.read(handle, min(max(size + 1 - total, 1 << 16), limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


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
            info = os.stat(path, follow_symlinks=False)
        except OSError:
            mode = default_mode()
        else:  # a link's own mode (0o777) is not a file's
            mode = default_mode() if stat.S_ISLNK(info.st_mode) else info.st_mode & 0o7777
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


def write_output(path: Path, data: bytes) -> None:
    """Write a file the user asked for (`-o`, an export) whole, or raise `OutputError` in
    one line (see `check_output`)."""
    check_output(path)
    try:
        replace_file(path, data)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None


def check_output(path: Path) -> None:
    """`OutputError` (one line) when `path` cannot take a file the user asked for: it is
    a link (the tool would replace the link, not write where it points, and neither is
    what the user meant), a folder or another special file, or its folder is missing.
    Called before long work, so the user does not wait to learn it."""
    if path.is_symlink():
        raise OutputError(f"{path} is a symbolic link: give the path of a file (the tool "
                          f"does not write through links)")
    if path.is_dir():
        raise OutputError(f"{path} is a folder: give the path of a file to write")
    if path.exists() and not path.is_file():
        raise OutputError(f"{path} is not a regular file (a FIFO, a device or a socket): "
                          f"give the path of a file to write")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: the folder {folder} is not writable")
