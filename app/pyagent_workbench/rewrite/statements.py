"""Rewrite a file statement by statement: what the whole-file rewrite
(`files.rewrite_python`) gives, computed on the few statements that can change.

libcst parses and regenerates a whole file to change one import line: about 100 ms a
file, most of it visiting nodes that cannot change. This path parses the file with
`ast` (C, ~1 ms), finds the few statements that can change (imports of moved modules,
relative imports whose meaning changes, the statements or compound-statement headers
holding a dotted name the reference regex finds, and calls giving a string to `exec`,
`eval` or `compile`, whose code is rewritten as code), runs the same two libcst
transformers on each of those alone, and splices their output back. The commonest ones
need no libcst: a `from` import whose names all go to one module (`_from_import`), and
a statement whose string literals the string rewriter judges by their text alone
(`_strings_alone`, through `DottedStringRewriter.literal_value`). A file it cannot
handle exactly (another encoding, mixed or lone-CR line endings, a change that needs a
file-wide decision, an odd layout) goes through `rewrite_python` whole.

It is also what lets a file with deep code be rewritten: libcst sees only the
statements that change, so a long expression elsewhere in the file never reaches it
(those that do are measured first, see `depth`).
"""

from __future__ import annotations

import ast
import bisect
import functools
import itertools
import re
import string
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from pyagent_workbench.model import names
from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite import codestrings, depth, syntax
from pyagent_workbench.rewrite.context import (
    FileContext,
    RewriteState,
    absolute_module,
    relative_import_may_change,
)
from pyagent_workbench.rewrite.files import (
    FileRewrite,
    built_at_run_time,
    review_notes,
    rewrite_python,
    too_deep,
)
from pyagent_workbench.rewrite.imports import (
    ImportRewriter,
    implicit_parent_imports,
    pieces_of,
)
from pyagent_workbench.rewrite.literals import DOTTED_REFERENCE, may_run_code
from pyagent_workbench.rewrite.origin import imported_together, originally
from pyagent_workbench.rewrite.strings import PLACED_BY_CALL, DottedStringRewriter

_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For,
             ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.TryStar,
             ast.Match)
_BOM = b"\xef\xbb\xbf"
_MARKER = "# -- pyagent-workbench: next span --"
"""Separates the statements of one file in the small module the transformers see (a
line of its own, ended as the file's lines are)."""


class _Unsupported(Exception):
    """This path cannot rewrite this file exactly: rewrite it whole."""


def rewrite_file(source: bytes, context: FileContext, state: RewriteState, *,
                 parses: bool = False) -> FileRewrite:
    """`rewrite_python`'s result, computed statement by statement when possible.
    `parses`: a native parser found the whole file valid Python (`rewrite.syntax`), so
    CPython need parse it only as far as its statements can change."""
    try:
        result = _rewrite_statements(source, context, state, parses=parses)
    except _Unsupported:
        result = None
    except depth.TooDeep as error:
        return too_deep(context.path, error)
    if result is None:
        result = rewrite_python(source, context, state.resolver)
    if state.compile_check and result.new_bytes is not None and result.new_bytes != source \
            and not result.compiled:
        return _compile_checked(result, source, context.path)
    return result


def _compile_checked(result: FileRewrite, source: bytes, path: str) -> FileRewrite:
    """`result`, marked `compiled` when its text compiles. A text CPython refuses as
    nested too deeply cannot be written: either the file never compiled, or the
    rewrite made it deeper than Python allows (a longer dotted name in a chain at the
    limit)."""
    assert result.new_bytes is not None
    refusal = depth.python_refusal(result.new_bytes)
    if refusal is None:
        result.compiled = True
    elif refusal.nesting_limit:
        before = depth.python_refusal(source)
        if before is not None:
            return FileRewrite(path, None, error=before.message)
        return too_deep(path, depth.TooDeep(depth.nesting(result.new_bytes)))
    return result


@dataclass(frozen=True)
class RewriteComparison:
    """Both rewrites of one file. The statement-level one must agree with libcst on the
    whole file in every byte, count and problem, wherever the whole file is not too
    deep for libcst (there, only the statements that change can be rewritten)."""

    whole_file: FileRewrite
    by_statement: FileRewrite

    @property
    def agree(self) -> bool:
        if self.whole_file.too_deep_at is not None:
            return True
        return _outcome(self.whole_file) == _outcome(self.by_statement)

    def explain(self) -> str:
        return f"whole file={self.whole_file!r}\n  by statement={self.by_statement!r}"[:3000]


def compare_rewrites(source: bytes, context: FileContext, state: RewriteState, *,
                     parses: bool = False) -> RewriteComparison:
    """Rewrite one file both ways (for the tests and `benchmarks.crosscheck`)."""
    return RewriteComparison(rewrite_python(source, context, state.resolver),
                             rewrite_file(source, context, state, parses=parses))


def _outcome(result: FileRewrite) -> tuple[bytes | None, int, int, list[str]]:
    return (result.new_bytes, result.changed_imports, result.changed_strings,
            sorted(result.problems))


def _import_may_change(node: ast.Import | ast.ImportFrom, context: FileContext,
                       resolver: Resolver) -> bool:
    if isinstance(node, ast.Import):
        return any(resolver.is_moved(alias.name) for alias in node.names)
    if node.level:
        return relative_import_may_change(node.level, node.module or "", context,
                                          resolver.sources)
    module = node.module or ""
    if resolver.is_moved(module):
        return True
    return any(alias.name != "*" and resolver.is_moved(f"{module}.{alias.name}")
               for alias in node.names)


# -- the pieces of a file that can be rewritten on their own --------------------------------


@dataclass
class StatementSpan:
    """A piece of a file the transformers can see alone: whole lines of simple
    statements, or one header expression of a compound statement (a decorator, a base
    class, an `if` test...; the statements of its body are spans of their own)."""

    start: int
    end: int
    """Byte offsets in the file."""
    is_header: bool
    supported: bool = True
    """False where rewriting the span alone could differ from rewriting the whole file
    (a `match` pattern, a docstring sharing its line, a statement after `if x:`)."""
    docstring_only: bool = False
    wanted: bool = False
    """It holds something that may change: it goes to the transformers."""
    expression: ast.AST | None = None
    """A header's expression (`None` for lines of simple statements, and an annotation's:
    a string there is judged by its place, `_strings_alone`)."""


@dataclass
class StatementSpans:
    """Every span of one file, in file order, and the simple statements with the span
    that holds each."""

    spans: list[StatementSpan]
    owners: list[tuple[ast.stmt, StatementSpan]]
    _starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self._starts = [span.start for span in self.spans]

    @classmethod
    def of(cls, tree: ast.Module, source: bytes, line_starts: list[int]) -> StatementSpans:
        found = _StatementWalk(tree)
        spans, owners = _line_spans(found, source, line_starts)
        for node, supported in found.headers:
            start = line_starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
            end = (line_starts[node.end_lineno - 1]  # type: ignore[attr-defined]
                   + node.end_col_offset)  # type: ignore[attr-defined]
            spans.append(StatementSpan(
                start, end, is_header=True, supported=supported,
                expression=None if id(node) in found.annotations else node))
        spans.sort(key=lambda s: (s.start, -s.end))
        return cls(spans, owners)

    def at(self, position: int) -> StatementSpan | None:
        """The innermost span holding the byte at `position`."""
        index = bisect.bisect_right(self._starts, position) - 1
        while index >= 0:
            span = self.spans[index]
            if span.start <= position < span.end:
                return span
            if not span.is_header:
                return None
            index -= 1
        return None

    def want(self, position: int) -> None:
        """The span holding `position` must go to the transformers."""
        span = self.at(position)
        if span is None or span.docstring_only:
            return  # a comment or a docstring: never rewritten
        if not span.supported:
            raise _Unsupported
        span.wanted = True

    def wanted(self) -> list[StatementSpan]:
        return [span for span in self.spans if span.wanted]


class _StatementWalk:
    """A file's simple statements, docstrings and compound-statement headers, found in
    one walk of its `ast`."""

    def __init__(self, tree: ast.Module) -> None:
        self.simple: list[ast.stmt] = []
        self.docstrings: set[int] = set()
        """`id()` of every docstring statement."""
        self.headers: list[tuple[ast.AST, bool]] = []
        """Header expressions, with whether this path may rewrite them."""
        self.annotations: set[int] = set()
        """`id()` of the header expressions that are annotations."""
        self._note_docstring(tree.body)
        self._walk(tree.body)

    def _walk(self, body: list[ast.stmt]) -> None:
        """Every statement, those in blocks included, from a list rather than by
        recursion: each `elif` is a block nested in the one before (3,000 deep in a
        chain CPython compiles)."""
        pending = list(reversed(body))
        while pending:
            statement = pending.pop()
            if not isinstance(statement, _COMPOUND):
                self.simple.append(statement)
                continue
            self._compound(statement)
            for block in reversed(_blocks(statement)):
                pending.extend(reversed(block))

    def _compound(self, statement: ast.stmt) -> None:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = statement.args
            self.annotations.update(
                id(argument.annotation) for argument in (
                    *arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                    arguments.vararg, arguments.kwarg)
                if argument is not None and argument.annotation is not None)
            if statement.returns is not None:
                self.annotations.add(id(statement.returns))
        for node in _header_expressions(statement):
            if node is not None:
                self.headers.append((node, True))
        for node in _headers_beyond_this_path(statement):
            if node is not None:
                self.headers.append((node, False))
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self._note_docstring(statement.body)

    def _note_docstring(self, body: list[ast.stmt]) -> None:
        if body and isinstance(body[0], ast.Expr) and (
                isinstance(body[0].value, ast.JoinedStr) or (
                    isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str))):
            self.docstrings.add(id(body[0]))


def _header_expressions(statement: ast.stmt) -> list[ast.AST | None]:
    """The expressions of a compound statement outside its blocks."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _function_header(statement)
    if isinstance(statement, ast.ClassDef):
        return [*statement.decorator_list, *statement.bases,
                *(keyword.value for keyword in statement.keywords)]
    if isinstance(statement, (ast.If, ast.While)):
        return [statement.test]
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return [statement.target, statement.iter]
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return [part for item in statement.items
                for part in (item.context_expr, item.optional_vars)]
    if isinstance(statement, (ast.Try, ast.TryStar)):
        return [handler.type for handler in statement.handlers]
    if isinstance(statement, ast.Match):
        return [statement.subject]
    return []


def _function_header(statement: ast.FunctionDef | ast.AsyncFunctionDef
                     ) -> list[ast.AST | None]:
    arguments = statement.args
    every_argument = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                      arguments.vararg, arguments.kwarg)
    return [*statement.decorator_list,
            *(argument.annotation for argument in every_argument if argument is not None),
            *arguments.defaults, *arguments.kw_defaults, statement.returns]


def _headers_beyond_this_path(statement: ast.stmt) -> list[ast.AST | None]:
    """`match` patterns and guards, and type parameters: libcst would have to see them in
    their statement to rewrite them as it does the whole file."""
    cases: list[ast.match_case] = getattr(statement, "cases", [])
    parameters: list[ast.AST] = getattr(statement, "type_params", None) or []
    return [*(part for case in cases for part in (case.pattern, case.guard)), *parameters]


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists nested in a compound statement."""
    handlers: list[ast.ExceptHandler] = getattr(statement, "handlers", [])
    cases: list[ast.match_case] = getattr(statement, "cases", [])
    return [*(handler.body for handler in handlers), *(case.body for case in cases),
            *(getattr(statement, name, None) or [] for name in ("body", "orelse", "finalbody"))]


def _line_spans(found: _StatementWalk, source: bytes, line_starts: list[int]
                ) -> tuple[list[StatementSpan], list[tuple[ast.stmt, StatementSpan]]]:
    """Simple statements grouped by the lines they share (`a = 1; b = 2` is one span)."""
    spans: list[StatementSpan] = []
    owners: list[tuple[ast.stmt, StatementSpan]] = []
    current: StatementSpan | None = None
    last_line = 0
    opens_with_docstring = False
    for statement in sorted(found.simple, key=lambda s: (s.lineno, s.col_offset)):
        end_line = statement.end_lineno or statement.lineno
        if current is not None and statement.lineno <= last_line:
            current.end = max(current.end, _line_end(source, line_starts, end_line))
            last_line = max(last_line, end_line)
            current.docstring_only = False
            if opens_with_docstring or id(statement) in found.docstrings:
                current.supported = False  # `"doc"; x = 1`: keep docstring rules exact
        else:
            start = line_starts[statement.lineno - 1]
            indent = source[start: start + statement.col_offset]
            current = StatementSpan(start, _line_end(source, line_starts, end_line),
                                    is_header=False, supported=not indent.strip(b" \t\f"))
            opens_with_docstring = id(statement) in found.docstrings
            current.docstring_only = opens_with_docstring
            last_line = end_line
            spans.append(current)
        owners.append((statement, current))
    return spans, owners


def _line_starts(source: bytes) -> list[int]:
    starts = [0]
    position = source.find(b"\n")
    while position >= 0:
        starts.append(position + 1)
        position = source.find(b"\n", position + 1)
    return starts


def _line_end(source: bytes, line_starts: list[int], line: int) -> int:
    return line_starts[line] if line < len(line_starts) else len(source)


# -- the statement-level rewrite -----------------------------------------------------------


def _rewrite_statements(source: bytes, context: FileContext, state: RewriteState, *,
                        parses: bool = False) -> FileRewrite | None:
    """`None` for a file this path does not read (not UTF-8, line endings neither all LF
    nor all CRLF, or not parsable by CPython): the whole-file rewrite decides, and
    reports the error. A BOM is kept aside and put back. With `parses`, the tree is
    first that of a part of the file holding every statement that can change (`_parts`);
    where something needs the whole tree, the whole file is parsed."""
    bom = _BOM if source.startswith(_BOM) else b""
    text = source[len(bom):]
    newline = _newline_of(text)
    if newline is None:
        return None
    found = _Found.of(text, state)
    for part in _parts(text, found) if parses else ():
        tree = _parse_utf8(text, part)
        if tree is None:
            continue  # a cut inside a string or brackets: the next part knows better
        try:
            return _rewrite_tree(source, bom, text, newline, tree, found, context, state,
                                 whole=False)
        except _WholeTreeNeeded:
            break
    tree = _parse_utf8(text)
    if tree is None:
        return None
    return _rewrite_tree(source, bom, text, newline, tree, found, context, state,
                         whole=True)


class _WholeTreeNeeded(Exception):
    """A file read from the tree of its beginning needs the whole tree after all."""


@dataclass(frozen=True)
class _Found:
    """What the regexes find in a file's text: found once, read by `_parts` and by the
    rewrite from either tree."""

    references: list[re.Match[bytes]]
    """Every dotted name under a moved module (`RewriteState.reference`)."""
    split: bool
    """A reference may be split over pieces of a string (`_may_split_a_reference`)."""
    runs_code: bool
    """The file may hand code to `exec`, `eval` or `compile` (`literals.may_run_code`)."""

    @classmethod
    def of(cls, text: bytes, state: RewriteState) -> _Found:
        return cls(list(state.reference.finditer(text)),
                   _may_split_a_reference(text, state.reference),
                   may_run_code(text))


_STATEMENT_LINE = re.compile(
    rb"\n([ \t]*)(?=[^ \t\f\r\n#)\]}.])(?!(?:else|elif|except|finally)(?![\w.]))")
"""A line that can open a statement: not blank, not a comment, not the closing bracket
or the `.method()` of an expression laid out on several lines, not the next clause of a
compound statement. Its indentation is group 1. (It may also be a line inside a string
or brackets: the text cut there does not parse, and the whole file is parsed instead.)"""
_IMPORT_WORD = re.compile(rb"i(?<![\w.]i)mport(?![\w])")
_WORTH_CUTTING = 0.8
"""A file is parsed in part only when the part is at most this share of it."""
_LINES_TRIED = 50


def _parts(text: bytes, found: _Found) -> Iterator[bytes]:
    """The parts of a file CPython may parse in its stead, each holding every statement
    that can change, the next tried only where one does not parse (a cut can leave a
    `try` without its `except`): the file without its top-level statements that cannot
    change and without its end (`_sparse`), the same with the whole of the last of
    them, else its beginning alone (`_prefix`). None where the whole file must be read:
    it may hand code to `exec` (the literal it runs being anywhere), hold a reference
    split over pieces of a string, or a null byte."""
    if b"\0" in text or found.runs_code or found.split:
        return
    spots = _spots(text, found)
    if _LEXED:
        cut = next(_cuts(text, spots), None)
        sparse = _sparse(text, spots, cut)
        if sparse is not None:
            yield sparse
            whole_last = _sparse(text, spots, None) if cut is not None else None
            if whole_last is not None and whole_last != sparse:
                yield whole_last
            return
    end = _prefix(text, found, spots)
    if end is not None:
        yield text[:end]


def _spots(text: bytes, found: _Found) -> list[tuple[int, int]]:
    """Where the file holds something that can change, in order: every import statement
    (what `_want_changing_imports`, `_plain_import_roots` and the neighbours
    `_refuse_joins` looks at read) and every name the reference regex finds."""
    return sorted([*(match.span() for match in found.references),
                   *(match.span() for match in _IMPORT_WORD.finditer(text))])


def _prefix(text: bytes, found: _Found, spots: list[tuple[int, int]] | None = None
            ) -> int | None:
    """Where the file can be cut and still hold every statement that can change
    (`_spots`): the first of `_cuts` that ends whole statements, outside strings and
    brackets (checked with `_STRING_OR_COMMENT` where this Python reads strings as it
    does), where what it leaves out nests as CPython takes. `None`: parse the whole
    file (see `_parts`; or the cut would save little)."""
    if b"\0" in text or found.runs_code or found.split:
        return None
    for end in _cuts(text, _spots(text, found) if spots is None else spots):
        if _LEXED and not _cut_between_statements(text, 0, end):
            continue
        return None if syntax.near_parser_limits(text, end) else end
    return None


def _cuts(text: bytes, spots: list[tuple[int, int]]) -> Iterator[int]:
    """The places after the last of `spots` to try as the end of a file's beginning to
    parse: the start of each line that opens a statement no deeper than the last spot's
    and does not open a block's body (a module cut there parses: the blocks it leaves
    open end with it); only in the file's first `_WORTH_CUTTING`, within
    `_LINES_TRIED` lines."""
    last = max((end for _, end in spots), default=0)
    start = text.rfind(b"\n", 0, last) + 1
    indent = len(text[start:last]) - len(text[start:last].lstrip(b" \t"))
    for tried, line in enumerate(_STATEMENT_LINE.finditer(text, last)):
        if line.end() > _WORTH_CUTTING * len(text) or tried == _LINES_TRIED:
            return
        before = text[max(0, line.start() - 200):line.start()].rstrip()
        if len(line.group(1)) <= indent and not before.endswith(b":"):
            yield line.start() + 1  # (not the first line of a block: it would be empty)


def _cut_between_statements(text: bytes, start: int, end: int) -> bool:
    """Whether the text from `start` (a statement's start) to `end` ends with whole
    statements: `end` is outside strings and brackets, continues no line, and follows
    no decorator."""
    before = text[max(start, end - 200):end].rstrip()
    last_line = before[before.rfind(b"\n") + 1:].lstrip(b" \t\f")
    return not last_line.startswith(b"@") and _in_code(text, start, end)


_STRING_OR_COMMENT = re.compile(
    rb"#[^\n]*+"
    rb'|"""[^"\\]*+(?:(?:\\.|"(?!""))[^"\\]*+)*+"""'
    rb"|'''[^'\\]*+(?:(?:\\.|'(?!''))[^'\\]*+)*+'''"
    rb'|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"'
    rb"|'[^'\\\n]*+(?:\\.[^'\\\n]*+)*+'",
    re.DOTALL)
"""A comment or a string literal, whole (its prefix letters, which do not change where
it ends, left out), as Python up to 3.11 reads them: an f-string cannot hold its own
quote (3.12 lets it)."""
_STARTS_WITH_CODE = re.compile(rb"[^ \t\f\r\n#]")
_OPENING = bytes.maketrans(b"([{", b"(((")
_NOT_OPENING_OR_CLOSING = bytes(set(range(256)) - set(b"([{)]}"))
_LEXED = sys.version_info[:2] <= (3, 11)
"""`_STRING_OR_COMMENT` reads strings as this Python does (up to 3.11): the parts
(`_sparse`) and the cuts (`_prefix`) are checked with it."""


def _sparse(text: bytes, spots: list[tuple[int, int]], end: int | None) -> bytes | None:
    """The file as CPython should read it to rewrite it: the top-level statements that
    hold something that can change (`_spots`) and the first one (the module's docstring
    is the first statement), each where it is, every other line blank, nothing after the
    last of them, nor after `end` (`_cuts`'s first, when it falls in the last of them
    and ends whole statements). A large class or function among them keeps only its
    header, its first statement and the statements of its body that hold a spot
    (`_body_parts`). `None`: parse the whole file (where it would save little). A
    statement's start is a line at the margin outside strings, comments and brackets
    (`_top_level_starts`); what is left out is looked at for nesting CPython refuses and
    ruff does not (`syntax.near_parser_limits`)."""
    hits = [start for start, _ in spots]
    if not hits:
        return None
    starts = _top_level_starts(text, hits[-1])
    # The first statement, whose start may follow comments (the file's start is one).
    first = 1 if _STARTS_WITH_CODE.match(text) else 2
    parts: list[tuple[int, int]] = [(0, starts[first] if len(starts) > first else len(text))]
    by_statement: dict[int, list[int]] = {}
    for hit in hits:
        by_statement.setdefault(bisect.bisect_right(starts, hit) - 1, []).append(hit)
    for index, inside in by_statement.items():
        stop = starts[index + 1] if index + 1 < len(starts) else len(text)
        parts += _body_parts(text, starts[index], stop, inside)
    kept: list[tuple[int, int]] = []
    for start, stop in sorted(parts):
        if kept and start <= kept[-1][1]:
            kept[-1] = (kept[-1][0], max(stop, kept[-1][1]))
        else:
            kept.append((start, stop))
    if end is not None and kept[-1][0] < end < kept[-1][1] \
            and _cut_between_statements(text, kept[-1][0], end):
        kept[-1] = (kept[-1][0], end)
    if sum(stop - start for start, stop in kept) > _WORTH_CUTTING * len(text):
        return None
    pieces: list[bytes] = []
    skipped: list[bytes] = []
    done = 0
    for start, stop in kept:
        gap = text[done:start]
        skipped.append(gap)
        pieces += [b"\n" * gap.count(b"\n"), text[start:stop]]
        done = stop
    skipped.append(text[done:])
    if syntax.near_parser_limits(b"\n".join(skipped)):
        return None
    return b"".join(pieces)


_SPLIT_FROM = 2_000
"""A class or function this long (bytes) or longer is kept in parts (`_body_parts`)."""
_BODY_LEVELS = 2
"""How deep `_body_parts` goes: a class's methods, and their statements."""
_BLOCK_HEADER = re.compile(rb"(?:class|def|async[ \t\f]+def)[ \t\f]")
_CODE_LINE = re.compile(rb"\n(?=[ \t\f]*[^ \t\f\r\n#])")
_LEAD = re.compile(rb"[ \t\f]*")


def _body_parts(text: bytes, start: int, stop: int, hits: list[int],
                levels: int = _BODY_LEVELS) -> list[tuple[int, int]]:
    """The statement from `start` to `stop`, holding `hits`, as the stretches CPython
    must read of it: when it is a large class or function (decorated or not), its
    header with its body's first statement, and each statement of its body holding a
    hit (itself in parts, `levels` deep); else the whole statement. The body's
    statements start on lines indented as its first, outside strings, comments and
    brackets, not continuing a line nor following a decorator; a body kept in part
    still holds a statement, and every statement kept is whole."""
    whole = [(start, stop)]
    if levels == 0 or stop - start < _SPLIT_FROM:
        return whole
    scan = _CodeScan(text, start)
    line: int | None = start
    while line is not None and text.startswith(b"@", _code_start(text, line)):
        line = _next_code_line(text, scan, line, stop)  # (past a decorator)
    if line is None:
        return whole
    header = _code_start(text, line)
    if not _BLOCK_HEADER.match(text, header):
        return whole
    body = _next_code_line(text, scan, line, stop)
    if body is None:
        return whole
    indent = text[body:_code_start(text, body)]
    if len(indent) <= header - line or not indent.startswith(text[line:header]):
        return whole  # a block on one line: what follows is not its body
    starts = _statement_starts(text, scan, indent, body, stop)
    ends = [*starts[1:], stop]
    parts = [(start, ends[0])]
    by_statement: dict[int, list[int]] = {}
    for hit in hits:
        index = bisect.bisect_right(starts, hit) - 1
        if index > 0:
            by_statement.setdefault(index, []).append(hit)
    for index, inside in by_statement.items():
        parts += _body_parts(text, starts[index], ends[index], inside, levels - 1)
    return parts


def _next_code_line(text: bytes, scan: _CodeScan, line: int, stop: int) -> int | None:
    """The start of the first line after the one starting at `line` that starts a
    logical line (code, outside strings and brackets, not a continuation), before
    `stop`; `scan` is read forward."""
    for found in _CODE_LINE.finditer(text, line, stop):
        at = found.end()
        if at < stop and scan.outside_brackets_at(at) and not _continues(text, at):
            return at
    return None


def _code_start(text: bytes, line: int) -> int:
    """Where the code of the line starting at `line` begins, after its indentation."""
    indented = _LEAD.match(text, line)
    return indented.end() if indented else line


@functools.lru_cache(maxsize=64)
def _body_line(indent: bytes) -> re.Pattern[bytes]:
    """A line indented as `indent` that can open a statement (a decorator too): not the
    next clause of a compound statement, nor (at a glance) a line inside brackets. With
    no indentation: a statement of the module."""
    indent = re.escape(indent)
    return re.compile(rb"\n(?=" + indent + rb"[^ \t\f\r\n#)\]}.\\])"
                      rb"(?!" + indent + rb"(?:else|elif|except|finally)(?![\w.]))")


def _top_level_starts(text: bytes, last: int) -> list[int]:
    """Where the module's statements start, in order, from the file's start to the
    first one after `last`: lines at the margin (`_body_line`) outside strings and
    comments (`_STRING_OR_COMMENT`) and brackets, not continuing a line (a backslash at
    its end) nor following a decorator."""
    return _statement_starts(text, _CodeScan(text, 0), b"", 0, len(text), last)


def _statement_starts(text: bytes, scan: _CodeScan, indent: bytes, first: int, stop: int,
                      last: int | None = None) -> list[int]:
    """Where the statements indented as `indent` start, from the one at `first` to
    `stop` (or to the first after `last`): lines so indented (`_body_line`) outside
    strings, comments and brackets (`scan`, read forward), not continuing a line nor
    following a decorator."""
    starts = [first]
    previous = text[first + len(indent):first + len(indent) + 1]
    for found in _body_line(indent).finditer(text, first, stop):
        at = found.end()
        if not scan.outside_brackets_at(at):
            continue
        decorated = previous == b"@"
        previous = text[at + len(indent):at + len(indent) + 1]
        if decorated or _continues(text, at):
            continue
        starts.append(at)
        if last is not None and at > last:
            break
    return starts


def _in_code(text: bytes, start: int, end: int) -> bool:
    """Whether the line starting at `end` is outside strings and brackets, and does not
    continue the line before; `start`: a statement's start before it."""
    return _CodeScan(text, start).outside_brackets_at(end) and not _continues(text, end)


def _continues(text: bytes, line_start: int) -> bool:
    """Whether the line starting at `line_start` continues the one before (a backslash
    ends it)."""
    return text.endswith((b"\\", b"\\\r"), 0, line_start - 1)


class _CodeScan:
    """The strings and comments of a text, and the brackets its code leaves open, read
    forward from a statement's start, one position after another."""

    def __init__(self, text: bytes, start: int) -> None:
        self.text = text
        self.tokens = _STRING_OR_COMMENT.finditer(text, start)
        self.token = next(self.tokens, None)
        self.counted = start
        self.depth = 0
        """Brackets the code (not strings, not comments) opens before `counted`."""

    def outside_brackets_at(self, position: int) -> bool:
        """Whether `position` (after the ones asked before) is in code, every bracket
        closed: not inside a string, a comment or brackets."""
        token = self.token
        while token is not None and token.end() <= position:
            self.depth += _bracket_balance(self.text[self.counted:token.start()])
            self.counted = token.end()
            token = self.token = next(self.tokens, None)
        if token is not None and token.start() < position:
            return False  # inside a string
        self.depth += _bracket_balance(self.text[self.counted:position])
        self.counted = position
        return not self.depth


def _bracket_balance(code: bytes) -> int:
    """How many more brackets `code` opens than it closes."""
    brackets = code.translate(_OPENING, _NOT_OPENING_OR_CLOSING)
    opened = brackets.count(b"(")
    return opened - (len(brackets) - opened)


def _rewrite_tree(source: bytes, bom: bytes, text: bytes, newline: str, tree: ast.Module,
                  found: _Found, context: FileContext, state: RewriteState, *, whole: bool
                  ) -> FileRewrite:
    """The statement-level rewrite from the file's tree (`whole`: of all of it, else of
    a part holding every statement that can change: `_parts`)."""
    resolver = state.resolver
    line_starts = _line_starts(text)
    spans = StatementSpans.of(tree, text, line_starts)
    roots = _plain_import_roots(tree, spans, resolver)
    if not whole and roots & resolver.source_roots:
        # The uses of `import a` (`a.b.x`, also written as no regex sees them whole), and
        # whether a moved `import a.b.c` leaves a use of `a.b` without its import, are
        # questions on the whole file.
        raise _WholeTreeNeeded
    _want_plain_import_uses(tree, roots, spans, line_starts, resolver)
    _want_changing_imports(spans, context, resolver)
    for match in found.references:
        spans.want(match.start())
    if found.split:
        _want_split_references(tree, spans, line_starts, resolver)
    if found.runs_code:
        _want_code_strings(text, tree, spans, line_starts, resolver)
    wanted = spans.wanted()
    if not wanted:
        return FileRewrite(context.path, source,
                           problems=built_at_run_time(context.path, source, resolver))
    if any(resolver.is_moved(root) for root in roots):
        raise _Unsupported
    batch = _Batch.of(text, wanted, roots, newline)
    textual = not (roots & resolver.source_roots or resolver.later or resolver.earlier
                   or resolver.origin)
    statements_of: dict[int, list[ast.stmt]] = {}
    for statement, owner in spans.owners:
        statements_of.setdefault(id(owner), []).append(statement)
    plain = [_from_import(span_text, statements_of.get(id(span), []), resolver)
             if textual else None for span, span_text in zip(wanted, batch.texts, strict=True)]
    plain_changed = sum(new is not None and new != old for new, old in zip(plain, batch.texts,
                                                                         strict=True))
    literals = DottedStringRewriter(resolver, context=context)
    """What the spans rewritten without libcst did to their string literals."""
    if textual and not found.runs_code:
        _rewrite_strings_alone(text, statements_of, wanted, plain, line_starts, literals)
    changed = any(new is not None and new != old for new, old in zip(plain, batch.texts,
                                                                     strict=True))
    rest = [span for span, new in zip(wanted, plain, strict=True) if new is None]
    if not rest:
        # Nothing but `from a.b import c, d` lines and statements whose strings are judged
        # by their text (`_strings_alone`): the rewrite libcst would make is made here.
        new_code = batch.code_of([new for new in plain if new is not None]) \
            if changed else None
        return FileRewrite(
            context.path, bom + batch.splice(text, new_code), changed_imports=plain_changed,
            changed_strings=literals.changed,
            problems=review_notes(context.path, source, None, literals),
            compiled=state.compile_check and new_code is not None and batch.changes_compile(
                new_code))
    # libcst rewrites the other spans (alone: what it does to each span is the same).
    others = batch if len(rest) == len(wanted) else _Batch.of(text, rest, roots, newline)
    run_imports, run_strings = _transformers_to_run(spans, roots, {id(span) for span in rest})

    def transform() -> tuple[str | None, ImportRewriter, DottedStringRewriter]:
        imports = ImportRewriter(context, resolver)
        strings = DottedStringRewriter(resolver, context=context)
        run: list[cst.CSTTransformer] = [imports] if run_imports else []
        run += [strings] if run_strings else []
        return others.transform(run), imports, strings

    others_code, imports, strings = depth.call(transform, others.nesting(line_starts),
                                               context.path)
    if others_code is not None and imports.changed_imports:
        _refuse_joins(spans, others, others.outputs(others_code), resolver, context)
    new_code = others_code
    if others is not batch and (others_code is not None or changed):
        outputs = iter(others.outputs(others_code) if others_code is not None else others.texts)
        new_code = batch.code_of([next(outputs) if new is None else new for new in plain])
    strings.absorb(literals)
    changed_imports = imports.changed_imports + plain_changed
    return FileRewrite(
        context.path, bom + batch.splice(text, new_code),
        changed_imports=changed_imports + strings.code_imports
        + (1 if imports.changed_uses and not changed_imports else 0),
        changed_strings=strings.changed,
        problems=review_notes(context.path, source, imports, strings),
        compiled=state.compile_check and new_code is not None and batch.changes_compile(
            new_code))


_STRING_OPENING = re.compile(r"([A-Za-z]{0,2})('\'\'|\"\"\"|'|\")")
_ESCAPED = re.compile(r"\\.", re.DOTALL)


def _rewrite_strings_alone(text: bytes, statements_of: dict[int, list[ast.stmt]],
                           wanted: list[StatementSpan], new_texts: list[str | None],
                           line_starts: list[int], literals: DottedStringRewriter) -> None:
    """`new_texts[i]` for each wanted span `_strings_alone` rewrites, where it is `None`
    (the span not rewritten yet); `statements_of`: each span's simple statements, by
    its `id()`."""
    for index, span in enumerate(wanted):
        if new_texts[index] is None:
            nodes: list[ast.AST] = ([span.expression] if span.expression is not None
                                    else [] if span.is_header  # (an annotation)
                                    else list(statements_of.get(id(span), [])))
            if nodes:
                new_texts[index] = _strings_alone(text, span, nodes, line_starts, literals)


def _strings_alone(text: bytes, span: StatementSpan, nodes: list[ast.AST],
                   line_starts: list[int], literals: DottedStringRewriter) -> str | None:
    """The span's new text, its string literals rewritten by the string rewriter's rules
    (`DottedStringRewriter.literal_value`) without libcst, where nothing around them
    changes how it judges them (`_judged_by_their_text`), each one literal (not two
    side by side, judged as one string). `None` (libcst rewrites the span) where not:
    then nothing here was counted."""
    judged = _judged_by_their_text(nodes)
    if judged is None:
        return None
    found, keys = judged
    written: list[tuple[int, int, str, str, str, bool]] = []
    for node in found:
        start = line_starts[node.lineno - 1] + node.col_offset
        end = line_starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[operator]
        literal = _one_literal(text[start:end].decode("utf-8"))
        if literal is None:
            return None
        written.append((start, end, *literal, id(node) in keys))
    pieces: list[bytes] = []
    done = span.start
    for start, end, prefix, quote, raw, key in sorted(written):
        value = literals.literal_value(raw, prefix, quote, key=key)
        if value is not None:
            pieces += [text[done:start], value.encode("utf-8")]
            done = end
    return (b"".join(pieces) + text[done:span.end]).decode("utf-8")


def _judged_by_their_text(nodes: list[ast.AST]
                          ) -> tuple[list[ast.Constant], set[int]] | None:
    """The string literals of `nodes` (the simple statements of a span, or a header's
    expression that is not an annotation) and the `id()` of those that are a
    dictionary's key (rewritten as any, and listed), when the string rewriter judges
    each by its text alone: no import (the import rewriter's), no annotation (a string
    there names the module as the code does), no f-string, no comparison with a literal
    (`__name__ == "a.b"`), no `sys.modules[...]`, no call of a function whose arguments
    it judges by their place (`getLogger`, `import_module`, `exec`...). `None` where one
    stands among them."""
    found: list[ast.Constant] = []
    keys: set[int] = set()
    for top in nodes:
        if isinstance(top, ast.stmt) and not isinstance(top, _PLAIN_STATEMENTS):
            return None
        for node in ast.walk(top):
            if isinstance(node, ast.Constant):
                if isinstance(node.value, str):
                    found.append(node)
            elif isinstance(node, ast.JoinedStr):
                return None
            elif isinstance(node, ast.Compare):
                if any(isinstance(operand, ast.Constant) and isinstance(operand.value, str)
                       for operand in (node.left, *node.comparators)):
                    return None
            elif isinstance(node, ast.Subscript):
                if _dotted_ast(node.value) in ("sys.modules", "modules"):
                    return None
            elif isinstance(node, ast.Call):
                function = node.func
                name = (function.attr if isinstance(function, ast.Attribute)
                        else function.id if isinstance(function, ast.Name) else None)
                if name in PLACED_BY_CALL:
                    return None
            elif isinstance(node, ast.Dict):
                keys.update(id(key) for key in node.keys if key is not None)
    return found, keys


def _one_literal(token: str) -> tuple[str, str, str] | None:
    """A string literal's prefix, quote and text between its quotes (libcst's
    `raw_value`), or `None` where `token` is several literals side by side."""
    opening = _STRING_OPENING.match(token)
    if opening is None:
        return None
    prefix, quote = opening.groups()
    raw = token[opening.end():len(token) - len(quote)]
    if not token.endswith(quote) or len(token) - len(quote) < opening.end() \
            or quote in _ESCAPED.sub("", raw):
        return None
    return prefix, quote, raw


_PLAIN_STATEMENTS = (ast.Expr, ast.Assign, ast.AugAssign, ast.Return, ast.Delete, ast.Pass,
                     ast.Break, ast.Continue, ast.Raise, ast.Assert, ast.Global, ast.Nonlocal)
"""The simple statements `_judged_by_their_text` reads (not imports, annotated
assignments, nor any statement a later Python adds)."""


def _refuse_joins(spans: StatementSpans, batch: _Batch, new_texts: list[str],
                  resolver: Resolver, context: FileContext) -> None:
    """The whole-file rewrite joins a changed `from` import with the line beside it that
    holds what an earlier part of the plan split off the same statement
    (`ImportRewriter._merge_adjacent`); this path sees each statement alone, so such a
    file goes whole (`_Unsupported`)."""
    if not resolver.earlier:
        return
    changed = {id(span): new for span, old, new in zip(batch.spans, batch.texts, new_texts,
                                                        strict=True) if new != old}
    if not changed:
        return
    simple = [statement for statement, _ in spans.owners]
    span_of = {id(statement): span for statement, span in spans.owners}
    for index, statement in enumerate(simple):
        span = span_of[id(statement)]
        if id(span) not in changed or not isinstance(statement, ast.ImportFrom):
            continue
        mine = _from_modules(changed[id(span)])
        for neighbour, mine_end, their_end in (
                (simple[index - 1] if index else None, 0, -1),
                (simple[index + 1] if index + 1 < len(simple) else None, -1, 0)):
            if not isinstance(neighbour, ast.ImportFrom) or not _beside(statement, neighbour):
                continue
            their_span = span_of[id(neighbour)]
            if their_span is span:
                continue  # one line holding both (`a; b`): never joined
            theirs = (_from_modules(changed[id(their_span)]) if id(their_span) in changed
                      else _from_modules_of([neighbour]))
            if not mine or not theirs or mine[mine_end] is None \
                    or mine[mine_end] != theirs[their_end]:
                continue
            if _from_one_statement(statement, neighbour, resolver, context):
                raise _Unsupported


def _from_one_statement(mine: ast.ImportFrom, theirs: ast.ImportFrom, resolver: Resolver,
                        context: FileContext) -> bool:
    """As `ImportRewriter._may_join`: the two come from one statement, and one holds
    what an earlier part split off it."""
    found = []
    original: tuple[str, ...] = ()
    first, second = (mine, theirs) if mine.lineno < theirs.lineno else (theirs, mine)
    for statement in (first, second):
        module = _absolute_ast(statement, context.package)
        if module is None:
            return False
        imported = [alias.name for alias in statement.names]
        found.append(pieces_of(module, imported, resolver))
        original += originally(resolver, module, imported)
    (origins_a, earlier_a), (origins_b, earlier_b) = found
    return bool(origins_a & origins_b) and (earlier_a or earlier_b) and imported_together(
        resolver, context, original)


def _absolute_ast(statement: ast.ImportFrom, package: str | None) -> str | None:
    return absolute_module(statement.level, statement.module or "", package)


def _beside(a: ast.stmt, b: ast.stmt) -> bool:
    """Two statements of one block on consecutive lines (either order)."""
    first, second = (a, b) if a.lineno < b.lineno else (b, a)
    return (first.end_lineno is not None and first.end_lineno + 1 == second.lineno
            and first.col_offset == second.col_offset)


def _from_modules(text: str) -> list[tuple[int, str] | None]:
    """(level, module) of each statement of a span's new text (`None`: not a `from`
    import, or a star import)."""
    try:
        tree = ast.parse("if True:\n" + text if text[:1] in " \t" else text)
    except SyntaxError:
        raise _Unsupported from None
    body = tree.body[0].body if text[:1] in " \t" else tree.body  # type: ignore[attr-defined]
    return _from_modules_of(body)


def _from_modules_of(statements: list[ast.stmt]) -> list[tuple[int, str] | None]:
    return [(s.level, s.module or "") if isinstance(s, ast.ImportFrom)
            and not any(alias.name == "*" for alias in s.names) else None
            for s in statements]


def _newline_of(text: bytes) -> str | None:
    """The line ending of a file whose lines all end alike: what libcst takes as the
    file's own (it ends the lines it adds with it). `None` for mixed or lone-CR endings."""
    returns = text.count(b"\r")
    if not returns:
        return "\n"
    if returns == text.count(b"\r\n") == text.count(b"\n"):
        return "\r\n"
    return None


def _parse_utf8(text: bytes, part: bytes | None = None) -> ast.Module | None:
    """The tree of a UTF-8 file (of `part` of it, `_parts`: the file decodes whole);
    `None` for another encoding or what CPython refuses (nested past its limits too:
    RecursionError, MemoryError)."""
    if syntax.declares_another_encoding(text):
        return None
    try:
        text.decode("utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text if part is None else part)
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return None


def _plain_import_roots(tree: ast.Module, spans: StatementSpans, resolver: Resolver
                        ) -> set[str]:
    """The roots of the file's `import a.b` statements (the import transformer rewrites
    the `a.b.x` uses of them)."""
    roots: set[str] = set()
    plain: set[str] = set()
    for statement, _span in spans.owners:
        if not isinstance(statement, ast.Import):
            continue
        for alias in statement.names:
            if alias.asname is None:
                new = resolver.new_name(alias.name)
                if new != alias.name and new.split(".")[0] != alias.name.split(".")[0]:
                    raise _Unsupported  # the file-wide aliasing decision
                roots.add(alias.name.split(".")[0])
                plain.add(alias.name)
    if any(resolver.is_moved(name) for name in plain) and implicit_parent_imports(
            plain, _chains(tree), resolver):
        raise _Unsupported  # `import a.b.c` no longer brings `a.b`, which the file uses
    return roots


_JOINS = re.compile(rb"""["'][ \t]*(?:\\?\r?\n[ \t]*)*[rRbBuUfF]{0,2}["']|\\\r?\n""")
"""Where Python joins two pieces of one string: two literals side by side (`"a" "b"`, or
across lines in brackets: an implicit concatenation), or a backslash ending a line inside
a literal. Found anywhere (in code, in comments, inside other strings) it is only a
place where a reference *may* be split."""


_JOIN_CLASSES = bytes.maketrans(
    b"\"'\\\r\n \t" + string.ascii_letters.encode() + string.digits.encode() + b"_.",
    b"qqbrnss" + b"a" * (len(string.ascii_letters) + len(string.digits) + 2))
"""Each byte as the class `_JOINS` reads it in: `a` a byte of a dotted name (a string's
prefix letters too), `q` a quote, `s` a blank, `b` a backslash, `r` and `n` the line
break's, and the rest as it is (none of those letters)."""
_QUOTES_JOINED = rb"qs*(?:b?r?ns*)*a{0,2}q"
_LINES_JOINED = rb"br?n"
_NAME_JOINED = tuple(
    re.compile(before + first + rb"(?:" + _QUOTES_JOINED + rb"|" + _LINES_JOINED
               + rb")*(?=[ab])")
    for before in (b"a", b"b") for first in (_QUOTES_JOINED, _LINES_JOINED))
"""Joins, one or more in a row, between two bytes a reference can hold (a name's, or
the backslash of an escaped dot: `pkg\\.mod`), over the classes (`_JOIN_CLASSES`);
each regex opens with two literal bytes, which `re` looks for fast."""


def _may_join_a_name(text: bytes) -> bool:
    """Whether `_JOINS` may join two pieces of a reference: a run of its joins with a
    byte a reference can hold on either side. Where a reference crosses a join, the
    bytes around the run of joins it crosses are the reference's; so where there is no
    such run, no reference is split (`_may_split_a_reference`), and the file needs no
    split (0.2 s on Django's candidates, the regex tried at every quote; most files have
    joins, as every `\"\"\"` holds one, few between two such bytes)."""
    classes = text.translate(_JOIN_CLASSES)
    return any(pattern.search(classes) for pattern in _NAME_JOINED)


def _may_split_a_reference(text: bytes, reference: re.Pattern[bytes]) -> bool:
    """Whether a string of the file may hold a reference that no piece of it holds whole:
    the reference regex finds, in the text with every join removed, a name across a join.
    When not, every string that is a reference holds it whole in one piece, where the
    regex finds it anyway, and the file's strings need no walk (`_want_split_references`,
    most of the time this path took on Django: nearly every file has a `\"\"\"`). The
    string rewriter judges a string by its source text (libcst's `raw_value`, escapes as
    written), so the source text is what is searched here too. A join no reference can
    cross is told first (`_may_join_a_name`)."""
    if not _may_join_a_name(text):
        return False
    pieces = _JOINS.split(text)
    if len(pieces) == 1:
        return False
    joins = list(itertools.accumulate(map(len, pieces[:-1])))
    """Where each removed join was, in the joined text."""
    for match in reference.finditer(b"".join(pieces)):
        after = bisect.bisect_right(joins, match.start())
        if after < len(joins) and joins[after] < match.end():
            return True
    return False


def _want_split_references(tree: ast.Module, spans: StatementSpans, line_starts: list[int],
                           resolver: Resolver) -> None:
    """Every string whose whole value (concatenated, as the string rewriter judges it)
    is a reference to a moved module: `"app.core." "db.Engine"` names nothing moved in
    any one piece."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = DOTTED_REFERENCE.match(node.value)
            if match and resolver.is_moved(match.group("path")):
                spans.want(line_starts[node.lineno - 1] + node.col_offset)


def _want_code_strings(text: bytes, tree: ast.Module, spans: StatementSpans,
                       line_starts: list[int], resolver: Resolver) -> None:
    """Every call giving a string to `exec`, `eval` or `compile`: its code is rewritten
    as code (`codestrings`), whatever the reference regex finds in it. Code given by
    name (`exec(CODE)`) is judged on the whole file, unless no literal the file binds
    to that name could change or be reported (the whole-file rewrite leaves those as
    they are: `DottedStringRewriter._code_string`)."""
    calls, named = codestrings.ast_code_calls(
        tree, codestrings.code_word_lines(text, line_starts))
    if any(_code_may_change(text, literal, line_starts, resolver) for literal in named):
        raise _Unsupported
    for call in calls:
        spans.want(line_starts[call.lineno - 1] + call.col_offset)


def _code_may_change(text: bytes, literal: ast.expr, line_starts: list[int],
                     resolver: Resolver) -> bool:
    """`codestrings.may_change` of a literal's text as written, and of its value."""
    if literal.end_lineno is None or literal.end_col_offset is None:
        return True
    written = text[line_starts[literal.lineno - 1] + literal.col_offset:
                   line_starts[literal.end_lineno - 1] + literal.end_col_offset]
    values = [written.decode("utf-8", "replace")]
    parts = literal.values if isinstance(literal, ast.JoinedStr) else [literal]
    for part in parts:
        if isinstance(part, ast.Constant) and isinstance(part.value, (str, bytes)):
            value = part.value
            values.append(value if isinstance(value, str) else value.decode("utf-8", "replace"))
    return any(codestrings.may_change(value, resolver) for value in values)


def _want_plain_import_uses(tree: ast.Module, roots: set[str], spans: StatementSpans,
                            line_starts: list[int], resolver: Resolver) -> None:
    """Every `a.b.x` use, through a plain `import a.b`, of a moved module."""
    if not roots & resolver.source_roots:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            name = _dotted_ast(node)
            if name and name.split(".")[0] in roots and resolver.is_moved(name):
                spans.want(line_starts[node.lineno - 1] + node.col_offset)


def _want_changing_imports(spans: StatementSpans, context: FileContext,
                           resolver: Resolver) -> None:
    for statement, span in spans.owners:
        if isinstance(statement, (ast.Import, ast.ImportFrom)) and _import_may_change(
                statement, context, resolver):
            if not span.supported:
                raise _Unsupported
            span.wanted = True


def _transformers_to_run(spans: StatementSpans, roots: set[str], batched: set[int]
                         ) -> tuple[bool, bool]:
    """Whether to run the import rewriter and the string rewriter on the spans whose
    `id()` is in `batched`. A transformer that cannot change anything is not run (each
    visits every node): the import rewriter needs an import statement (or a plain
    import's dotted uses), the string rewriter a statement other than an import
    (imports hold no strings)."""
    wanted_imports = wanted_others = False
    for statement, span in spans.owners:
        if id(span) in batched:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                wanted_imports = True
            else:
                wanted_others = True
    wanted_headers = any(id(span) in batched and span.is_header for span in spans.spans)
    return bool(roots or wanted_imports), wanted_others or wanted_headers


@dataclass
class _Batch:
    """The wanted spans of one file in one small module, each after a marker comment:
    one parse and one pass of each transformer per file."""

    prefix: str
    """Binds the plain imports' roots, as the whole file does."""
    spans: list[StatementSpan]
    texts: list[str]
    wrappers: list[tuple[str, str]]
    """What makes each span a statement of its own: `(` `)` around a header expression,
    `if True:` before an indented line."""
    marker: str
    """`_MARKER` ended by the file's line ending."""

    @classmethod
    def of(cls, source: bytes, wanted: list[StatementSpan], roots: set[str],
           newline: str) -> _Batch:
        """`newline`: the file's line ending, which the small module must take as its
        own (libcst ends the lines it adds with the module's)."""
        prefix = f"pass{newline}" + "".join(f"import {root}{newline}" for root in sorted(roots))
        texts = [source[span.start: span.end].decode("utf-8") for span in wanted]
        if _MARKER in prefix or any(_MARKER in text for text in texts):
            raise _Unsupported
        return cls(prefix, wanted, texts,
                   [_wrapper(span, text, newline) for span, text in zip(wanted, texts,
                                                                          strict=True)],
                   _MARKER + newline)

    @property
    def code(self) -> str:
        return self.code_of(self.texts)

    def code_of(self, texts: list[str]) -> str:
        """The batch's code with `texts` for its spans (the form `outputs` reads)."""
        pieces = [self.prefix]
        for text, (opening, closing) in zip(texts, self.wrappers, strict=True):
            pieces += [self.marker, opening, text, closing]
        return "".join(pieces)

    def nesting(self, line_starts: list[int]) -> depth.Nesting:
        """The deepest span's nesting (each is measured alone), at its line in the file;
        the wrapper around a span counts a block more."""
        deepest = depth.Nesting(0, 1)
        for span, text in zip(self.spans, self.texts, strict=True):
            measured = depth.nesting(text)
            if measured.levels + _WRAPPER_LEVELS > deepest.levels:
                first_line = bisect.bisect_right(line_starts, span.start)
                deepest = depth.Nesting(measured.levels + _WRAPPER_LEVELS,
                                        first_line + measured.line - 1, measured.complete)
        return deepest

    def transform(self, transformers: list[cst.CSTTransformer]) -> str | None:
        """The batch's code after the transformers, in order; `None` when they changed
        nothing."""
        try:
            module = cst.parse_module(self.code)
            new_module = module
            for transformer in transformers:
                new_module = new_module.visit(transformer)
        except (cst.ParserSyntaxError, cst.CSTValidationError) as error:
            raise _Unsupported from error
        return None if new_module is module else new_module.code

    def outputs(self, new_code: str) -> list[str]:
        """The new text of each span, in order."""
        outputs = new_code.split(self.marker)
        if len(outputs) != len(self.spans) + 1 or outputs[0] != self.prefix:
            raise _Unsupported
        texts = []
        for (opening, closing), output in zip(self.wrappers, outputs[1:], strict=True):
            if not output.startswith(opening) or not output.endswith(closing):
                raise _Unsupported
            texts.append(output[len(opening): len(output) - len(closing)])
        return texts

    def changes_compile(self, new_code: str) -> bool:
        """Whether the file with the spans changed compiles, judged from those spans
        alone (the file's own compile: about 40 times the text). Each changed span is
        compiled as a statement of its own, in a function where it was indented (where
        `return` and `yield` are at home), its header expression as an expression;
        False (compile the whole file) when that fails or a new span is long enough to
        nest near CPython's limits together with the blocks around it. The rest of the
        file is as it was, and a span's change binds no other name (a plain import
        whose root changes is `_Unsupported`), so a text that compiled still does, and
        one that did not is judged as before by the apply's own check."""
        pieces: list[str] = []
        for span, text, new_text in zip(self.spans, self.texts, self.outputs(new_code),
                                         strict=True):
            if new_text == text:
                continue
            if len(new_text) >= _LONGEST_COMPILED_ALONE:
                return False
            ended = new_text if new_text.endswith("\n") else new_text + "\n"
            if span.is_header:
                pieces.append(f"({new_text}\n)\n")
            elif new_text[:1] in " \t\f":
                pieces.append("def _():\n" + ended)
            else:
                pieces.append(ended)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile("".join(pieces), "<spans>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        return True

    def splice(self, source: bytes, new_code: str | None) -> bytes:
        """`source` with every span that changed replaced by its new text."""
        if new_code is None:
            return source
        pieces: list[bytes] = []
        done = 0
        for span, text, new_text in zip(self.spans, self.texts, self.outputs(new_code),
                                         strict=True):
            if new_text == text:
                continue
            pieces.append(source[done: span.start])
            pieces.append(new_text.encode("utf-8"))
            done = span.end
        return b"".join(pieces) + source[done:] if pieces else source


_FROM_MODULE = re.compile(
    r"(?P<head>[ \t]*from[ \t]+)(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)[ \t]+import(?!\w)",
    re.ASCII)
"""The opening of an absolute `from` import, its module written without blanks."""


def _from_import(text: str, statements: list[ast.stmt], resolver: Resolver) -> str | None:
    """The span rewritten when it is one absolute `from` import (`text` opening with
    `_FROM_MODULE`: no backslash before the module, no blanks inside its name; the
    names as they come, in brackets or not, comments among them) whose names all go to
    one module, as they are named: the import rewriter's work on such a statement, when
    no part of the plan is applied apart (no `later`, no `earlier`), is to put that
    module's name in place of the old (`leave_ImportFrom`: one run, the names as
    written, its brackets, commas and comments kept), and it is the same whatever other
    statements it sees (its prescan does not look into `from` imports). A name that is
    a module goes where the moves take it (`from a import b` with `a.b` moved to `x.b`
    becomes `from x import b`), the others where their module goes. `None`: anything
    else (a relative import, a `*`, names going to several modules or to the top level,
    a module renamed), for libcst. `benchmarks/crosscheck.py` compares this with the
    whole-file rewrite on every file of Django and sympy."""
    if len(statements) != 1 or not isinstance(statements[0], ast.ImportFrom):
        return None
    statement = statements[0]
    module = statement.module
    if statement.level or module is None or any(alias.name == "*" for alias in statement.names):
        return None
    match = _FROM_MODULE.match(text)
    if match is None or match["module"] != module:
        return None
    targets = set()
    for alias in statement.names:
        full = f"{module}.{alias.name}"
        if resolver.is_module(full) and resolver.is_moved(full):
            moved_to = resolver.new_name(full)
            if names.last(moved_to) != alias.name:
                return None  # renamed: imported under its old name
            targets.add(names.parent(moved_to))
        else:
            targets.add(resolver.new_name(module))
    if len(targets) != 1 or "" in targets:
        return None  # split over several modules, or to a top-level module's import
    (target,) = targets
    if target == module:
        return text
    return match["head"] + target + text[match.end("module"):]


_LONGEST_COMPILED_ALONE = 2_000
"""A span this long or longer is compiled in its file: it could hold a chain of some
2,000 operators, which with the blocks around it (up to 100, CPython's limit) may pass
CPython's recursion limit in the file and not alone."""

_WRAPPER_LEVELS = 3
"""What `_wrapper` adds around a span, in `depth.nesting`'s levels (a block)."""


def _wrapper(span: StatementSpan, text: str, newline: str) -> tuple[str, str]:
    if span.is_header:
        return "(", ")" + newline
    indent = text[: len(text) - len(text.lstrip(" \t\f"))]
    return ("if True:" + newline if indent else ""), ("" if text.endswith("\n") else newline)


def _dotted_ast(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _chains(tree: ast.Module) -> set[str]:
    """Every dotted name (and bare name) the file uses outside import statements, as the
    whole-file rewrite's prescan collects them."""
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Attribute):
            name = _dotted_ast(node)
            if name is not None:
                found.add(name)
                continue
        elif isinstance(node, ast.Name):
            found.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return found
