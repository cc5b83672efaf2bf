"""Schedule per-file work over every core: libcst rewrites of the files that may refer to
a moved module, and a syntax sweep of the others (so that no unparsable file goes
unreported). The sweep's results are cached by size and mtime under the tool's state
folder, so only changed files are parsed again.

A file is rewritten statement by statement when it can be (see `rewrite_file`): the
same libcst transformers, run on the few statements that can change instead of the
whole file."""

from __future__ import annotations

import ast
import bisect
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import libcst as cst

from pyagent_workbench import cachefile
from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite.context import FileContext
from pyagent_workbench.rewrite.files import FileRewrite, review_notes, rewrite_python
from pyagent_workbench.rewrite.imports import ImportRewriter, implicit_parent_imports
from pyagent_workbench.rewrite.strings import DottedStringRewriter
from pyagent_workbench.statedir import SYNTAX_CACHE

_PARALLEL_THRESHOLD = 48
"""Below this many files, starting worker processes costs more than it saves."""


@dataclass(frozen=True)
class RewriteJob:
    path: str
    context: FileContext


class Runner:
    """A process pool started on first use and shared by every phase of one preview."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._pool: Executor | None = None
        self._state: RewriteState | None = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def _parallel(self, count: int) -> bool:
        # Forking a process that runs other threads (the workbench's UI) can copy a held
        # lock into the child: from a worker thread the work stays in this process.
        return (self.workers > 1 and count >= _PARALLEL_THRESHOLD
                and threading.current_thread() is threading.main_thread())

    def _executor(self, state: RewriteState | None = None) -> Executor:
        if self._pool is not None and state is not None and state is not self._state:
            self._pool.shutdown()
            self._pool = None
        if self._pool is None:
            self._state = state
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             initializer=_install, initargs=(state,))
        return self._pool

    def rewrite(self, jobs: list[RewriteJob], contents: dict[str, bytes],
                state: RewriteState) -> Iterator[FileRewrite]:
        """Rewrite every job's file; the first call of a runner starts its pool, with the
        resolver and the reference pattern sent once to each worker."""
        if not self._parallel(len(jobs)):
            for job in jobs:
                yield rewrite_file(contents[job.path], job.context, state)
            return
        pool = self._executor(state)
        chunk = max(1, len(jobs) // (self.workers * 8))
        payload = [(contents[job.path], job.context) for job in jobs]
        yield from pool.map(_rewrite, payload, chunksize=chunk)

    def start_sweep(self, root: Path, paths: list[str], state: Path | None
                    ) -> Callable[[], dict[str, str]]:
        """Start checking which files among `paths` do not parse (in the workers, while
        the caller goes on); the returned function waits for the answer: path -> why."""
        cache = _load_cache(state)
        stamps: dict[str, tuple[int, int]] = {}
        todo = []
        for path in paths:
            try:
                info = os.stat(root / path)
            except OSError:
                continue
            stamp = (info.st_mtime_ns, info.st_size)
            stamps[path] = stamp
            cached = cache.get(path)
            if cached is None or tuple(cached[:2]) != stamp:
                todo.append(path)
        if self._parallel(len(todo)):
            pool = self._executor()
            chunk = max(1, len(todo) // (self.workers * 8))
            checking: Iterable[str | None] = pool.map(
                _check, [str(root / p) for p in todo], chunksize=chunk)
        else:
            checking = (_check(str(root / p)) for p in todo)

        def finish() -> dict[str, str]:
            for path, error in zip(todo, checking, strict=True):
                cache[path] = [*stamps[path], error]
            if state is not None and todo:
                _save_cache(state, {p: cache[p] for p in stamps})
            return {p: str(cache[p][2]) for p in stamps if cache[p][2]}

        return finish


_STATE: RewriteState | None = None
"""The worker's copy of the state of the rewrite it serves."""


def _install(state: RewriteState | None) -> None:
    global _STATE
    _STATE = state


def _rewrite(item: tuple[bytes, FileContext]) -> FileRewrite:
    source, context = item
    assert _STATE is not None, "a rewrite worker started without its state"
    return rewrite_file(source, context, _STATE)


def _check(path: str) -> str | None:
    """`None` when the file parses. CPython's compiler is fast (faster than `ast.parse`,
    which builds Python objects for every node); libcst (which knows newer syntax than
    the running Python, and does not apply the compiler's scope rules) has the last word
    on what it refuses."""
    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    if compiles(source, path):
        return None
    try:
        cst.parse_module(source)
        return None
    except cst.ParserSyntaxError as error:
        return f"line {error.raw_line}: {error.message.splitlines()[0]}"
    except Exception as error:  # undecodable bytes and the like
        return f"cannot be parsed: {type(error).__name__}"


def _load_cache(state: Path | None) -> dict[str, list[object]]:
    data = cachefile.load(state / SYNTAX_CACHE) if state is not None else None
    return data if isinstance(data, dict) else {}


def _save_cache(state: Path, cache: dict[str, list[object]]) -> None:
    cachefile.save(state / SYNTAX_CACHE, cache)


# -- statement-level rewriting -------------------------------------------------------------
#
# libcst parses and regenerates a whole file to change one import line: about 100 ms a
# file, most of it visiting nodes that cannot change. The fast path parses the file
# with `ast` (C, ~1 ms), finds the few statements that can change (imports of moved
# modules, relative imports whose meaning changes, and the statements or compound-
# statement headers holding a dotted name the reference regex finds), runs the same
# two libcst transformers on each of those alone, and splices their output back. A
# file the fast path cannot handle exactly (another encoding, CRLF, a change that
# needs a file-wide decision, an odd layout) goes through `rewrite_python` whole.

_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For,
             ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.TryStar,
             ast.Match)
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


@dataclass(frozen=True)
class RewriteState:
    """What every worker needs for every file: shipped once per worker."""

    resolver: Resolver
    reference: re.Pattern[bytes]
    """Any dotted name under a moved module (the engine's reference pattern)."""
    compile_check: bool = False
    """Compile every changed text where it is computed (`apply` refuses to write a file
    that would not compile; done here, it runs on every core)."""


class _Unsupported(Exception):
    """The fast path cannot rewrite this file exactly: rewrite it whole."""


def rewrite_file(source: bytes, context: FileContext, state: RewriteState) -> FileRewrite:
    """`rewrite_python`'s result, computed statement by statement when possible."""
    try:
        result = _rewrite_statements(source, context, state)
    except _Unsupported:
        result = None
    if result is None:
        result = rewrite_python(source, context, state.resolver)
    if state.compile_check and result.new_bytes is not None and result.new_bytes != source:
        result.compiled = compiles(result.new_bytes, context.path)
    return result


def compiles(source: bytes, path: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _covering(name: str, sources: Mapping[str, str]) -> str | None:
    """The move source deciding where `name` goes (the longest one it lies within)."""
    candidate = name
    while candidate:
        if candidate in sources:
            return candidate
        candidate = candidate.rpartition(".")[0]
    return None


def relative_import_may_change(level: int, module: str, context: FileContext,
                               sources: Mapping[str, str]) -> bool:
    """Could `from <level dots><module> import ...` in this file change, or be reported?
    False only when it certainly keeps its meaning as written."""
    package = context.package
    if not package:
        return True
    parts = package.split(".")
    if level - 1 >= len(parts):
        return True
    base = ".".join(parts[: len(parts) - (level - 1)] + ([module] if module else []))
    file_move = _covering(context.module, sources) if context.module else None
    base_move = _covering(base, sources)
    if file_move is None:
        prefix = base + "."
        return base_move is not None or any(s.startswith(prefix) for s in sources)
    if base_move != file_move:
        return True
    prefix = file_move + "."
    return any(s.startswith(prefix) for s in sources)


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


@dataclass
class _Unit:
    start: int
    end: int
    """Byte offsets in the file."""
    expression: bool
    """A compound statement's header expression (else whole lines of simple statements)."""
    supported: bool = True
    docstring_only: bool = False
    wanted: bool = False


def _line_starts(source: bytes) -> list[int]:
    starts = [0]
    position = source.find(b"\n")
    while position >= 0:
        starts.append(position + 1)
        position = source.find(b"\n", position + 1)
    return starts


def _units(tree: ast.Module, source: bytes, starts: list[int]
           ) -> tuple[list[_Unit], list[tuple[ast.stmt, _Unit]]]:
    """Rewritable units, in file order, and the simple statements with their unit."""
    simple: list[ast.stmt] = []
    docstrings: set[int] = set()
    expressions: list[tuple[ast.AST, bool]] = []

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column

    def note_docstring(body: list[ast.stmt]) -> None:
        if body and isinstance(body[0], ast.Expr) and (
                isinstance(body[0].value, ast.JoinedStr) or (
                    isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str))):
            docstrings.add(id(body[0]))

    def header(node: ast.AST | None, supported: bool = True) -> None:
        if node is not None:
            expressions.append((node, supported))

    def walk(body: list[ast.stmt]) -> None:
        for statement in body:
            if not isinstance(statement, _COMPOUND):
                simple.append(statement)
                continue
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in statement.decorator_list:
                    header(decorator)
                arguments = statement.args
                for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                            arguments.vararg, arguments.kwarg):
                    if arg is not None:
                        header(arg.annotation)
                for default in (*arguments.defaults, *arguments.kw_defaults):
                    header(default)
                header(statement.returns)
                note_docstring(statement.body)
            elif isinstance(statement, ast.ClassDef):
                for decorator in statement.decorator_list:
                    header(decorator)
                for base in statement.bases:
                    header(base)
                for keyword in statement.keywords:
                    header(keyword.value)
                note_docstring(statement.body)
            elif isinstance(statement, (ast.If, ast.While)):
                header(statement.test)
            elif isinstance(statement, (ast.For, ast.AsyncFor)):
                header(statement.target)
                header(statement.iter)
            elif isinstance(statement, (ast.With, ast.AsyncWith)):
                for item in statement.items:
                    header(item.context_expr)
                    header(item.optional_vars)
            elif isinstance(statement, (ast.Try, ast.TryStar)):
                for handler in statement.handlers:
                    header(handler.type)
                    walk(handler.body)
            elif isinstance(statement, ast.Match):
                header(statement.subject)
                for case in statement.cases:
                    header(case.pattern, supported=False)
                    header(case.guard, supported=False)
                    walk(case.body)
            for parameter in getattr(statement, "type_params", None) or []:
                header(parameter, supported=False)
            for field in ("body", "orelse", "finalbody"):
                walk(getattr(statement, field, None) or [])

    note_docstring(tree.body)
    walk(tree.body)

    units: list[_Unit] = []
    owner: list[tuple[ast.stmt, _Unit]] = []
    simple.sort(key=lambda s: (s.lineno, s.col_offset))
    current: _Unit | None = None
    current_last_line = 0
    current_count = 0
    current_docstring = False
    for statement in simple:
        end_line = statement.end_lineno or statement.lineno
        if current is not None and statement.lineno <= current_last_line:
            current.end = max(current.end, _line_end(source, starts, end_line))
            current_last_line = max(current_last_line, end_line)
            current_count += 1
            current.docstring_only = False
            if current_docstring or id(statement) in docstrings:
                current.supported = False  # `"doc"; x = 1`: keep docstring rules exact
            owner.append((statement, current))
            continue
        start = starts[statement.lineno - 1]
        indent = source[start: start + statement.col_offset]
        current = _Unit(start, _line_end(source, starts, end_line), expression=False,
                        supported=not indent.strip(b" \t\f"))
        current_docstring = id(statement) in docstrings
        current.docstring_only = current_docstring
        current_last_line = end_line
        current_count = 1
        units.append(current)
        owner.append((statement, current))
    for node, supported in expressions:
        start = offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        units.append(_Unit(start, end, expression=True, supported=supported))
    units.sort(key=lambda u: (u.start, -u.end))
    return units, owner


def _line_end(source: bytes, starts: list[int], line: int) -> int:
    return starts[line] if line < len(starts) else len(source)


def _find_unit(units: list[_Unit], starts_of_units: list[int], position: int) -> _Unit | None:
    index = bisect.bisect_right(starts_of_units, position) - 1
    while index >= 0:
        unit = units[index]
        if unit.start <= position < unit.end:
            return unit
        if not unit.expression:
            return None
        index -= 1
    return None


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


def _rewrite_statements(source: bytes, context: FileContext, state: RewriteState
                        ) -> FileRewrite | None:
    resolver = state.resolver
    if b"\r" in source or source.startswith(b"\xef\xbb\xbf"):
        return None
    head = source.split(b"\n", 2)[:2]
    for line in head:
        match = _CODING.match(line)
        if match and match.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            return None
    try:
        source.decode("utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, UnicodeDecodeError):
        return None
    starts = _line_starts(source)
    units, owner = _units(tree, source, starts)
    unit_starts = [u.start for u in units]

    # Plain `import a.b` roots: the transformer rewrites the `a.b.x` uses of them.
    roots: set[str] = set()
    plain: set[str] = set()
    for statement, _unit in owner:
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
    if roots & {s.split(".")[0] for s in resolver.sources}:
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                name = _dotted_ast(node)
                if name and name.split(".")[0] in roots and resolver.is_moved(name):
                    _want(units, unit_starts, starts[node.lineno - 1] + node.col_offset)
    for statement, unit in owner:
        if isinstance(statement, (ast.Import, ast.ImportFrom)) and _import_may_change(
                statement, context, resolver):
            if not unit.supported:
                raise _Unsupported
            unit.wanted = True
    for match in state.reference.finditer(source):
        _want(units, unit_starts, match.start())

    wanted = [u for u in units if u.wanted]
    if not wanted:
        return FileRewrite(context.path, source)
    if any(resolver.is_moved(root) for root in roots):
        raise _Unsupported
    prefix = "pass\n" + "".join(f"import {root}\n" for root in sorted(roots))
    texts = [source[u.start: u.end].decode("utf-8") for u in wanted]
    if _MARKER in prefix or any(_MARKER in text for text in texts):
        raise _Unsupported
    # All the units of the file in one small module, each after a marker comment: one
    # parse and one pass of each transformer per file.
    openings = []
    code = [prefix]
    for unit, text in zip(wanted, texts, strict=True):
        if unit.expression:
            opening, closing = "(", ")\n"
        else:
            indent = text[: len(text) - len(text.lstrip(" \t\f"))]
            opening = "if True:\n" if indent else ""
            closing = "" if text.endswith("\n") else "\n"
        openings.append((opening, closing))
        code += [_MARKER, opening, text, closing]
    # A transformer that cannot change anything here is not run (each visits every node):
    # the import rewriter needs an import statement (or a plain import's dotted uses),
    # the string rewriter a statement other than an import (imports hold no strings).
    import_units = {id(u) for statement, u in owner
                    if u.wanted and isinstance(statement, (ast.Import, ast.ImportFrom))}
    other_units = {id(u) for statement, u in owner
                   if u.wanted and not isinstance(statement, (ast.Import, ast.ImportFrom))}
    run_imports = bool(roots or import_units)
    run_strings = bool(other_units) or any(u.expression for u in wanted)
    try:
        module = cst.parse_module("".join(code))
        imports = ImportRewriter(context, resolver)
        strings = DottedStringRewriter(resolver)
        new_module = module
        if run_imports:
            new_module = new_module.visit(imports)
        if run_strings:
            new_module = new_module.visit(strings)
    except (cst.ParserSyntaxError, cst.CSTValidationError) as error:
        raise _Unsupported from error
    problems = review_notes(context.path, source, imports, strings)
    new_bytes = source
    if new_module is not module:
        outputs = new_module.code.split(_MARKER)
        if len(outputs) != len(wanted) + 1 or outputs[0] != prefix:
            raise _Unsupported
        pieces: list[bytes] = []
        done = 0
        for unit, text, (opening, closing), output in zip(
                wanted, texts, openings, outputs[1:], strict=True):
            if not output.startswith(opening) or not output.endswith(closing):
                raise _Unsupported
            new_text = output[len(opening): len(output) - len(closing)]
            if new_text == text:
                continue
            pieces.append(source[done: unit.start])
            pieces.append(new_text.encode("utf-8"))
            done = unit.end
        if pieces:
            new_bytes = b"".join(pieces) + source[done:]
    changed_imports = imports.changed_imports
    return FileRewrite(
        context.path, new_bytes,
        changed_imports=changed_imports + (1 if imports.changed_uses and not changed_imports
                                           else 0),
        changed_strings=strings.changed, problems=problems)


_MARKER = "# -- pyagent-workbench: next unit --\n"


def _want(units: list[_Unit], unit_starts: list[int], position: int) -> None:
    unit = _find_unit(units, unit_starts, position)
    if unit is None or unit.docstring_only:
        return  # a comment or a docstring: never rewritten
    if not unit.supported:
        raise _Unsupported
    unit.wanted = True
