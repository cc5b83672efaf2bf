"""Code given to `exec`, `eval` and `compile` as a string literal.

`exec("import pkg.mod\\n@pkg.mod.deco\\ndef f(): ...")` is code that runs: its imports
and dotted uses must follow the moves with the code around them, or the rewrite breaks
it at run time while the file reads as done. The literal (given directly, through
`textwrap.dedent` or `.strip()`, or through a name bound once to it) is parsed, an
indented one as the body of a block and `eval`'s as an expression, rewritten by the
same transformers as a file (`strings.DottedStringRewriter` drives them), and the
characters that changed are written back into the literal as it is written: its
prefix, quotes and escapes stay. What cannot be done exactly (it does not parse, an
f-string, code built at run time, a relative import the moves change, a change the
literal cannot hold without a new escape) is left as it is and reported when it names
a moved module.
"""

from __future__ import annotations

import ast
import bisect
import difflib
import functools
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

from pyagent_workbench.model import names
from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite import depth, literals, patterns
from pyagent_workbench.rewrite.imports import dotted

CODE_FUNCTIONS = frozenset({"exec", "eval", "compile"})
_CALLED_AS = frozenset({*CODE_FUNCTIONS, *(f"{owner}.{function}" for function in CODE_FUNCTIONS
                                            for owner in ("builtins", "__builtins__"))})
_UNWRAPPING_CALLS = frozenset({"dedent", "textwrap.dedent", "cleandoc", "inspect.cleandoc"})
"""Calls that only change the whitespace of the code they are given."""
_UNWRAPPING_METHODS = frozenset({"strip", "lstrip", "rstrip"})
CODE_LEVELS = depth.SHALLOW
"""Deepest code string rewritten (`depth.nesting` levels): it is parsed inside the
rewrite of its file, on top of that file's own nesting."""
_RELATIVE_HINT = re.compile(r"\bfrom\s+\.")


@dataclass(frozen=True)
class CodeUse:
    """How a string is run as code."""

    function: str
    """`exec`, `eval` or `compile`: named in the review notes."""
    mode: str | None
    """`exec`, `eval` or `single` (`compile`'s third argument); None when not written
    as a literal."""


def code_argument(call: cst.Call) -> tuple[cst.BaseExpression, CodeUse] | None:
    """The code a call of `exec`, `eval` or `compile` runs, as written, with how."""
    name = dotted(call.func)
    if name not in _CALLED_AS or any(arg.star for arg in call.args):
        return None
    function = name.rpartition(".")[2]
    positional = [arg.value for arg in call.args if arg.keyword is None]
    keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    if function != "compile":
        return (positional[0], CodeUse(function, function)) if positional else None
    source = positional[0] if positional else keywords.get("source")
    mode_node = positional[2] if len(positional) > 2 else keywords.get("mode")
    if source is None or mode_node is None:
        return None  # not the builtin (`from re import compile`)
    mode = mode_node.evaluated_value if isinstance(mode_node, cst.SimpleString) else None
    return source, CodeUse(function, mode if mode in ("exec", "eval", "single") else None)


def unwrapped(expression: cst.BaseExpression) -> cst.BaseExpression:
    """`expression` without the calls around it that only change whitespace
    (`textwrap.dedent(...)`, `"...".strip()`)."""
    while isinstance(expression, cst.Call):
        func = expression.func
        if (isinstance(func, cst.Attribute) and func.attr.value in _UNWRAPPING_METHODS
                and not expression.args):
            expression = func.value
        elif (dotted(func) in _UNWRAPPING_CALLS and len(expression.args) == 1
              and expression.args[0].keyword is None and not expression.args[0].star):
            expression = expression.args[0].value
        else:
            break
    return expression


def is_literal(expression: cst.BaseExpression) -> bool:
    return isinstance(expression, (cst.SimpleString, cst.ConcatenatedString,
                                   cst.FormattedString))


def source_of(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


# -- does a code string name a moved module? -----------------------------------------------


def moved_reference(text: str, resolver: Resolver) -> str | None:
    """The first moved module `text` names as written (a dotted name under one, or
    `from <parent> import ... <name>`): the engine's own test of a file."""
    sources = frozenset(resolver.sources)
    match = _reference_pattern(sources).search(text)
    if match is not None:
        return match.group(0)
    for match in _from_parent_pattern(sources).finditer(text):
        name = f"{match.group('parent')}.{match.group('child')}"
        if resolver.is_moved(name):
            return name
    return None


def may_change(text: str, resolver: Resolver) -> bool:
    """Could the rewrite change, or report, code written as `text`?"""
    return moved_reference(text, resolver) is not None or bool(_RELATIVE_HINT.search(text))


@functools.lru_cache(maxsize=8)
def _reference_pattern(sources: frozenset[str]) -> re.Pattern[str]:
    if not sources:
        return re.compile(r"(?!x)x")
    return re.compile(patterns.reference_regex(sources))


@functools.lru_cache(maxsize=8)
def _from_parent_pattern(sources: frozenset[str]) -> re.Pattern[str]:
    """`from <parent> import ... <child>` (the engine's own pattern, on text): the one
    reference form a dotted-name search cannot see. Which child goes with which parent
    is checked on the match."""
    parents = {names.parent(s) for s in sources} - {""}
    if not parents:
        return re.compile(r"(?!x)x")
    children = {names.last(s) for s in sources}
    parent = "|".join(re.escape(p) for p in sorted(parents, key=len, reverse=True))
    child = "|".join(re.escape(c) for c in sorted(children, key=len, reverse=True))
    return re.compile(rf"from\s+(?P<parent>{parent})\s+import\s[^;\n]*?"
                      rf"(?:\([^)]*?)?\b(?P<child>{child})\b")


# -- the literal as written, and back ------------------------------------------------------

_ESCAPES = {"\n": "", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f",
            "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}


@dataclass
class _Piece:
    """One string literal of the code (a piece of an implicit concatenation)."""

    node: cst.SimpleString
    units: list[tuple[int, int, str]]
    """Its text between the quotes cut where its value is: (start, end, the characters
    it stands for). An escape is one unit, a line continuation a unit standing for
    nothing, a line ending a unit standing for `\\n` (as Python reads a file)."""

    @property
    def body(self) -> str:
        return self.node.raw_value

    @property
    def value(self) -> str:
        return "".join(unit[2] for unit in self.units)

    def encoded(self, text: str) -> str | None:
        """`text` as it can stand in this literal without an escape it does not use
        already; None when it cannot (the reason: `refusal`)."""
        written = []
        for char in text:
            if char == "\n" and len(self.node.quote) == 3:
                written.append("\r\n" if "\r\n" in self.body else "\n")
            elif char == "\n" and "r" not in self.node.prefix.lower() and any(
                    value == "\n" and self.body[start] == "\\"
                    for start, _, value in self.units):
                written.append("\\n")
            elif char == "\t" or (" " <= char <= "~" and char != "\\"
                                   and char not in self.node.quote):
                written.append(char)
            else:
                return None
        return "".join(written)

    def refusal(self, text: str) -> str:
        char = next(c for c in text if self.encoded(c) is None)
        what = {"\n": "a line break", "\\": "a backslash"}.get(char)
        if what is None:
            what = "a quote" if char in self.node.quote else f"the character {char!r}"
        return f"{what} written into the literal, which would take an escape it does not use"


def _units(body: str, raw: bool) -> list[tuple[int, int, str]]:
    units = []
    position = 0
    while position < len(body):
        char = body[position]
        end = position + 1
        value = char
        if char == "\r":
            end += body.startswith("\n", end)
            value = "\n"
        elif char == "\\" and not raw and end < len(body):
            code = body[end]
            end += 1
            if code == "\r":
                end += body.startswith("\n", end)
                value = ""
            elif code in _ESCAPES:
                value = _ESCAPES[code]
            elif code in "01234567":
                while end < len(body) and end - position < 4 and body[end] in "01234567":
                    end += 1
                value = chr(int(body[position + 1: end], 8))
            elif code in _HEX_DIGITS:
                end += _HEX_DIGITS[code]
                value = chr(int(body[position + 2: end], 16))
            elif code == "N":
                close = body.index("}", end)
                value = unicodedata.lookup(body[end + 1: close])
                end = close + 1
            else:
                value = "\\" + code
        units.append((position, end, value))
        position = end
    return units


def _evaluated(node: cst.SimpleString, body: str) -> str | None:
    """What Python reads `node` with `body` between its quotes as (line endings as in a
    file); None when it does not read it."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = ast.literal_eval(f"{node.prefix}{node.quote}{text}{node.quote}")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


class CodeLiteral:
    """A string literal (or an implicit concatenation of them) holding code: its value,
    and the same literal holding another value."""

    def __init__(self, node: cst.BaseExpression, pieces: list[_Piece]) -> None:
        self.node = node
        self.pieces = pieces
        self.value = "".join(piece.value for piece in pieces)
        self._spans: list[tuple[int, int, int, int, int]] = []
        """Each unit that stands for characters: (value start, value end, piece, body
        start, body end)."""
        offset = 0
        for index, piece in enumerate(pieces):
            for start, end, value in piece.units:
                if value:
                    self._spans.append((offset, offset + len(value), index, start, end))
                    offset += len(value)
        self._starts = [span[0] for span in self._spans]

    @classmethod
    def read(cls, node: cst.BaseExpression) -> CodeLiteral | str:
        """The literal, or what keeps it from being read exactly."""
        pieces: list[_Piece] = []
        pending: list[cst.BaseExpression] = [node]
        while pending:
            current = pending.pop()
            if isinstance(current, cst.ConcatenatedString):
                pending += [current.right, current.left]
                continue
            if isinstance(current, cst.FormattedString):
                return "an f-string"
            if not isinstance(current, cst.SimpleString):
                return "not a string literal"  # pragma: no cover - libcst's grammar
            prefix = current.prefix.lower()
            if "b" in prefix:
                return "a bytes literal"
            try:
                piece = _Piece(current, _units(current.raw_value, "r" in prefix))
            except (ValueError, KeyError, IndexError):
                return "a string literal with an escape this tool does not read"
            if piece.value != _evaluated(current, current.raw_value):
                return "a string literal with an escape this tool does not read"
            pieces.append(piece)
        return cls(node, pieces)

    def with_value(self, new: str) -> cst.BaseExpression | str:
        """The literal holding `new` instead, written as it is (only the characters that
        change are replaced); or why it cannot be written so."""
        edits: dict[int, list[tuple[int, int, str]]] = {}
        matcher = difflib.SequenceMatcher(None, self.value, new, autojunk=False)
        for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
            if tag == "equal":
                continue
            located = self._locate(old_start, old_end)
            if located is None:
                return "a change across two pieces of the concatenation"
            index, body_start, body_end, value_start, value_end = located
            text = (self.value[value_start:old_start] + new[new_start:new_end]
                    + self.value[old_end:value_end])
            edits.setdefault(index, []).append((body_start, body_end, text))
        replacements: dict[cst.SimpleString, cst.SimpleString] = {}
        for index, piece in enumerate(self.pieces):
            body = piece.body
            limit = len(body)
            for start, end, text in sorted(edits.get(index, []), reverse=True):
                encoded = piece.encoded(text)
                if encoded is None:
                    return piece.refusal(text)
                if end > limit:
                    return "two changes within one escape"
                body = body[:start] + encoded + body[end:]
                limit = start
            if body != piece.body:
                replacements[piece.node] = piece.node.with_changes(
                    value=f"{piece.node.prefix}{piece.node.quote}{body}{piece.node.quote}")
        result = _with_pieces(self.node, replacements)
        again = CodeLiteral.read(result)
        if isinstance(again, str) or again.value != new:
            return "a change beside an escape, which would then read differently"
        return result

    def _locate(self, start: int, end: int) -> tuple[int, int, int, int, int] | None:
        """Where the value's characters `start:end` are written: (piece, body start, body
        end, value start, value end), widened to whole units; for an insertion (`start ==
        end`), the place before the character at `start` (after the last one at the
        end). None when they are written in two pieces."""
        if not self._spans:
            return None
        first = max(bisect.bisect_right(self._starts, start) - 1, 0)
        if end == start:
            value_start, value_end, index, body_start, body_end = self._spans[first]
            if value_start < start < value_end:  # inside an escape: the whole escape
                return index, body_start, body_end, value_start, value_end
            if start >= value_end:  # after the last character
                return index, body_end, body_end, start, start
            return index, body_start, body_start, start, start  # before this character
        last = bisect.bisect_left(self._starts, end) - 1
        (value_start, _, index, body_start, _), (_, value_end, last_index, _, body_end) = (
            self._spans[first], self._spans[last])
        if index != last_index:
            return None
        return index, body_start, body_end, value_start, value_end


def _with_pieces(node: cst.BaseExpression,
                 replacements: dict[cst.SimpleString, cst.SimpleString]) -> cst.BaseExpression:
    if isinstance(node, cst.SimpleString):
        return replacements.get(node, node)
    if isinstance(node, cst.ConcatenatedString):
        left, right = (_with_pieces(node.left, replacements),
                       _with_pieces(node.right, replacements))
        if left is not node.left or right is not node.right:
            return node.with_changes(left=left, right=right)
    return node


# -- the code, parsed ------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedCode:
    """The code of a literal as a module, in the framing that made it parse."""

    module: cst.Module
    opening: str
    closing: str

    def value_of(self, module: cst.Module) -> str | None:
        """The code `module` (the rewrite of `self.module`) holds, without the framing;
        None when the framing did not survive."""
        code = module.code
        if (len(code) < len(self.opening) + len(self.closing)
                or not code.startswith(self.opening) or not code.endswith(self.closing)):
            return None
        return code[len(self.opening): len(code) - len(self.closing)]


_BLOCK = ("if True:\n", "")
"""Indented code (for `textwrap.dedent`) parses as a block's body."""
_EXPRESSION = ("(", "\n)\n")
"""`eval`'s code is an expression (over lines, with comments, with leading spaces)."""


def parse_code(value: str, mode: str | None) -> ParsedCode | str:
    """`value` parsed as `compile` would in `mode` (None: unknown), or why it cannot
    be: "does not parse as Python (line N: ...)"."""
    framings = [_EXPRESSION] if mode == "eval" else [("", ""), _BLOCK]
    if mode is None:
        framings.append(_EXPRESSION)
    first_error: str | None = None
    for opening, closing in framings:
        if (opening, closing) == _BLOCK and not _indented(value):
            continue
        text = opening + value + closing
        if depth.nesting(text).levels > CODE_LEVELS:
            return "is nested too deeply to be rewritten here"
        try:
            return ParsedCode(cst.parse_module(text), opening, closing)
        except (cst.ParserSyntaxError, ValueError, SyntaxError, RecursionError,
                MemoryError):
            if first_error is None:
                first_error = _syntax_error(text, opening.count("\n"))
    return f"does not parse as Python ({first_error})"


def _syntax_error(text: str, framing_lines: int) -> str:
    """CPython's word on `text` (libcst's lists every token it expected)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as error:
        return f"its line {(error.lineno or 1) - framing_lines}: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:
        return type(error).__name__
    return "libcst's parser refuses it"


def _indented(value: str) -> bool:
    for line in value.splitlines():
        stripped = line.lstrip(" \t\f")
        if stripped and not stripped.startswith("#"):
            return stripped != line
    return False


def relative_imports(module: cst.Module) -> list[str]:
    """The relative imports of `module`, as written."""
    found: list[str] = []

    class Collect(cst.CSTVisitor):
        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            if node.relative:
                found.append(source_of(node))
            return False

    module.visit(Collect())
    return found


# -- code given by name ----------------------------------------------------------------------


@dataclass(eq=False)
class _Scope:
    parent: _Scope | None
    is_class: bool
    bindings: Counter[str] = field(default_factory=Counter)
    literals: dict[str, cst.BaseExpression] = field(default_factory=dict)
    declared: set[str] = field(default_factory=set)
    """Names declared `global` or `nonlocal` here."""

    def literal(self, name: str) -> cst.BaseExpression | None:
        """The literal `name` means here, when it is bound once, to a literal."""
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.declared:
                return None
            count = scope.bindings[name]
            if count:
                return scope.literals.get(name) if count == 1 else None
            scope = scope.parent
            while scope is not None and scope.is_class:  # not seen from functions
                scope = scope.parent
        return None


class NamedCode(cst.CSTVisitor):
    """`CODE = "..."` then `exec(CODE)`: the literals bound once (in the scope the call
    sees) to a name given as code, with how it is run. Anything less certain (bound
    twice, declared `global`, bound to anything but a literal) is left out."""

    def __init__(self) -> None:
        super().__init__()
        self._scope = _Scope(None, is_class=False)
        self._uses: list[tuple[_Scope, str, CodeUse]] = []

    def found(self) -> dict[cst.BaseExpression, CodeUse]:
        result: dict[cst.BaseExpression, CodeUse] = {}
        for scope, name, use in self._uses:
            literal = scope.literal(name)
            if literal is None:
                continue
            seen = result.get(literal)
            result[literal] = use if seen is None or seen == use else CodeUse(seen.function,
                                                                              None)
        return result

    def _enter(self, *, is_class: bool = False) -> None:
        self._scope = _Scope(self._scope, is_class)

    def _leave(self) -> None:
        assert self._scope.parent is not None
        self._scope = self._scope.parent

    def _bind(self, node: cst.BaseExpression | cst.BaseAssignTargetExpression) -> None:
        if isinstance(node, cst.Name):
            self._scope.bindings[node.value] += 1
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._bind(element.value)
        elif isinstance(node, cst.StarredElement):
            self._bind(node.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name)
        self._enter()

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._leave()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name)
        self._enter(is_class=True)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._leave()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._enter()

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._leave()

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._enter()

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._leave()

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._enter()

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._leave()

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._enter()

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._leave()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._enter()

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._leave()

    def visit_Param(self, node: cst.Param) -> None:
        self._bind(node.name)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target)
        self._note_literal([target.target for target in node.targets], node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target)
        if node.value is not None:
            self._note_literal([node.target], node.value)

    def _note_literal(self, targets: list[cst.BaseAssignTargetExpression],
                      value: cst.BaseExpression) -> None:
        value = unwrapped(value)
        if len(targets) == 1 and isinstance(targets[0], cst.Name) and is_literal(value):
            self._scope.literals[targets[0].value] = value

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bind(node.name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            name = dotted(node.name)
            if name is not None:
                self._scope.bindings[name.split(".")[0]] += 1

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind(node.target)

    def visit_Global(self, node: cst.Global) -> None:
        self._scope.declared.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self._scope.declared.update(item.name.value for item in node.names)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._bind(node.name)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._bind(node.name)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self._bind(node.rest)

    def visit_Call(self, node: cst.Call) -> None:
        argument = code_argument(node)
        if argument is not None:
            value = unwrapped(argument[0])
            if isinstance(value, cst.Name):
                self._uses.append((self._scope, value.value, argument[1]))


# -- the same questions on `ast`, for the statement-level rewrite ----------------------------


def ast_code_calls(tree: ast.Module, lines: Sequence[int] | None = None
                   ) -> tuple[list[ast.Call], list[ast.expr]]:
    """The calls that may run a string of `tree` as code (a superset of what
    `code_argument` takes), and the literals the file binds to a name that one of them
    is given (`exec(CODE)`: only the whole file tells which of them it runs). `lines`
    (sorted): the only lines that can hold such a call, those where the name of a
    `CODE_FUNCTIONS` is written (`code_word_lines`); only the statements over them are
    walked, and the whole tree only for the literals of a name given."""
    calls: list[ast.Call] = []
    named: set[str] = set()
    for subtree in ([tree] if lines is None else _parts_over(tree, lines)):
        for node in ast.walk(subtree):
            if isinstance(node, ast.Call) and _ast_is_code_call(node):
                source = node.args[0] if node.args else next(
                    (k.value for k in node.keywords if k.arg == "source"), None)
                code = _ast_unwrapped(source) if source is not None else None
                if isinstance(code, ast.Name):
                    named.add(code.id)
                if any(_ast_is_literal(part) for part in ast.walk(node)):
                    calls.append(node)
    if not named:
        return calls, []
    literals: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            literal = _ast_unwrapped(node.value)
            if _ast_is_literal(literal):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id in named:
                        literals.setdefault(target.id, []).append(literal)
    return calls, [literal for name in sorted(named) for literal in literals.get(name, [])]


def code_word_lines(text: bytes, line_starts: Sequence[int]) -> list[int]:
    """The numbers (from 1, sorted) of the lines of `text` where a name of
    `CODE_FUNCTIONS` is written as a word (`literals.code_words`: `execute` or
    `recompile` is none). `line_starts`: the offset of each line."""
    return sorted({bisect.bisect_right(line_starts, at) for at in literals.code_words(text)})


def _parts_over(node: ast.AST, lines: Sequence[int]) -> Iterator[ast.AST]:
    """The parts of `node` (a module, a compound statement, a handler or a case) that
    may hold a call on `lines`: of each list of statements, only those spanning one of
    the lines (a definition from its first decorator), each read the same way; every
    other child (a header's expressions, a handler's type) whole."""
    for value in (getattr(node, name) for name in node._fields):
        if not isinstance(value, list):
            if isinstance(value, ast.AST):
                yield value
            continue
        for child in value:
            if isinstance(child, ast.stmt):
                first = min([child.lineno, *(decorator.lineno for decorator in
                                             getattr(child, "decorator_list", ()))])
                at = bisect.bisect_left(lines, first)
                if at == len(lines) or lines[at] > (child.end_lineno or child.lineno):
                    continue  # no line of it names a code function
                if _holds_statements(child):
                    yield from _parts_over(child, lines)
                else:
                    yield child
            elif isinstance(child, (ast.excepthandler, ast.match_case)):
                yield from _parts_over(child, lines)
            elif isinstance(child, ast.AST):
                yield child


def _holds_statements(node: ast.AST) -> bool:
    return any(isinstance(value, list) and any(isinstance(item, (ast.stmt, ast.excepthandler,
                                                                   ast.match_case))
                                                 for item in value)
               for value in (getattr(node, name) for name in node._fields))


def _ast_is_code_call(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in CODE_FUNCTIONS
    return (isinstance(func, ast.Attribute) and func.attr in CODE_FUNCTIONS
            and isinstance(func.value, ast.Name) and func.value.id in ("builtins",
                                                                        "__builtins__"))


def _ast_unwrapped(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _UNWRAPPING_METHODS:
            node = func.value
        elif ((isinstance(func, ast.Name) and func.id in ("dedent", "cleandoc"))
              or (isinstance(func, ast.Attribute) and func.attr in ("dedent", "cleandoc"))
              ) and node.args:
            node = node.args[0]
        else:
            break
    return node


def _ast_is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))
