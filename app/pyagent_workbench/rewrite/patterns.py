"""The regular expressions that find a dotted name under a moved module in a text.

They run over every file of the repository (which files can change, what is left for
review) and over every candidate again in the workers, so they are written for speed:
each alternative opens with its first character and only then looks behind it, which
lets `re` skip straight to the places where that character is. A lookbehind first (the
obvious way to write "not after a letter or a dot") makes `re` try every alternative at
every position of the text: 8 to 10 times slower on Django's files, for the same
matches."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable


def alternatives(sources: Iterable[str], behind: Callable[[str], str], *,
                 dot: str = r"\.") -> str:
    r"""`sources` as one regex that matches any of them: each one's first character, then
    `behind(that character, escaped)`, a lookbehind over it and what precedes it
    (`(?<![\w.]a)`: "`a`, not after a letter or a dot"), then the rest, written as a
    tree of their common beginnings (`django\.(?:utils\.text|db)`: one test of
    `django.` per place, not one per source); `dot`: how a dot is matched. Where a source
    is the beginning of another, the longer is tried first. Followed by the dotted tail
    the callers add, it matches what the plain alternation of the sources (the longest
    first) matches, to the character."""
    tree: _Tree = {}
    for source in sources:
        node = tree
        for character in source:
            node = node.setdefault(character, {})
        node[""] = {}
    branches = []
    for first, rest in sorted((c, n) for c, n in tree.items() if c):
        escaped = re.escape(first)
        branches.append(escaped + behind(escaped) + _below(rest, dot))
    return "|".join(branches)


_Tree = dict[str, "_Tree"]


def _below(node: _Tree, dot: str) -> str:
    branches = [(dot if c == "." else re.escape(c)) + _below(child, dot)
                for c, child in sorted(node.items()) if c]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a source ends here and another goes on: the longer first
        return f"(?:{body})?"
    return body


def reference_regex(sources: Iterable[str]) -> str:
    """Any dotted name under one of `sources`, on a dotted-name boundary (never
    `a.b_extra` for `a.b`, nor `x.a.b`)."""
    names = alternatives(sources, lambda first: rf"(?<![\w.]{first})")
    return rf"(?:{names})(?:\.[A-Za-z_]\w*)*(?![\w])"


def statement_regex(sources: Iterable[str]) -> str:
    """`reference_regex`, also after a `\\n`/`\\t`/`\\r` escape in a string's source
    ("...\\npkg.mod.Error: x"), and with the dots escaped for a regular expression
    (`pkg\\.mod\\.Cls`, one or two backslashes)."""
    ordered = list(sources)
    plain = alternatives(ordered, lambda first: rf"(?:(?<![\w.]{first})|(?<=\\[nrt]{first}))")
    escaped = alternatives(ordered, lambda first: rf"(?<![\w.\\]{first})", dot=r"\\{1,2}\.")
    return (rf"(?:{plain})(?:\.[A-Za-z_]\w*)*(?![\w])"
            rf"|(?:{escaped})(?:\\{{1,2}}\.[A-Za-z_]\w*)*(?![\w])")
