"""The reference regexes (`rewrite.patterns`) are written for speed: each alternative
opens with its first character and looks behind it only then. They must find exactly
what the plain way of writing them (a lookbehind first) finds, on any text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from pyagent_workbench.rewrite.files import reference_pattern, statement_pattern

NAMES = st.lists(st.sampled_from(["a", "ab", "b", "_x", "n", "t", "é"]), min_size=1,
                 max_size=3).map(".".join)
TEXTS = st.lists(st.sampled_from(["a", "ab", "b", "_x", "n", "t", "é", ".", "\\", "\\\\",
                                  "\\n", "\\.", " ", "\n", "'", '"', "x", "1", "-"]),
                 max_size=30).map("".join)


def plain_reference(sources: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(s) for s in sorted(sources, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?:\.[A-Za-z_]\w*)*(?![\w])")


def plain_statement(sources: list[str]) -> re.Pattern[bytes]:
    ordered = sorted(sources, key=len, reverse=True)
    plain = "|".join(re.escape(s) for s in ordered)
    escaped = "|".join(re.escape(s).replace(r"\.", r"\\{1,2}\.") for s in ordered)
    return re.compile((rf"(?:(?<![\w.])|(?<=\\[nrt]))(?:{plain})(?:\.[A-Za-z_]\w*)*(?![\w])"
                       rf"|(?<![\w.\\])(?:{escaped})(?:\\{{1,2}}\.[A-Za-z_]\w*)*(?![\w])"
                       ).encode())


def spans(pattern: re.Pattern[str] | re.Pattern[bytes], text: str | bytes) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(sources=st.lists(NAMES, min_size=1, max_size=4, unique=True), text=TEXTS)
def test_the_fast_regexes_find_what_the_plain_ones_find(sources: list[str], text: str) -> None:
    assert spans(reference_pattern(sources), text) == spans(plain_reference(sources), text)
    data = text.encode()
    assert spans(statement_pattern(sources), data) == spans(plain_statement(sources), data)


def test_the_boundaries_hold_at_the_start_and_after_escapes() -> None:
    pattern = statement_pattern(["pkg.mod"])
    found = [m.group(0) for m in pattern.finditer(
        rb"pkg.mod xpkg.mod .pkg.mod \npkg.mod.X pkg\\.mod\\.Y \\pkg\\.mod pkg.mods")]
    assert found == [b"pkg.mod", b"pkg.mod.X", rb"pkg\\.mod\\.Y"]
