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

_STARTS_WITH_A_STRING_BYTES = re.compile(rb"[ \t\f]*[A-Za-z]{0,3}['\"]")
_OTHER_LINE_BREAKS = ((b"\x0b", b"\x0b"), (b"\x0c", b"\x0c"), (b"\x1c", b"\x1c"),
                      (b"\x1d", b"\x1d"), (b"\x1e", b"\x1e"), (b"\xc2", b"\xc2\x85"),
                      (b"\xe2", b"\xe2\x80\xa8"), (b"\xe2", b"\xe2\x80\xa9"))
"""What `str.splitlines` takes for a line break besides a line feed and a carriage
return, in UTF-8, each after its first byte: a byte is looked for ten times faster than
a sequence, and most texts hold no `\xc2` or `\xe2` (20 of the 50 ms `may_split` took
over Django's 819 rewritten files went to the three sequences)."""


def may_split(new: bytes, limit: int) -> bool:
    """Whether `split_long_strings` may change `new` (UTF-8), asked of the bytes: a line
    of more than `limit` bytes that starts with a string. Most files have none, and
    are neither decoded nor split into lines (0.07 s over Django's 819 rewritten files:
    the lines are cut by `bytes.split`, and only the long ones are matched). A text with
    other line breaks than line feeds (after a carriage return or not) is always a maybe."""
    if b"\r" in new and new.count(b"\r") != new.count(b"\r\n"):
        return True
    if any(first in new and whole in new for first, whole in _OTHER_LINE_BREAKS):
        return True
    return any(_STARTS_WITH_A_STRING_BYTES.match(line)
               for line in new.split(b"\n") if len(line) > limit)


def split_long_strings(new: str, old: str, limit: int) -> str:
    """`new` with each changed string literal that makes its line longer than `limit`
    characters cut in two at a space (see the module docstring)."""
    # Tokenizing is slow: only a file with a new long line that starts with a string
    # (what `_edit` cuts: a literal standing first on its line) that could be cut is
    # read (on Django's 30 moves, one file of 80 ms was read for a literal it had before).
    lines = _lines(new)
    long_lines = {text for text in (line.rstrip("\r\n") for line in lines)
                  if len(text) > limit and _STARTS_WITH_A_STRING.match(text)}
    fresh = long_lines - {line.rstrip("\r\n") for line in _lines(old)}
    if not fresh or all(_left_alone(line, old, limit) for line in fresh):
        return new
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


def _lines(text: str) -> list[str]:
    """`text`'s lines as the tokenizer numbers its rows: each ends after a line feed, and
    only there. (`str.splitlines` also breaks at a form feed, a lone carriage return and
    other separators: its rows then ran behind the tokenizer's, and a cut landed on the
    line before the string's, replacing what stood there.)"""
    return io.StringIO(text).readlines()


def _left_alone(line: str, old: str, limit: int) -> bool:
    """Whether `_edit` surely leaves `line` as it is, told from the line alone: the
    token it opens with, read by itself, is not a string on one line that the old text
    lacks and that `_cut` would cut. A token the whole file's reading starts there is the
    same token (a string on one line depends on its characters only); where that reading
    starts none (inside a longer string), nothing is cut either. Unsure (no token read):
    False."""
    code = line.lstrip(" \t\f")
    try:
        token = next(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, StopIteration):
        return False
    if token.type == tokenize.ERRORTOKEN:
        return False
    return (token.type != tokenize.STRING or token.string in old
            or len(_cut(token.string, len(line) - len(code), limit)) < 2)


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
