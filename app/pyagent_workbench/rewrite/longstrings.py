"""A string the rewrite made longer is split to stay within the project's line length.

A moved module's new path is longer (`click.types` became `click.parsing.types`), and a
string holding it (a `match=` pattern expecting a repr, a message) can grow past the
line length, which no formatter mends. Where the string stands first on its line inside
brackets (a call's argument, a piece of an implicit concatenation) it is cut after a
space into two adjacent literals, the second on the next line at the same indent: the
same value, laid out as black and ruff-format lay out a concatenation that does not fit.

Only strings the rewrite changed are cut (a string found in the old text is the
project's own), never an f-string, a bytes or triple-quoted literal, nor inside an escape.
"""

from __future__ import annotations

import io
import re
import tokenize

_STARTS_WITH_A_STRING = re.compile(r"[ \t\f]*[A-Za-z]{0,3}['\"]")
_LITERAL = re.compile(r"^(?P<prefix>[rRuU]*)(?P<quote>['\"])(?P<body>.*)(?P=quote)$", re.DOTALL)

_LINE_STARTS_WITH_A_STRING = re.compile(rb"\n[ \t\f]*[A-Za-z]{0,3}['\"]")
_OTHER_LINE_BREAKS = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\xc2\x85",
                      b"\xe2\x80\xa8", b"\xe2\x80\xa9")
"""What `str.splitlines` takes for a line break besides a line feed and a carriage
return, in UTF-8."""


def may_split(new: bytes, limit: int) -> bool:
    """Whether `split_long_strings` may change `new` (UTF-8), asked of the bytes: a line
    of more than `limit` bytes that starts with a string. Most files have none, and
    are neither decoded nor split into lines (0.2 s over Django's 819 rewritten files).
    A text with other line breaks than line feeds (after a carriage return or not) is
    always a maybe."""
    if new.count(b"\r") != new.count(b"\r\n") or any(b in new for b in _OTHER_LINE_BREAKS):
        return True
    text = b"\n" + new
    for match in _LINE_STARTS_WITH_A_STRING.finditer(text):
        end = text.find(b"\n", match.start() + 1)
        if (len(text) if end < 0 else end) - match.start() - 1 > limit:
            return True
    return False


def split_long_strings(new: str, old: str, limit: int) -> str:
    """`new` with each changed string literal that makes its line longer than `limit`
    characters cut in two at a space (see the module docstring)."""
    # Tokenizing is slow: only a file with a new long line that starts with a string
    # (what `_edit` cuts: a literal standing first on its line) is read.
    long_lines = {line for line in new.splitlines()
                  if len(line) > limit and _STARTS_WITH_A_STRING.match(line)}
    if not long_lines or not long_lines - set(old.splitlines()):
        return new
    lines = new.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(new).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
            elif (token.type == tokenize.STRING and depth > 0
                  and token.start[0] == token.end[0]):
                edit = _edit(token, lines, old, limit)
                if edit is not None:
                    edits.append(edit)
    except (tokenize.TokenError, SyntaxError):
        return new
    for row, start, end, text in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + text + line[end:]
    return "".join(lines)


def _edit(token: tokenize.TokenInfo, lines: list[str], old: str,
          limit: int) -> tuple[int, int, int, str] | None:
    row, start = token.start
    line = lines[row - 1]
    if (len(line.rstrip("\r\n")) <= limit or line[:start].strip()
            or token.string in old):
        return None
    newline = "\r\n" if line.endswith("\r\n") else "\n"
    pieces = _cut(token.string, start, limit)
    if len(pieces) < 2:
        return None
    return row, start, token.end[1], (newline + " " * start).join(pieces)


def _cut(literal: str, indent: int, limit: int) -> list[str]:
    """`literal` as adjacent literals, each on a line of at most `limit` characters
    where a space allows it."""
    match = _LITERAL.match(literal)
    if match is None:
        return [literal]
    prefix, quote, body = match.group("prefix"), match.group("quote"), match.group("body")
    if "\\N{" in body:
        return [literal]  # a named escape holds spaces
    room = limit - indent - len(prefix) - 2 * len(quote)
    pieces = []
    while len(body) > room:
        at = body.rfind(" ", 0, room)
        if at <= 0:
            break
        pieces.append(body[:at + 1])
        body = body[at + 1:]
    if not pieces or not body:
        return [literal]
    return [f"{prefix}{quote}{piece}{quote}" for piece in [*pieces, body]]
