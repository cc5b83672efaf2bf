"""Files replaced whole, through a temporary file nobody else can have put in the way.

A repository is untrusted: it can commit a link or a file under any name, the name of a
temporary file included. A temporary file here is created exclusively (`mkstemp`: a fresh
unpredictable name, `O_EXCL`), so a write never goes through a link to somewhere else
nor over a file that was already there; the rename that follows replaces the target
itself, never what a link at the target points to.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


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
