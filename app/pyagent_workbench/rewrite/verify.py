"""Verify an applied plan: no import edge lost or added, every module that imported
before still imports, and (in a repo that uses pytest) every test that collected before
still collects.

The import check and the collection run the repo's code (in a subprocess, with bytecode
writing off): they are, with `apply --run-tests`, the only places where
pyagent-workbench executes the user's code. Everything else parses.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyagent_workbench.analysis.graph import ImportGraph, build_graph
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.model.mapping import ModuleMapping
from pyagent_workbench.rewrite import collect
from pyagent_workbench.rewrite.engine import ChangeSet
from pyagent_workbench.rewrite.records import verify_record_path
from pyagent_workbench.workspace import Workspace

_CHUNK = 200
_TIMEOUT = 300

# Only `sys` and `os` (both loaded by every interpreter before the repo is on the path):
# a repo may have a package named like a standard module (`json`, `logging`) that the
# script must not have imported first. Names come one a line (the ones to import alone
# after a line `@@ALONE@@`); results go back as a Python literal.
#
# A module imported *alone* is imported in a fork of the clean interpreter, with nothing of
# the repo loaded: a module that only worked because another one happened to be imported
# first (say its `import a.b.c` no longer brings in `a.b`, which it uses) fails there,
# while importing every module in one interpreter would hide it.
_IMPORT_SCRIPT = r"""
import os, sys

def attempt(name):
    try:
        __import__(name)
        return None
    except BaseException as error:  # SystemExit and friends count as failures too
        return (type(error).__name__ + ": " + str(error))[:300]

together, _, alone = sys.stdin.read().partition("@@ALONE@@")
results = {}
for name in alone.split() if hasattr(os, "fork") else []:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        error = attempt(name)
        os.write(writer, b"ok" if error is None else ("error:" + error).encode())
        os._exit(0)
    os.close(writer)
    chunks = []
    while True:
        chunk = os.read(reader, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(reader)
    os.waitpid(pid, 0)
    answer = b"".join(chunks).decode("utf-8", "replace")
    results[name] = (None if answer == "ok" else answer[6:] if answer.startswith("error:")
                     else "the interpreter exited while importing it on its own")
for name in together.split():
    if name not in results:
        results[name] = attempt(name)
sys.stdout.write("\n@@RESULTS@@" + repr(results))
"""
_ALONE_LIMIT = 400
"""At most this many modules are imported alone (each re-runs what it imports)."""
_TESTS_SHOWN = 20
"""At most this many lost tests are listed in the text report (JSON lists them all)."""


class VerifyError(WorkbenchError):
    pass


@dataclass
class VerifyReport:
    lost_edges: list[tuple[str, str]] = field(default_factory=list)
    added_edges: list[tuple[str, str]] = field(default_factory=list)
    broken_imports: dict[str, str] = field(default_factory=dict)
    still_failing: dict[str, str] = field(default_factory=dict)
    """Modules that failed to import before the apply and still fail the same way."""
    modules_checked: int = 0
    edges_checked: int = 0
    tests_checked: int | None = None
    """Tests pytest collected before the apply; None when the tests were not collected."""
    lost_tests: list[str] = field(default_factory=list)
    """Test ids (their new file paths) collected before the apply and not after."""
    collection_errors: dict[str, str] = field(default_factory=dict)
    """Collection errors (by test file, mostly) that appear only after the apply."""
    collection_failed: str | None = None
    """Why pytest collected nothing at all after the apply, when it did before."""
    tests_note: str | None = None
    """Why the tests were not compared though the repo uses pytest (it could not collect
    them before the apply): said, never a problem."""

    @property
    def ok(self) -> bool:
        return not (self.lost_edges or self.added_edges or self.broken_imports
                    or self.lost_tests or self.collection_errors or self.collection_failed)

    def render(self) -> str:
        checked = f"{self.edges_checked} import edges and {self.modules_checked} modules"
        if self.tests_checked is not None:
            checked = (f"{self.edges_checked} import edges, {self.modules_checked} modules "
                       f"and {self.tests_checked} tests")
        lines = [f"verify: {checked} checked: {'OK' if self.ok else 'PROBLEMS FOUND'}"]
        for a, b in self.lost_edges:
            lines.append(f"  lost import edge: {a} -> {b}")
        for a, b in self.added_edges:
            lines.append(f"  new import edge: {a} -> {b}")
        for name, error in sorted(self.broken_imports.items()):
            lines.append(f"  no longer imports: {name}: {error}")
        if self.still_failing:
            lines.append(f"  {len(self.still_failing)} modules failed to import before the "
                         f"apply too (unchanged): " + ", ".join(sorted(self.still_failing)[:5])
                         + (" ..." if len(self.still_failing) > 5 else ""))
        if self.collection_failed:
            lines.append(f"  tests no longer collect at all: {self.collection_failed}")
        for node, error in sorted(self.collection_errors.items()):
            lines.append(f"  new collection error: {node or '(session)'}: {error}")
        for test in self.lost_tests[:_TESTS_SHOWN]:
            lines.append(f"  test no longer collects: {test}")
        if len(self.lost_tests) > _TESTS_SHOWN:
            lines.append(f"  ... and {len(self.lost_tests) - _TESTS_SHOWN} more tests that no "
                         f"longer collect (verify --json lists them all)")
        if self.tests_note:
            lines.append(f"  tests not compared: {self.tests_note}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": 1,
            "ok": self.ok,
            "edges_checked": self.edges_checked,
            "modules_checked": self.modules_checked,
            "lost_edges": [list(e) for e in self.lost_edges],
            "added_edges": [list(e) for e in self.added_edges],
            "broken_imports": self.broken_imports,
            "still_failing": self.still_failing,
            "tests_checked": self.tests_checked,
            "lost_tests": self.lost_tests,
            "collection_errors": self.collection_errors,
            "collection_failed": self.collection_failed,
            "tests_note": self.tests_note,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> VerifyReport | None:
        """The report `as_json` wrote (the applied record keeps it); None when the data
        is not of that shape (a record is read, never trusted). A report written before
        the tests were collected reads as one that did not collect them."""
        def pairs(key: str) -> list[tuple[str, str]]:
            value = data.get(key, [])
            if not isinstance(value, list) or not all(
                    isinstance(p, list) and len(p) == 2 for p in value):
                raise ValueError(key)
            return [(str(a), str(b)) for a, b in value]

        def texts(key: str) -> dict[str, str]:
            value = data.get(key, {})
            if not isinstance(value, dict):
                raise ValueError(key)
            return {str(k): str(v) for k, v in value.items()}

        def count(key: str) -> int:
            value = data.get(key, 0)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(key)
            return value

        def strings(key: str) -> list[str]:
            value = data.get(key, [])
            if not isinstance(value, list):
                raise ValueError(key)
            return [str(v) for v in value]

        def optional_text(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        try:
            return cls(
                lost_edges=pairs("lost_edges"), added_edges=pairs("added_edges"),
                broken_imports=texts("broken_imports"), still_failing=texts("still_failing"),
                modules_checked=count("modules_checked"), edges_checked=count("edges_checked"),
                tests_checked=count("tests_checked") if data.get("tests_checked") is not None
                else None,
                lost_tests=strings("lost_tests"), collection_errors=texts("collection_errors"),
                collection_failed=optional_text("collection_failed"),
                tests_note=optional_text("tests_note"))
        except ValueError:
            return None


def import_modules(workspace: Workspace, module_names: list[str], *,
                   python: str | None = None, alone: Iterable[str] = ()
                   ) -> dict[str, str | None]:
    """Import each module in a fresh interpreter (those in `alone` each with nothing else
    of the repo imported): name -> None, or the error."""
    results: dict[str, str | None] = {}
    alone_set = set(sorted(set(alone) & set(module_names))[:_ALONE_LIMIT])
    for start in range(0, len(module_names), _CHUNK):
        chunk = module_names[start:start + _CHUNK]
        results.update(_import_chunk(workspace, chunk, python,
                                     [n for n in chunk if n in alone_set]))
    return results


def _interpreter(python: str | None) -> str:
    """The Python that runs the repo's code (the import check, the collection)."""
    return python or sys.executable


def _environment(workspace: Workspace) -> dict[str, str]:
    """Bytecode writing off, and the source root first on the path."""
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": os.pathsep.join(
                [str(workspace.repo.source_dir),
                 *filter(None, [os.environ.get("PYTHONPATH")])])}


def _import_chunk(workspace: Workspace, names: list[str],
                  python: str | None, alone: list[str] | None = None
                  ) -> dict[str, str | None]:
    repo = workspace.repo
    try:
        out = subprocess.run(
            [_interpreter(python), "-W", "ignore", "-c", _IMPORT_SCRIPT],
            input="\n".join(names) + "\n@@ALONE@@\n" + "\n".join(alone or []),
            capture_output=True, text=True, cwd=repo.root, env=_environment(workspace),
            timeout=_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        out = None
    if out is not None and "@@RESULTS@@" in out.stdout:
        try:
            return dict(ast.literal_eval(out.stdout.rsplit("@@RESULTS@@", 1)[1].strip()))
        except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
            pass  # something printed after the results (the repo's code runs here, and
            # may print a literal nested past the parser's limits): one module at a time
    if len(names) == 1:
        reason = "timed out" if out is None else (
            f"the interpreter exited ({out.returncode}): "
            f"{(out.stderr.strip().splitlines() or [''])[-1][:200]}")
        return {names[0]: reason}
    # One module took the interpreter down: check them one by one.
    results: dict[str, str | None] = {}
    for name in names:
        results.update(_import_chunk(workspace, [name], python,
                                     [name] if alone and name in alone else None))
    return results


def record_before(workspace: Workspace, graph: ImportGraph, changeset: ChangeSet, *,
                  python: str | None = None, collect_tests: bool = True) -> dict[str, Any]:
    """What verify compares against: today's edges, which modules import and, in a repo
    that uses pytest (unless `collect_tests` is off), which tests collect (saved with
    `records.save_verify_record`)."""
    modules = sorted(workspace.module_table)
    alone = changed_modules(workspace, changeset)
    imported = import_modules(workspace, modules, python=python, alone=alone)
    mapping = workspace.mapping
    record: dict[str, Any] = {
        "schema": 1,
        # Every module the graph knows, not only those the tool can name: a module whose
        # name is no identifier (`migrations.0001_initial`) has edges too, and moves.
        "mapping": {m: mapping.new_name(m) for m in sorted({*modules, *graph.modules})},
        "edges": sorted([list(e) for e in graph.edges()]),
        "imports": imported,
        "alone": alone,
        "namespaces": sorted(m for m, (path, _) in workspace.module_table.items()
                             if path.endswith("/")),
        "facades": sorted(c.new_path for c in changeset.changes if c.kind == "facade"),
    }
    if collect_tests and collect.uses_pytest(workspace.repo.root):
        record["tests"] = collect.as_record(
            _collect(workspace, python), {f.old: f.new for f in mapping.files})
    return record


def _collect(workspace: Workspace, python: str | None) -> collect.Collected:
    return collect.collect_tests(workspace.repo.root, python=_interpreter(python),
                                 env=_environment(workspace), timeout=_TIMEOUT)


_PLAIN_IMPORT = re.compile(rb"^[ \t]*import[ \t]+([\w. \t,]+?)[ \t]*(?:#|;|$)", re.MULTILINE)


def changed_modules(workspace: Workspace, changeset: ChangeSet) -> list[str]:
    """Today's names of the modules to import on their own, before and after: those whose
    rewritten file has a plain `import a.b.c` of a moved module (which also imported
    `a.b`, and code may rely on that)."""
    by_path = {module.path: name for name, module in workspace.repo.modules.items()}
    mapping = workspace.mapping
    names = set()
    for change in changeset.changes:
        if change.kind not in ("move", "rewrite") or change.old_path not in by_path:
            continue
        if not change.is_modified or change.old_bytes is None:
            continue
        for match in _PLAIN_IMPORT.finditer(change.old_bytes):
            imported = [part.strip().decode("utf-8", "replace")
                        for part in match.group(1).split(b",")]
            if any(" " not in name and "." in name and mapping.is_moved(name)
                   for name in imported):
                names.add(by_path[change.old_path])
                break
    return sorted(names)


def verify(workspace: Workspace, *, python: str | None = None,
           collect_tests: bool = True) -> VerifyReport:
    """Compare the tree with the record `apply` kept; `collect_tests` off leaves the tests
    out even when the record has them."""
    path = verify_record_path(workspace)
    if not path.exists():
        raise VerifyError(
            f"no record of this plan's apply in {path.parent}: verify compares with what "
            f"`apply` recorded before changing the repo")
    record = json.loads(path.read_text(encoding="utf-8"))
    rename = _renamer(record["mapping"])
    facade_paths = set(record.get("facades", []))
    facade_modules = {
        name for name, module in workspace.repo.modules.items() if module.path in facade_paths
    }
    graph = build_graph(workspace.repo)
    expected = {(rename(a), rename(b)) for a, b in record["edges"]}
    actual = {
        (a, b) for a, b in graph.edges() if a not in facade_modules and b not in facade_modules
    }
    # `import a.b.c` imports the packages `a` and `a.b` too; when the rewrite has to name
    # one of them explicitly (the code used it and it no longer comes with the import),
    # that edge was there all along.
    implicit = {
        (rename(a), rename(ancestor)) for a, b in record["edges"] for ancestor in _ancestors(b)
    }
    report = VerifyReport(
        lost_edges=sorted(expected - actual),
        added_edges=sorted(actual - expected - implicit),
        edges_checked=len(expected),
    )
    before: dict[str, str | None] = record["imports"]
    new_names = sorted({rename(m) for m in before})
    after = import_modules(workspace, new_names, python=python,
                           alone=[rename(m) for m in record.get("alone", [])])
    report.modules_checked = len(new_names)
    namespaces = set(record.get("namespaces", []))
    for old, error_before in sorted(before.items()):
        new = rename(old)
        error_after = after.get(new, "missing after the apply")
        if error_after is None:
            continue
        if old in namespaces and new not in workspace.repo.modules:
            continue  # a package without __init__.py that the plan emptied: it is gone
        if error_before is None:
            report.broken_imports[new] = error_after
        else:
            report.still_failing[new] = error_after
    tests = record.get("tests")
    if collect_tests and isinstance(tests, dict):
        _compare_tests(workspace, tests, report, rename, python)
    return report


def _compare_tests(workspace: Workspace, tests: dict[str, Any], report: VerifyReport,
                   rename: Callable[[str], str], python: str | None) -> None:
    """Collect the tests again and report those that no longer collect."""
    if "unavailable" in tests:
        report.tests_note = f"before the apply, {tests['unavailable']}"
        return
    comparison = collect.compare(tests, _collect(workspace, python), rename)
    report.tests_checked = comparison.checked
    report.lost_tests = comparison.lost
    report.collection_errors = comparison.new_errors
    report.collection_failed = comparison.failure


def _renamer(mapping: Mapping[str, str]) -> Callable[[str], str]:
    """A module's name after the apply, by the record's mapping; a name the record lacks
    (one below a module, or a record of an older version, which listed only the modules
    whose names are identifiers) moves with its nearest ancestor in it."""
    def rename(name: str) -> str:
        if name in mapping:
            return mapping[name]
        for ancestor in reversed(_ancestors(name)):
            if ancestor in mapping:
                return mapping[ancestor] + name[len(ancestor):]
        return name

    return rename


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


# -- --run-tests ---------------------------------------------------------------------------


@dataclass
class TestRun:
    returncode: int
    passed: set[str]
    """Test ids that passed (pytest only; empty for other commands)."""
    per_test: bool
    summary: str


def run_tests(root: Path, command: str, state: Path) -> TestRun:
    """Run the user's test command (this runs the repo's code, as asked)."""
    junit = None
    if "pytest" in command:
        handle, junit = tempfile.mkstemp(suffix=".xml", dir=state)
        os.close(handle)
        command = f"{command} --junit-xml={junit} -p no:cacheprovider"
    out = subprocess.run(command, shell=True, cwd=root, capture_output=True, text=True,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, check=False)
    passed: set[str] = set()
    per_test = False
    if junit and os.path.getsize(junit):
        per_test = True
        tree = ElementTree.parse(junit)
        for case in tree.iter("testcase"):
            if not any(child.tag in ("failure", "error", "skipped") for child in case):
                passed.add(f"{case.get('classname')}::{case.get('name')}")
        os.unlink(junit)
    elif junit:
        os.unlink(junit)
    tail = (out.stdout.strip().splitlines() or [""])[-1]
    return TestRun(out.returncode, passed, per_test, tail)


def regressions(before: TestRun | None, after: TestRun, mapping: ModuleMapping) -> list[str]:
    if before is None:
        return []
    if not (before.per_test and after.per_test):
        return ["the test command"] if before.returncode == 0 and after.returncode != 0 else []
    moved = set()
    for test in before.passed:
        classname, _, name = test.partition("::")
        moved.add(f"{_new_test_class(classname, mapping)}::{name}")
    return sorted(moved - after.passed)


def _new_test_class(classname: str, mapping: ModuleMapping) -> str:
    """junit classnames are `module.Class` or `module`: map the module part."""
    return mapping.new_name(classname)
