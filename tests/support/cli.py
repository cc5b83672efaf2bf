"""Run the real CLI in-process and capture what it prints."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from pyagent_workbench.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(*args: object) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit_:  # argparse exits on --help and usage errors
            code = int(exit_.code or 0)
    return Result(code, out.getvalue(), err.getvalue())
