"""Text from a repository or a plan shown as text, never as commands to the terminal.

A comment, a file name or a review note can hold escape sequences (colours, cursor
moves, a terminal title, a hyperlink) or bidirectional overrides that make a line read
otherwise than it is. What the tool prints for a person shows each such character as
its escape (`\\x1b`, `\\u202e`); newlines and tabs stay. In a table of fixed-width
cells (the workbench's review table) each one is a one-cell stand-in instead
(`one_cell`), so the columns stay aligned.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control character (but newline and tab) and bidirectional
    override escaped."""
    return _CONTROL.sub(_escape, text)


def one_cell(text: str) -> str:
    """`text` with every character that is not printable (control characters, tabs,
    bidirectional overrides) shown as `·`: one cell for one character."""
    return text if text.isprintable() else "".join(
        ch if ch.isprintable() else "·" for ch in text)
