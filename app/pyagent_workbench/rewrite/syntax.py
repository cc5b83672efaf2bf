"""Which Python files parse, asked of ruff's parser (native, on every core; ruff is a
dependency already, for `conform`).

The statement-level rewrite parses a file with CPython's `ast` to find the statements
that can change, and reads the whole file only to know it is valid: about a third of
the rewrite's time on Django. When ruff, for the running Python's version, finds no
syntax error in a file, the rewrite parses only its beginning, up to the statements that
can change (`statements._prefix`). ruff errs on the strict side (it also refuses what
only CPython's compiler does: a repeated argument, `nonlocal` at the top level), which
costs only that: such a file is parsed whole, as are all files when ruff cannot run
(it crashes on a chain of some 10,000 operators: no file of that run is trusted). Where
it is lenient, nesting past CPython's parser limits, `statements._near_cpython_limits`
looks at the text the prefix leaves out.
On 2,400 files made broken by a random edit of Django's, ruff found every file `ast`
refuses (988 of them); `tests/test_syntax.py` holds a corpus of such edits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from pyagent_workbench.rewrite.conform import ruff_binary

_CHUNK = 2_000
"""Files per ruff run (a command line has a length limit)."""
_TIMEOUT = 300
_NEWEST = (3, 14)
"""The newest Python version ruff 0.17 takes as a target."""


def parsing_files(root: Path, paths: Iterable[str]) -> set[str]:
    """The files among `paths` (relative to `root`, Python source files) in which ruff
    finds no syntax error for this Python's version; none when it cannot tell."""
    todo = sorted({p for p in paths if p.endswith(".py")})
    if not todo or sys.version_info[:2] > _NEWEST:
        return set()
    target = f"py3{sys.version_info[1]}"
    found: set[str] = set()
    for start in range(0, len(todo), _CHUNK):
        chunk = todo[start:start + _CHUNK]
        try:
            done = subprocess.run(
                [ruff_binary(), "check", "--isolated", "--no-cache", "--exit-zero",
                 "--target-version", target, "--select", "E9", "--output-format", "json",
                 *(f"./{path}" for path in chunk)],
                cwd=root, capture_output=True, timeout=_TIMEOUT, check=False,
                env={**os.environ, "RUFF_NO_CACHE": "true"})
            if done.returncode != 0:
                continue
            reported = json.loads(done.stdout or b"[]")
        except (OSError, subprocess.SubprocessError, ValueError):
            continue
        ours = {os.path.realpath(root / path): path for path in chunk}
        flagged = set()
        for finding in reported if isinstance(reported, list) else [None]:
            name = finding.get("filename") if isinstance(finding, dict) else None
            path = ours.get(os.path.realpath(name)) if isinstance(name, str) else None
            if path is None:
                break  # a finding not known as one of ours: trust none of this chunk
            flagged.add(path)
        else:
            found.update(path for path in chunk if path not in flagged)
    return found
