"""Which tests pytest collects, before an apply and after it: a test that no longer
collects (its module or a conftest no longer imports) is a problem verify reports, like
a module that no longer imports.

Collecting imports the test modules and conftest files, so it runs the repo's code: in a
subprocess, with bytecode writing off and pytest's cache plugin off, so that nothing is
written into the repo. What pytest collected comes back through a small plugin writing
JSON to a file outside the repo (pytest's own listing changes with the repo's `addopts`:
`-q` twice prints counts, not test ids).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyagent_workbench import safefiles

_PLUGIN = "_pyagent_workbench_collect"
_OUTPUT = "PYAGENT_WORKBENCH_COLLECTED"

# Runs inside the repo's pytest, under whatever Python the repo uses: plain code.
_PLUGIN_SOURCE = r'''
import json
import os

_errors = {}


def _short(report):
    lines = [line for line in str(report.longreprtext).splitlines() if line.strip()]
    marked = [line[1:].strip() for line in lines if line.startswith("E ")]
    return (marked or lines or ["collection failed"])[-1][:300]


def pytest_collectreport(report):
    if report.failed:
        _errors.setdefault(report.nodeid, _short(report))


def pytest_collection_finish(session):
    config = session.config
    root = getattr(config, "rootpath", None) or config.rootdir
    with open(os.environ["''' + _OUTPUT + r'''"], "w", encoding="utf-8") as handle:
        json.dump({"rootdir": str(root), "ids": [item.nodeid for item in session.items],
                   "errors": _errors}, handle)
'''


def uses_pytest(root: Path) -> bool:
    """Does the repo run its tests with pytest: a pytest configuration, or a conftest.py
    at the root or in a top-level tests folder?"""
    if any((root / folder / "conftest.py").is_file() for folder in (".", "tests", "test")):
        return True
    if (root / "pytest.ini").is_file():
        return True
    tool = safefiles.read_toml(root / "pyproject.toml").get("tool")
    pytest_table = tool.get("pytest") if isinstance(tool, dict) else None
    if isinstance(pytest_table, dict) and "ini_options" in pytest_table:
        return True
    for name, section in (("setup.cfg", "tool:pytest"), ("tox.ini", "pytest")):
        parser = safefiles.read_ini(root / name)
        if parser is not None and parser.has_section(section):
            return True
    return False


@dataclass
class Collected:
    """What one `pytest --collect-only` found: test ids and collection errors (keyed by
    the node that failed, a test file's path mostly), both relative to the repo root;
    `failure` says why pytest collected nothing at all (not importable, a conftest that
    fails, a timeout), else None."""

    ids: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    failure: str | None = None


def collect_tests(root: Path, *, python: str, env: Mapping[str, str],
                  timeout: float) -> Collected:
    """Run `python -m pytest --collect-only` in `root` (this runs the repo's code)."""
    with tempfile.TemporaryDirectory(prefix="pyagent-workbench-collect-") as scratch:
        Path(scratch, _PLUGIN + ".py").write_text(_PLUGIN_SOURCE, encoding="utf-8")
        output = Path(scratch, "collected.json")
        run_env = {**env, "PYTHONDONTWRITEBYTECODE": "1", _OUTPUT: str(output),
                   "PYTHONPATH": os.pathsep.join(
                       [scratch, *filter(None, [env.get("PYTHONPATH")])])}
        try:
            out = subprocess.run(
                [python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                 "-p", _PLUGIN],
                cwd=root, env=run_env, capture_output=True, text=True, errors="replace",
                timeout=timeout, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return Collected(failure=f"pytest did not finish collecting within {timeout:g} s")
        except OSError as error:
            return Collected(failure=f"{python} cannot be run: {error.strerror}")
        try:
            data = json.loads(output.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Collected(failure=_why_nothing(out))
    if not isinstance(data, dict):
        return Collected(failure="pytest wrote an unreadable list of tests")
    prefix = _prefix(root, str(data.get("rootdir", "")))
    ids = data.get("ids")
    errors = data.get("errors")
    return Collected(
        ids=sorted(prefix + str(i) for i in ids) if isinstance(ids, list) else [],
        errors={prefix + str(k): str(v) for k, v in errors.items()}
        if isinstance(errors, dict) else {})


def _why_nothing(out: subprocess.CompletedProcess[str]) -> str:
    """One line from pytest's output: its error (`E   ...`) or its last words."""
    lines = [line.strip() for line in (out.stderr + "\n" + out.stdout).splitlines()
             if line.strip()]
    marked = [line[1:].strip() for line in lines if line.startswith("E ")]
    last = (marked or lines or [f"exit status {out.returncode}"])[-1]
    return f"pytest collected nothing (exit status {out.returncode}): {last[:300]}"


def _prefix(root: Path, rootdir: str) -> str:
    """pytest's ids are relative to its rootdir, which may lie below the repo root."""
    try:
        relative = Path(rootdir).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return ""
    return "" if relative == "." else relative + "/"


# -- before and after ------------------------------------------------------------------------


def as_record(collected: Collected, moved_files: Mapping[str, str]) -> dict[str, object]:
    """What the verify record keeps of the collection before the apply: the ids, the
    errors, and where each test file the plan moves goes (verify, later, has only the
    record to map them with)."""
    if collected.failure is not None:
        return {"unavailable": collected.failure}
    if not collected.ids and collected.errors:
        first, error = sorted(collected.errors.items())[0]
        return {"unavailable": f"pytest collected no test ({len(collected.errors)} "
                               f"collection errors; the first: {first}: {error})"}
    paths = {_path_of(node) for node in (*collected.ids, *collected.errors)}
    return {"ids": collected.ids, "errors": collected.errors,
            "paths": {p: moved_files[p] for p in sorted(paths) if p in moved_files}}


@dataclass
class Comparison:
    checked: int
    """Tests collected before the apply."""
    lost: list[str]
    """Test ids (as after the move) collected before and not after."""
    new_errors: dict[str, str]
    """Collection errors that appear only after the apply."""
    failure: str | None
    """Why pytest collected nothing after the apply, when it did before."""


def compare(record: Mapping[str, object], after: Collected,
            rename: Callable[[str], str]) -> Comparison:
    """The record's collection (`as_record`) mapped through the move, against `after`.
    `rename` maps a dotted module name (a doctest's id names its module)."""
    ids, errors, paths = record.get("ids"), record.get("errors"), record.get("paths")
    before_ids = [str(i) for i in ids] if isinstance(ids, list) else []
    before_errors = [str(e) for e in errors] if isinstance(errors, dict) else []
    moved = {str(k): str(v) for k, v in paths.items()} if isinstance(paths, dict) else {}
    expected = {_moved_id(i, moved, rename) for i in before_ids}
    known_errors = {_moved_id(e, moved, rename) for e in before_errors}
    # Some parameter ids differ from one run to the next (a time, a random value, an
    # address): a parametrized test is lost only when it collects fewer instances.
    instances_before = Counter(_unparametrized(i) for i in expected)
    instances_after = Counter(_unparametrized(i) for i in after.ids)
    lost = [test for test in expected - set(after.ids)
            if _unparametrized(test) == test
            or instances_after[_unparametrized(test)] < instances_before[_unparametrized(test)]]
    return Comparison(
        checked=len(before_ids),
        lost=sorted(lost),
        new_errors={node: error for node, error in sorted(after.errors.items())
                    if node not in known_errors},
        failure=after.failure,
    )


def _path_of(node: str) -> str:
    return node.partition("::")[0]


def _unparametrized(node: str) -> str:
    """`path::test[params]` -> `path::test` (a path may hold brackets, an id's `::` not)."""
    path, sep, rest = node.partition("::")
    return path + sep + rest.partition("[")[0]


def _moved_id(node: str, moved: Mapping[str, str], rename: Callable[[str], str]) -> str:
    """A test id as it reads after the move: its file's new path; the module names it
    holds renamed too: a doctest's (`path::module.name`), and a parameter's
    (`test_import[pkg.a]`, from a string the apply rewrote)."""
    path, sep, rest = node.partition("::")
    path = moved.get(path, path)
    if "." in rest and "::" not in rest and "[" not in rest:
        return path + sep + rename(rest)
    name, bracket, params = rest.partition("[")
    if bracket and params.endswith("]"):
        params = "-".join(rename(part) if "." in part else part
                          for part in params[:-1].split("-")) + "]"
    return path + sep + name + bracket + params
