"""What the reliability tests that run the tool as a real process share: the installed
console script, a small two-package repo, and the checks on a refusal."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("pyagent-workbench")

APP: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/base.py": "BASE = 1\n",
    "app/core/util.py": "from app.core.base import BASE\n\nU = BASE\n",
    "app/infra/__init__.py": "",
    "app/infra/db.py": "import app.core.util\n\nDB = app.core.util.U\n",
    "app/infra/cache.py": "from app.infra import db\n\nC = db.DB\n",
}
"""`app.core` and `app.infra`, importing down; a plan moving `app.infra.db` fits it."""


def cli(cwd: Path, *args: object, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The console script run in `cwd` (no bytecode written into the repo)."""
    full = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run([str(SCRIPT), *map(str, args)], cwd=cwd, env=full,
                          capture_output=True, text=True, check=False, timeout=timeout)


def refused_in_one_line(result: subprocess.CompletedProcess[str], needle: str) -> None:
    """Exit 2 and one line on stderr holding `needle`; never a traceback."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def entries(*roots: Path) -> dict[str, object]:
    """Every entry under the roots but git's and the tool's own folders: a regular
    file's bytes, a link's text, what any other entry is (never opened: a FIFO would
    wait for a writer). Compare before and after to prove nothing changed."""
    seen: dict[str, object] = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if {".git", ".pyagent-workbench"} & set(path.relative_to(root).parts):
                continue
            mode = path.lstat().st_mode
            seen[str(path)] = ("link:" + os.readlink(path) if stat.S_ISLNK(mode) else
                               path.read_bytes() if stat.S_ISREG(mode) else
                               stat.S_IFMT(mode))
    return seen
