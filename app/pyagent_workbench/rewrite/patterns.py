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
    """`sources` as a regex alternation, the longest first; each one's first character
    followed by `behind(that character, escaped)`, a lookbehind over it and what precedes
    it (`(?<![\\w.]a)`: "`a`, not after a letter or a dot"); `dot`: how a dot is matched."""
    parts = []
    for source in sorted(sources, key=len, reverse=True):
        first = re.escape(source[:1])
        parts.append(first + behind(first) + re.escape(source[1:]).replace(r"\.", dot))
    return "|".join(parts)


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
