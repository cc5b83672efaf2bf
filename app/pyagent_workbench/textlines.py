"""A text's lines numbered as CPython numbers a source file's (`ast` line numbers,
tracebacks): broken at `\\r\\n`, `\\r` and `\\n`, never at the form feeds, separators and
NELs `str.splitlines` also breaks at. A page-break line (`\\x0c`), common in older code,
would otherwise shift every line number after it."""

from __future__ import annotations

import re

_BREAK = re.compile(r"\r\n|\r|\n")


def numbered_lines(text: str) -> list[str]:
    """The lines of `text` without their line ends; line N is `numbered_lines(text)[N - 1]`."""
    lines = _BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # (a final line end opens no line)
    return lines
