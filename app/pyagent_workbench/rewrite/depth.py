"""How deep a text would take libcst, and the room for it to go that deep.

libcst recurses once or more per level of nesting: its parser (Rust) on the C stack,
its visitors and its code generation (Python) about three frames a level. Valid Python
can be deep: `1 + 1 + ... + 1` with 1,000 operands is a tree 1,000 levels deep, and
CPython compiles up to about 3,000 (three times the recursion limit). Some is deep for
libcst alone: `a and b and ...` and `"a" "b" ...` are flat lists for CPython and chains
for libcst, as long as the file is. Left to itself, libcst stops past about 300 levels
with RecursionError, and past a few thousand its parser overflows the C stack and the
process dies (SIGSEGV).

So no text goes to libcst before `nesting()` (a scan of its tokens, which does not
recurse) has bounded how deep it goes, and `call()` runs the work:

* shallow (nearly all code): in the calling thread, as before;
* up to `BUDGET` levels: in a thread of its own, whose stack is sized for the budget,
  with the recursion limit raised while such a thread runs (`_RaisedLimit`);
* deeper: not at all: `TooDeep` names the line, for the caller to report.

CPython's own verdict on nesting (`python_refusal`) comes first where it may apply: a
text it refuses as nested too deeply (more than 200 brackets, or past its recursion
limit) is a syntax error in every Python version, whatever libcst would say.
"""

from __future__ import annotations

import io
import keyword
import sys
import threading
import tokenize
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from pyagent_workbench.errors import ApplyError

BUDGET = 3_000
"""Levels of nesting (as `nesting()` counts them) the rewriter follows: CPython's own
limit for nested expressions and blocks (three times its default recursion limit)."""
SHALLOW = 100
"""Up to this many levels, libcst runs in the calling thread under the usual limit."""
PYTHON_LIMITS_FROM = 200
"""Below this many levels, CPython's limits on nesting cannot be reached (its lowest,
200 nested brackets, counts 400 here)."""
STACK_BYTES = 256 * 1024 * 1024
"""The stack of a thread running deep work. Every shape tried at `BUDGET` levels
(chains of each operator, brackets, blocks) ran in 16 MiB; and a recursion that runs
to the raised limit takes well under 1 KiB of C stack a frame, so it meets
RecursionError (reported as too deep) long before the end of the stack. Only the
pages used are ever backed by memory."""
_FRAMES_PER_LEVEL = 8
"""Python frames allowed per level: libcst took at most 3.75 on every shape tried (3
on chains); the rest is margin."""
_FRAMES_AROUND = 1_000
"""Frames allowed for everything around the recursion itself."""

_COMPARISONS = frozenset({"<", ">", "==", "!=", "<=", ">=", "in", "is"})
"""One flat node in libcst however long the chain: a level, once."""
_ATOM_KEYWORDS = frozenset({"True", "False", "None"})
_CONTINUING_KEYWORDS = frozenset({"elif", "else"})
"""A block opening with these sits in the previous one's `orelse`: one level deeper."""
_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")
_SPLITTING = frozenset({",", ";", "=", "->", "+=", "-=", "*=", "/=", "//=", "%=", "**=",
                        "@=", "<<=", ">>=", "&=", "|=", "^="})
"""Separators of siblings: what follows one does not nest in what precedes it (not
`:`, which a `lambda` nests across)."""
_F_STRING_DEEPENING = frozenset("([{.+-*/%@&|^~<>=!'\"")

T = TypeVar("T")


@dataclass(frozen=True)
class Nesting:
    levels: int
    """How deep libcst's tree goes, counted from the tokens so as not to fall short:
    roughly a level a node, more where a token may or may not nest."""
    line: int
    """The first line of the deepest statement (1-based, in the text measured)."""
    complete: bool = True
    """False when Python's tokenizer stopped before the end: what follows the place it
    stopped is counted a level a character."""


class TooDeep(Exception):
    """The text is nested deeper than the rewriter follows."""

    def __init__(self, nesting: Nesting) -> None:
        super().__init__(f"line {nesting.line}: nested {nesting.levels:,} levels deep")
        self.nesting = nesting


@dataclass(frozen=True)
class PythonRefusal:
    """CPython's syntax error for a text, and whether it is one of its limits on
    nesting (final: no Python version accepts the text) or a plain syntax error (a
    newer Python, or libcst, may accept it)."""

    message: str
    """`line N: what`."""
    nesting_limit: bool


def nesting(text: str | bytes) -> Nesting:
    """How deep libcst's tree of `text` can go, from its tokens. Bytes are decoded as
    Python decodes a file (BOM, coding cookie); a text that cannot be decoded is not
    parsed by libcst either, and counts as flat."""
    if len(text) <= SHALLOW // 2:  # a level takes at least half a character
        return Nesting(len(text) * 2, 1)
    if isinstance(text, bytes):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(text).readline)
            text = text.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError):
            return Nesting(0, 1)
        if text.startswith("\ufeff"):
            text = text[1:]
    scan = _Scan()
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for token in tokens:
                scan.take(token)
    except (tokenize.TokenError, SyntaxError) as error:
        return scan.unfinished(text, _error_line(error, scan))
    return Nesting(scan.deepest, scan.deepest_line)


def _error_line(error: Exception, scan: _Scan) -> int:
    if isinstance(error, SyntaxError) and error.lineno:
        return error.lineno
    if isinstance(error, tokenize.TokenError) and len(error.args) > 1:
        position = error.args[1]
        if isinstance(position, tuple) and position and isinstance(position[0], int):
            return max(1, position[0])
    return scan.statement_line


@dataclass
class _Group:
    """One bracket pair being read (the statement itself at the bottom), as elements
    (between commas) made of operands joined by operators.

    An element is at most as deep as its operators (a chain of them nests: `a + b + c`
    is `(a + b) + c`) plus its deepest operand, and an operand as deep as its prefixes
    (`-`, `not`, `lambda`...), trailers (`.name`, a call, a subscript) and strings (an
    implicit concatenation nests) plus the deepest bracket pair in it."""

    operators: int = 0
    compared: bool = False
    operand: int = 0
    operand_inner: int = 0
    widest: int = 0
    """The deepest operand finished in the current element."""
    best: int = 0
    """The deepest element finished in this group."""
    expects_operand: bool = True

    def finish_operand(self) -> None:
        self.widest = max(self.widest, self.operand + self.operand_inner)
        self.operand = self.operand_inner = 0

    def binary(self) -> None:
        self.finish_operand()
        self.operators += 1
        self.expects_operand = True

    def comparison(self) -> None:
        self.finish_operand()
        if not self.compared:
            self.operators += 1
            self.compared = True
        self.expects_operand = True

    def prefix(self) -> None:
        self.operand += 1
        self.expects_operand = True

    def finish_element(self) -> None:
        self.finish_operand()
        self.best = max(self.best, self.operators + self.widest)
        self.operators = self.widest = 0
        self.compared = False
        self.expects_operand = True

    @property
    def depth(self) -> int:
        current = self.operators + max(self.widest, self.operand + self.operand_inner)
        return max(self.best, current)


@dataclass
class _Scan:
    """The running count: bracket pairs open, blocks open, the `elif` chains."""

    groups: list[_Group] = field(default_factory=lambda: [_Group()])
    bases: list[int] = field(default_factory=lambda: [0])
    """For each open block, the levels above its statements."""
    chains: list[int] = field(default_factory=lambda: [0])
    """For each open block, how many `elif`/`else` follow the block's last `if`."""
    statement_line: int = 1
    at_statement_start: bool = True
    deepest: int = 0
    deepest_line: int = 1

    def take(self, token: tokenize.TokenInfo) -> None:
        kind, value = token.type, token.string
        if kind in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING):
            return
        if kind == tokenize.INDENT:
            self.bases.append(self.bases[-1] + self.chains[-1] + 3)
            self.chains.append(0)
            return
        if kind == tokenize.DEDENT:
            if len(self.bases) > 1:
                self.bases.pop()
                self.chains.pop()
            return
        if kind in (tokenize.NEWLINE, tokenize.ENDMARKER):
            self.end_statement()
            return
        if self.at_statement_start:
            self.at_statement_start = False
            self.statement_line = token.start[0]
            if kind == tokenize.NAME and value in _CONTINUING_KEYWORDS:
                self.chains[-1] += 1
            else:
                self.chains[-1] = 0
        group = self.groups[-1]
        if kind == tokenize.OP:
            self.operator(value, group)
        elif kind == tokenize.NAME:
            self.name(value, group)
        elif kind == tokenize.NUMBER:
            group.expects_operand = False
        elif kind == tokenize.STRING:
            group.operand += 1  # an implicit concatenation nests
            group.operand_inner = max(group.operand_inner, _f_string_depth(value))
            group.expects_operand = False
        else:  # ERRORTOKEN, the f-string parts of newer Pythons: count, never skip
            group.operand += 1

    def operator(self, value: str, group: _Group) -> None:
        if value in _OPENING:
            group.operand += 1  # the call, subscript or display
            self.groups.append(_Group())
        elif value in _CLOSING:
            if len(self.groups) > 1:
                closed = self.groups.pop()
                parent = self.groups[-1]
                parent.operand_inner = max(parent.operand_inner, closed.depth + 1)
                parent.expects_operand = False
        elif value in _SPLITTING:
            group.finish_element()
        elif value == ":":
            group.expects_operand = True
        elif value == ".":
            group.operand += 1
        elif value == "...":
            group.expects_operand = False
        elif value in _COMPARISONS:
            group.comparison()
        elif group.expects_operand or value == "~":
            group.prefix()  # unary `-`, `*args`, `**kwargs`
        else:
            group.binary()

    def name(self, value: str, group: _Group) -> None:
        if not keyword.iskeyword(value) or value in _ATOM_KEYWORDS:
            group.expects_operand = False
        elif value in _COMPARISONS or (value == "not" and not group.expects_operand):
            group.comparison()  # `in`, `is`, `not in`
        elif group.expects_operand:
            group.prefix()  # `not`, `lambda`, `await`, `yield`, `return`...
        else:
            group.binary()  # `and`, `or`, `if`/`else`, `for`, `as`...

    def end_statement(self) -> None:
        while len(self.groups) > 1:  # unbalanced: close what is open
            self.operator(")", self.groups[-1])
        root = self.groups[0]
        root.finish_element()
        levels = self.bases[-1] + self.chains[-1] + root.depth
        if levels > self.deepest:
            self.deepest, self.deepest_line = levels, self.statement_line
        self.groups = [_Group()]
        self.at_statement_start = True

    def unfinished(self, text: str, line: int) -> Nesting:
        """The count when the tokenizer stopped at `line`: what it read, plus a level
        for every character from that line on."""
        open_levels = sum(group.depth + 1 for group in self.groups)
        rest = sum(len(part) for part in text.split("\n")[max(0, line - 1):])
        levels = self.bases[-1] + self.chains[-1] + open_levels + rest
        if levels > self.deepest:
            return Nesting(levels, line, complete=False)
        return Nesting(self.deepest, self.deepest_line, complete=False)


def _f_string_depth(token: str) -> int:
    """Levels inside an f-string's replacement fields (Python 3.11 reads an f-string as
    one token; libcst parses the expressions in it): every character that can open or
    deepen an expression, counted inside the braces."""
    quote_at = next((i for i, c in enumerate(token) if c in "'\""), 0)
    if "f" not in token[:quote_at].lower():
        return 0
    depth = count = 0
    for position in range(quote_at, len(token)):
        char = token[position]
        if char == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        if depth and char in _F_STRING_DEEPENING:
            count += 1
    return count


def python_refusal(source: str | bytes, where: Nesting | None = None) -> PythonRefusal | None:
    """CPython's syntax error for `source` (compiled as a module), `None` when it
    compiles. A nesting past CPython's recursion limit has no line of its own: it is
    given the deepest statement's (`where`, measured when not given)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<source>", "exec", dont_inherit=True)
    except RecursionError as error:
        line = (where or nesting(source)).line
        return PythonRefusal(f"line {line}: nested too deeply for Python ({error})",
                             nesting_limit=True)
    except MemoryError:
        line = (where or nesting(source)).line
        return PythonRefusal(f"line {line}: nested too deeply for Python's parser",
                             nesting_limit=True)
    except SyntaxError as error:
        message = f"line {error.lineno or 1}: {error.msg}"
        return PythonRefusal(message, nesting_limit=_is_nesting_limit(error.msg))
    except ValueError as error:  # null bytes
        return PythonRefusal(f"line 1: {error}", nesting_limit=False)
    return None


def _is_nesting_limit(message: str) -> bool:
    return message.startswith(("too many nested parentheses", "too many levels of indentation"))


def call(work: Callable[[], T], depth: Nesting, path: str) -> T:
    """`work()` on the text of the file at `path`, with room for libcst to go
    `depth.levels` deep; `TooDeep` when that is past the budget, or when the recursion
    still runs out of room (`ApplyError` when the system refuses the thread). `work`
    must start afresh when called again (it is, in a thread of its own, after a
    RecursionError in the caller's)."""
    if depth.levels > BUDGET:
        raise TooDeep(depth)
    if depth.levels <= SHALLOW:
        try:
            return work()
        except RecursionError:
            pass  # the caller was deep already: retry with room of its own
    return _in_deep_thread(work, depth, path)


@dataclass
class _Outcome:
    value: object = None
    error: BaseException | None = None


def _in_deep_thread(work: Callable[[], T], depth: Nesting, path: str) -> T:
    outcome = _Outcome()
    frames = _FRAMES_PER_LEVEL * max(depth.levels, SHALLOW) + _FRAMES_AROUND

    def run() -> None:
        try:
            with _LIMIT.at_least(frames):
                outcome.value = work()
        except BaseException as error:  # handed to the calling thread
            outcome.error = error

    thread = _start_with_big_stack(run, depth, path)
    thread.join()
    if isinstance(outcome.error, RecursionError):
        raise TooDeep(depth) from None
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[return-value]


_STACK_SIZE_LOCK = threading.Lock()


def _start_with_big_stack(run: Callable[[], None], depth: Nesting, path: str
                          ) -> threading.Thread:
    """A started daemon thread with a `STACK_BYTES` stack. `threading.stack_size` is
    one setting for every thread started after it: it is set and put back under a
    lock, around this one start."""
    thread = threading.Thread(target=run, name="pyagent-workbench deep rewrite", daemon=True)
    with _STACK_SIZE_LOCK:
        try:
            previous = threading.stack_size(STACK_BYTES)
        except (ValueError, RuntimeError) as error:  # no settable stack size here
            raise _no_room(depth, path, error) from None
        try:
            thread.start()
        except (RuntimeError, MemoryError) as error:  # the system refused the stack
            raise _no_room(depth, path, error) from None
        finally:
            threading.stack_size(previous)
    return thread


def _no_room(depth: Nesting, path: str, error: BaseException) -> ApplyError:
    return ApplyError(f"{path}:{depth.line}: {depth.levels:,} levels of nesting need a "
                      f"thread with a {STACK_BYTES >> 20} MiB stack, which this system "
                      f"refused ({str(error) or type(error).__name__}): allow the process "
                      f"more memory (ulimit -v)")


class _RaisedLimit:
    """The recursion limit is one value for every thread: raised while at least one
    deep thread runs, to the highest any of them needs, and put back when the last one
    ends. Meanwhile another thread would meet RecursionError later than usual: the
    only ones running then are the caller, waiting for the deep thread, and in the
    workbench the interface's event loop, whose recursion stays shallow."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._needs: list[int] = []
        self._usual = sys.getrecursionlimit()

    @contextmanager
    def at_least(self, frames: int) -> Iterator[None]:
        with self._lock:
            if not self._needs:
                self._usual = sys.getrecursionlimit()
            self._needs.append(frames)
            sys.setrecursionlimit(max([self._usual, *self._needs]))
        try:
            yield
        finally:
            with self._lock:
                self._needs.remove(frames)
                sys.setrecursionlimit(max([self._usual, *self._needs]))


_LIMIT = _RaisedLimit()
