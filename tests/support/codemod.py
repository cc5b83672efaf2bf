"""Before/after tests of the rewrite of Python files, in the style of LibCST's
`CodemodTest.assertCodemod`: a case reads as the input code and the exact output.

The engine has two rewrites of a file: libcst on the whole file (`files.rewrite_python`)
and the statement-level one (`statements.rewrite_file`), which is only a faster way to
the same result. Every check here runs both and first asserts that they agree in every
byte, count and problem.
"""

from __future__ import annotations

import ast
import textwrap
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

import pytest
from pyagent_workbench.model import names
from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite import statements
from pyagent_workbench.rewrite.context import FileContext, RewriteState
from pyagent_workbench.rewrite.engine import Preview
from pyagent_workbench.rewrite.files import FileRewrite, statement_pattern
from pyagent_workbench.rewrite.statements import compare_rewrites
from pyagent_workbench.workspace import Workspace


def fixture_text(code: str | bytes) -> bytes:
    """A triple-quoted case as the file's bytes: dedented, without its first blank line.
    Bytes are taken as they are (other encodings, CRLF)."""
    if isinstance(code, bytes):
        return code
    return textwrap.dedent(code).lstrip("\n").encode("utf-8")


def rewrite_both_ways(source: bytes, context: FileContext, state: RewriteState) -> FileRewrite:
    """The rewrite of one file, once both rewrites are known to agree on it: the
    statement-level one from the whole file's tree, and, where the file parses (what
    ruff's verdict would say, `rewrite.syntax`), from the tree of its beginning."""
    comparison = compare_rewrites(source, context, state)
    assert comparison.agree, f"{context.path}: the two rewrites disagree\n  {comparison.explain()}"
    if parses(source):
        in_part = compare_rewrites(source, context, state, parses=True)
        assert in_part.agree, (f"{context.path}: the rewrites disagree, the file parsed in "
                               f"part\n  {in_part.explain()}")
    return comparison.whole_file


def parses(source: bytes) -> bool:
    """CPython's verdict on a file, standing for ruff's in the tests."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def assert_rewrite(before: str | bytes, after: str | bytes | None, *,
                   moves: Mapping[str, str], path: str = "app/user.py",
                   modules: Iterable[str] | None = None,
                   problems: list[str] | None = None,
                   later: Mapping[str, str] | None = None,
                   earlier: Mapping[str, str] | None = None) -> FileRewrite:
    """Rewrite `before` as the file at `path` under `moves` (old module -> new), and
    assert that the result is `after` (`None`: the file does not parse).

    `modules`: the modules that exist today (default: the moved ones and the packages
    above them). `problems`: the review notes expected, when given. `later` and
    `earlier`: the plan's moves still to come after these, and those that landed before
    (target -> source) (an apply of part of a plan). Returns the rewrite, for its
    counts."""
    resolver = Resolver(dict(moves), frozenset(modules if modules is not None
                                               else _modules_around({**moves, **(later or {})})),
                        later=dict(later or {}), earlier=dict(earlier or {}))
    state = RewriteState(resolver, statement_pattern(list(moves)))
    result = rewrite_both_ways(fixture_text(before), _context(path, resolver), state)
    expected = None if after is None else fixture_text(after)
    assert result.new_bytes == expected, (
        f"expected:\n{_shown(expected)}\ngot:\n{_shown(result.new_bytes)}")
    if problems is not None:
        assert result.problems == problems
    return result


def assert_rewrites_agree(repo: Path, plan: Path) -> int:
    """Both rewrites of every Python file of `repo` under `plan` agree; returns how many
    files the plan changes (so a caller can tell that the check saw something)."""
    preview = Preview(Workspace.open(repo, plan))
    disagreements = []
    changed = 0
    for path in preview.repo.python_files:
        source = (repo / path).read_bytes()
        comparison = compare_rewrites(source, preview.context_of(path), preview.rewrite_state)
        in_part = compare_rewrites(source, preview.context_of(path), preview.rewrite_state,
                                   parses=parses(source))
        if not comparison.agree or not in_part.agree:
            disagreements.append(f"{path}:\n  {comparison.explain()}\n  {in_part.explain()}")
        elif comparison.whole_file.new_bytes != source:
            changed += 1
    assert not disagreements, "the two rewrites disagree on " + "\n".join(disagreements)
    return changed


def _modules_around(moves: Mapping[str, str]) -> set[str]:
    return {module for old in moves for module in (old, *names.ancestors(old))}


def _context(path: str, resolver: Resolver) -> FileContext:
    pure = PurePosixPath(path)
    parts = pure.with_suffix("").parts
    is_package = pure.stem == "__init__"
    module = ".".join(parts[:-1] if is_package else parts)
    return FileContext(path, module, is_package, resolver.new_name(module))


def _shown(data: bytes | None) -> str:
    return "<does not parse>" if data is None else data.decode("utf-8", "replace")


def recording_parts(monkeypatch: pytest.MonkeyPatch) -> list[bytes | None]:
    """The part of each file CPython is given by the statement-level rewrite from now on
    (`statements._parts`; `None`: the whole file)."""
    parsed: list[bytes | None] = []
    parse = statements._parse_utf8

    def recording(text: bytes, part: bytes | None = None) -> ast.Module | None:
        parsed.append(part)
        return parse(text, part)

    monkeypatch.setattr(statements, "_parse_utf8", recording)
    return parsed


def counting_libcst_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The statement-level rewrite's libcst runs from now on, each as the number of
    statements it was given (`statements._Batch.transform`)."""
    calls: list[int] = []
    real = statements._Batch.transform

    def transform(self: statements._Batch, run: list[object]) -> str | None:
        calls.append(len(self.texts))
        return real(self, run)  # type: ignore[arg-type]

    monkeypatch.setattr(statements._Batch, "transform", transform)
    return calls
