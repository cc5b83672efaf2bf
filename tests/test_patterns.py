"""The reference regexes (`rewrite.patterns`) are written for speed: each alternative
opens with its first character and looks behind it only then. They must find exactly
what the plain way of writing them (a lookbehind first) finds, on any text."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from pyagent_workbench.rewrite.files import (
    dynamic_prefix_pattern,
    reference_pattern,
    statement_pattern,
)
from pyagent_workbench.rewrite.literals import CODE_HINT, may_run_code
from pyagent_workbench.rewrite.statements import _JOINS, _may_join_a_name, _may_split_a_reference

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


def plain_dynamic_prefix(sources: list[str]) -> re.Pattern[bytes]:
    prefixes = sorted({".".join(s.split(".")[:n]) + "." for s in sources
                       for n in range(1, s.count(".") + 1)}, key=len, reverse=True)
    if not prefixes:
        return re.compile(rb"(?!x)x")
    alternatives = "|".join(re.escape(prefix) for prefix in prefixes)
    return re.compile(rf"""["'](?:{alternatives})["'{{]""".encode())


DYNAMIC_TEXTS = st.lists(st.sampled_from(["a", "ab", "b", ".", "'", '"', "{", " ", "x"]),
                         max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(sources=st.lists(NAMES, min_size=1, max_size=4, unique=True), text=DYNAMIC_TEXTS)
def test_the_fast_run_time_prefix_regex_finds_what_the_plain_one_finds(
        sources: list[str], text: str) -> None:
    """The same first match; and every match of the plain form (which takes the opening
    quote into its match), plus the ones it skips when a closing quote opens the next
    (`'a.'a.'`: only in text that is no Python string)."""
    data = text.encode()
    fast, plain = dynamic_prefix_pattern(frozenset(sources)), plain_dynamic_prefix(sources)
    first, expected = fast.search(data), plain.search(data)
    assert (first and (first.start(), first.group(0))) == (
        expected and (expected.start() + 1, expected.group(0)[1:]))
    assert {(m.start() + 1, m.group(0)[1:]) for m in plain.finditer(data)} <= {
        (m.start(), m.group(0)) for m in fast.finditer(data)}


CODE_TEXTS = st.lists(st.sampled_from(["exec", "eval", "compile", "builtins", "e", "c", "x",
                                       "_", "1", ".", " ", "(", "\n", "é"]),
                      max_size=12).map("".join)


@settings(max_examples=1000, deadline=None)
@given(text=CODE_TEXTS)
def test_may_run_code_answers_as_the_code_hint_regex(text: str) -> None:
    data = text.encode()
    assert may_run_code(data) == (CODE_HINT.search(data) is not None)


def test_may_run_code_cases() -> None:
    assert may_run_code(b"exec(code)") and may_run_code(b"x = eval") and may_run_code(b"compile")
    assert may_run_code(b"import builtins\nbuiltins . exec(c)")
    assert may_run_code(b"import builtins\nf = builtins.exec")
    assert not may_run_code(b"re.compile(x); self.execute(); evaluate(); precompile()")
    assert not may_run_code(b"f = built_ins; x.exec()")  # no `builtins` before `.exec`
    assert not may_run_code(b"x.exec(); import builtins")  # named after it only


JOIN_TEXTS = st.lists(st.sampled_from(["a", "b", ".", "\\", "\\\\", "\\.", "'", '"', '"""', " ",
                                       "\n", "\\\n", "\r\n", "r", "f", "x", "(", "é", "_"]),
                      max_size=24).map("".join).map(str.encode)


def split_across_a_join(text: bytes, reference: re.Pattern[bytes]) -> bool:
    """`_may_split_a_reference` by its definition: a reference, in the text with every
    join taken out, that a join was inside of."""
    pieces = _JOINS.split(text)
    joins = list(itertools.accumulate(map(len, pieces[:-1])))
    return any(any(match.start() < join < match.end() for join in joins)
               for match in reference.finditer(b"".join(pieces)))


@settings(max_examples=1500, deadline=None)
@given(sources=st.lists(st.sampled_from(["a.b", "b.a", "a.a.b", "ab.b"]), min_size=1,
                        max_size=2, unique=True), text=JOIN_TEXTS)
def test_a_split_reference_is_never_cleared_before_the_split(sources: list[str],
                                                              text: bytes) -> None:
    """`_may_join_a_name`, the fast check before the split, passes every text in which a
    reference (plain, after a `\\n` escape, or with escaped dots) crosses a join."""
    reference = statement_pattern(sources)
    expected = split_across_a_join(text, reference)
    if expected:
        assert _may_join_a_name(text)
    assert _may_split_a_reference(text, reference) == expected


def test_a_reference_with_escaped_dots_split_at_a_backslash_is_seen() -> None:
    reference = statement_pattern(["a.b"])
    for text in (b'x = "a\\\\" ".b"', b'x = "a" "\\\\.b"', b'x = ("a\\\\"\n     ".b")',
                 b'x = "a\\\\\\\n.b"', b'x = "a." "b"', b'x = "a" r".b"'):
        assert split_across_a_join(text, reference), text
        assert _may_split_a_reference(text, reference), text
    assert not _may_split_a_reference(b'x = "a" ", b"', reference)


# -- documentation directives: literal-led patterns and a line-start check ------------------

_OLD_DIRECTIVE = re.compile(
    r"^(?P<head>[ \t]*\.\.[ \t]+(?:auto\w+|module|currentmodule|py:\w+)::[ \t]+)"
    r"(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)", re.MULTILINE)
_OLD_MKDOCSTRINGS = re.compile(
    r"^(?P<head>[ \t]*:::[ \t]+)(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)", re.MULTILINE)
"""The directives' patterns as they were, `^` under MULTILINE: the definition."""

_DOC_PIECES = st.lists(st.sampled_from([
    ".. automodule:: app.core.db", "..  module::\tapp.core.db.Engine", ".. py:class:: app.x",
    ".. currentmodule:: app.core.db", "... automodule:: app.core.db", "::: app.core.db",
    ":::: app.core.db", "x ::: app.core.db", "text .. automodule:: app.core.db",
    ":mod:`app.core.db`", ":py:class:`~app.core.db.Engine`", " ", "\t", "\n", "\r\n", "\r",
    "app.core.db", ".", ":", "`", "x", "\u00e9"]), max_size=14)


@given(_DOC_PIECES)
@settings(max_examples=2000, deadline=None)
def test_doc_directives_found_from_their_dots_are_those_at_a_line_start(pieces: list[str]
                                                                       ) -> None:
    """`rewrite_doc_references` finds a directive from its literal `..` (or `:::`) and
    keeps it only after a line's blanks: the same rewrite as the patterns anchored with
    `^` under MULTILINE."""
    from pyagent_workbench.model.resolver import Resolver
    from pyagent_workbench.rewrite import references

    resolver = Resolver({"app.core.db": "app.storage.db"},
                        frozenset({"app", "app.core", "app.core.db"}))
    text = "".join(pieces)

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        new = resolver.new_name(name)
        return match.group(0) if new == name else match.group("head") + new

    expected = text
    for pattern in (_OLD_DIRECTIVE, references._ROLE, _OLD_MKDOCSTRINGS):
        expected = pattern.sub(replace, expected)
    assert references.rewrite_doc_references(text, resolver)[0] == expected
