"""Real projects nobody here wrote, downloaded from PyPI at test time (never committed):
a plan moves several of their modules into new subpackages (relative imports and
string references included), and their own test suites give the same results after.

The projects with more than a thousand tests (click, marshmallow) are held to what a
reviewer asks of the pull request (issue 16): a hand-written plan of 12+ moves with
facades and without, and the project's own suggestion, each leave the same test IDs
passing, ruff's findings and `ruff format --check` as they were under the project's own
config, and everything the apply changed staged in git."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyagent_workbench.model.plan import Plan
from support.cli import run
from support.plans import review_and_approve, write_plan
from support.repos import git, git_init

pytestmark = pytest.mark.realworld

DOWNLOADS = Path(__file__).parent / ".downloads"


@dataclass(frozen=True)
class Project:
    requirement: str
    source_dir: str
    """Where its import packages live, relative to the sdist root (for PYTHONPATH)."""
    packages: list[str]
    moves: list[tuple[str, str]]
    mentions: tuple[str, ...] = ()
    """Files whose mentions of old names the diff must list for review (not rewrite)."""
    moves_without_facades: list[tuple[str, str]] | None = None
    """The plan used with --no-facades, when `moves` needs a facade to keep working."""
    reviewed: bool = False
    """Held to the pull-request checks: test IDs, ruff, staging, its own suggestion."""


PROJECTS = {
    # Jinja2's compiler writes `from jinja2.runtime import ...` into the code it
    # generates: that string must follow the move. Its tests need markupsafe (in the
    # test extra) and turn every warning into an error (a facade's included).
    "jinja2": Project(
        "Jinja2==3.1.4", "src", ["jinja2"],
        [("jinja2.lexer", "jinja2.syntax.lexer"),
         ("jinja2.parser", "jinja2.syntax.parser"),
         ("jinja2.compiler", "jinja2.codegen.compiler"),
         ("jinja2.runtime", "jinja2.codegen.runtime"),
         ("jinja2.idtracking", "jinja2.codegen.idtracking"),
         ("jinja2.bccache", "jinja2.loading.bccache"),
         ("jinja2.loaders", "jinja2.loading.loaders")],
    ),
    "sqlparse": Project(
        "sqlparse==0.5.4", ".", ["sqlparse"],
        [("sqlparse.engine", "sqlparse.core.engine"),
         ("sqlparse.filters", "sqlparse.core.filters"),
         ("sqlparse.keywords", "sqlparse.lexing.keywords"),
         ("sqlparse.lexer", "sqlparse.lexing.lexer"),
         ("sqlparse.utils", "sqlparse.common.utils")],
    ),
    # 1,336 tests; ruff sorts its imports one a line (force-single-line).
    "click": Project(
        "click==8.3.1", "src", ["click"],
        [("click._compat", "click.support._compat"),
         ("click._termui_impl", "click.ui._termui_impl"),
         ("click._textwrap", "click.ui._textwrap"),
         ("click._utils", "click.support._utils"),
         ("click._winconsole", "click.ui._winconsole"),
         ("click.formatting", "click.ui.formatting"),
         ("click.termui", "click.ui.termui"),
         ("click.parser", "click.parsing.parser"),
         ("click.shell_completion", "click.parsing.shell_completion"),
         ("click.globals", "click.support.globals"),
         ("click.exceptions", "click.errors.exceptions"),
         ("click.types", "click.parsing.types"),
         ("click.utils", "click.support.utils"),
         ("click.testing", "click.support.testing")],
        reviewed=True,
    ),
    # 1,237 tests; ruff with every rule selected, ruff-format; tests need simplejson.
    "marshmallow": Project(
        "marshmallow==3.26.1", "src", ["marshmallow"],
        [("marshmallow.base", "marshmallow.core.base"),
         ("marshmallow.class_registry", "marshmallow.core.class_registry"),
         ("marshmallow.decorators", "marshmallow.api.decorators"),
         ("marshmallow.error_store", "marshmallow.errors.error_store"),
         ("marshmallow.exceptions", "marshmallow.errors.exceptions"),
         ("marshmallow.fields", "marshmallow.api.fields"),
         ("marshmallow.orderedset", "marshmallow.common.orderedset"),
         ("marshmallow.schema", "marshmallow.api.schema"),
         # `types` goes with `base` and `class_registry`: `schema.py` imports the
         # three in one statement, and split apart its typing-only `types` import
         # would stand alone, which ruff's TC001 flags (a split the plan makes).
         ("marshmallow.types", "marshmallow.core.types"),
         ("marshmallow.utils", "marshmallow.common.utils"),
         ("marshmallow.validate", "marshmallow.api.validate"),
         ("marshmallow.warnings", "marshmallow.errors.warnings")],
        reviewed=True,
    ),
    "attrs": Project(
        "attrs==25.4.0", "src", ["attr", "attrs"],
        [("attr.validators", "attr.api.validators"),
         ("attr.converters", "attr.api.converters"),
         ("attr.filters", "attr.api.filters"),
         ("attr.setters", "attr.api.setters"),
         ("attr._cmp", "attr.core._cmp"),
         ("attr._make", "attr.core._make"),
         ("attr._funcs", "attr.core._funcs")],
        # attrs generates code that reaches `attr._make` through `__import__`: the diff
        # lists it for a person to decide, and with facades the old path keeps working.
        # Without facades, the plan leaves `_make` where it is.
        mentions=("src/attr/core/_make.py",),
        moves_without_facades=[("attr.validators", "attr.api.validators"),
                               ("attr.converters", "attr.api.converters"),
                               ("attr.filters", "attr.api.filters"),
                               ("attr.setters", "attr.api.setters"),
                               ("attr._cmp", "attr.core._cmp"),
                               ("attr._funcs", "attr.core._funcs")],
    ),
}


def fetch(requirement: str) -> Path:
    """The sdist's extracted tree, downloaded once per checkout."""
    DOWNLOADS.mkdir(exist_ok=True)
    name = requirement.replace("==", "-").lower()  # sdists are named in lower case
    tree = DOWNLOADS / name
    if tree.is_dir():
        return tree
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
         ":all:", requirement, "-d", str(DOWNLOADS)],
        check=True, capture_output=True)
    archive = next(DOWNLOADS.glob(f"{name}.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(DOWNLOADS, filter="data")
    return tree


def counts(tree: Path, project: Project) -> dict[str, int]:
    return _pytest(tree, project)[0]


def passed_ids(tree: Path, project: Project) -> set[str]:
    return _pytest(tree, project)[1]


def collected_ids(tree: Path, project: Project) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(tree / project.source_dir),
           "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider",
         "tests"], cwd=tree, capture_output=True, text=True, env=env, check=False,
        timeout=900)
    return {line for line in result.stdout.splitlines() if "::" in line}


_BEFORE: dict[str, Passed] = {}
_LINT_BEFORE: dict[str, Lint] = {}


@dataclass(frozen=True)
class Passed:
    """The tests that pass, by ID; a test whose parameter IDs change from run to run
    (marshmallow's carry the time of day) by how many of its cases pass."""

    ids: frozenset[str]
    by_count: tuple[tuple[str, int], ...]

    @staticmethod
    def of(tree: Path, project: Project, unstable: frozenset[str]) -> Passed:
        ids = passed_ids(tree, project)
        counts: dict[str, int] = {}
        for test in ids:
            function = test.split("[", 1)[0]
            if function in unstable:
                counts[function] = counts.get(function, 0) + 1
        return Passed(frozenset(i for i in ids if i.split("[", 1)[0] not in unstable),
                      tuple(sorted(counts.items())))

    @staticmethod
    def before(tree: Path, project: Project) -> Passed:
        """The tests collected twice: those whose IDs differ between the two collections
        are compared by count. Computed once a project (each test starts from the same
        sdist)."""
        if project.requirement not in _BEFORE:
            first = collected_ids(tree, project)
            time.sleep(1.5)  # IDs with the time of day in them differ a second later
            second = collected_ids(tree, project)
            unstable = frozenset(test.split("[", 1)[0] for test in first ^ second)
            _BEFORE[project.requirement] = Passed.of(tree, project, unstable)
        return _BEFORE[project.requirement]

    @property
    def unstable(self) -> frozenset[str]:
        return frozenset(function for function, _ in self.by_count)

    def renamed(self, moves: list[tuple[str, str]]) -> Passed:
        """The IDs as the moves rename them: a parameter holding a moved module's path
        (plainly or with escaped dots, as click's `match=` patterns do) is rewritten
        with the code, and the test's ID follows it."""
        def rename(test: str) -> str:
            for source, target in sorted(moves, key=lambda m: -len(m[0])):
                for dot in (".", "\\.", "\\\\."):
                    pattern = re.escape(source.replace(".", dot))
                    test = re.sub(rf"(?<![\w.\\]){pattern}(?![\w])",
                                  target.replace(".", dot).replace("\\", "\\\\"), test)
            return test
        return Passed(frozenset(rename(test) for test in self.ids), self.by_count)


def _pytest(tree: Path, project: Project) -> tuple[dict[str, int], set[str]]:
    env = {**os.environ, "PYTHONPATH": str(tree / project.source_dir),
           "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "--tb=line",
         "tests"],
        cwd=tree, capture_output=True, text=True, env=env, check=False, timeout=900)
    summary = result.stdout.strip().splitlines()[-1]
    found = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", summary)
             if not kind.startswith("warning")}  # a facade's DeprecationWarning is expected
    assert "passed" in found, result.stdout[-3000:]
    passed = {line.removeprefix("PASSED ") for line in result.stdout.splitlines()
              if line.startswith("PASSED ")}
    return found, passed


@dataclass
class Lint:
    """Ruff under the project's own config (read only: no fix, no cache)."""

    by_rule: dict[str, int]
    """Findings counted by rule, file rules apart."""
    passing_file_rules: dict[str, set[str]]
    """For each file rule (one reported at 1:1 only, such as a missing copyright notice),
    the checked files it does not flag: a move must keep them, a new file gets the rule
    as every other file does."""
    unformatted: int
    """Files `ruff format --check` would change."""

    def renamed(self, renames: dict[str, str]) -> Lint:
        return Lint(self.by_rule, {code: {renames.get(path, path) for path in files}
                                   for code, files in self.passing_file_rules.items()},
                    self.unformatted)


def ruff_findings(tree: Path) -> Lint:
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-fix", "--no-cache", "--exit-zero",
         "--output-format", "json", "."], cwd=tree, capture_output=True, text=True, check=True)
    checked = {Path(path).relative_to(tree).as_posix() for path in subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--show-files", "."],
        cwd=tree, capture_output=True, text=True, check=True).stdout.split()
        if path.endswith(".py")}
    findings = [(f["code"], Path(f["filename"]).relative_to(tree).as_posix(),
                 (f["location"]["row"], f["location"]["column"]))
                for f in json.loads(check.stdout)]
    file_rules = {code for code, _, _ in findings} - {
        code for code, _, where in findings if where != (1, 1)}
    by_rule: dict[str, int] = {}
    for code, _, _ in findings:
        if code not in file_rules:
            by_rule[code] = by_rule.get(code, 0) + 1
    passing = {code: checked - {path for c, path, _ in findings if c == code}
               for code in file_rules}
    formatting = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."], cwd=tree,
        capture_output=True, text=True, check=False)
    return Lint(by_rule, passing, formatting.stdout.count("Would reformat: "))


def lint_before_apply(tree: Path, project: Project) -> Lint:
    """`ruff_findings` of the project as downloaded, once a project."""
    if project.requirement not in _LINT_BEFORE:
        _LINT_BEFORE[project.requirement] = ruff_findings(tree)
    return _LINT_BEFORE[project.requirement]


def staged_renames(tree: Path) -> dict[str, str]:
    renames = {}
    # -C: with facades, a moved module's old path stays (as its facade): a copy, to git.
    for line in git(tree, "diff", "--cached", "-M", "-C", "--name-status").splitlines():
        status, *paths = line.split("\t")
        if status.startswith(("R", "C")):
            renames[paths[0]] = paths[1]
    return renames


def unstaged(tree: Path) -> list[str]:
    """`git status` entries that a plain `git commit` would not record."""
    return [line for line in git(tree, "status", "--porcelain").splitlines()
            if line[1] != " " and line[3:] != "pyagent-plan.toml"]  # the user's plan


def _prepared(tmp_path: Path, name: str) -> tuple[Project, Path]:
    project = PROJECTS[name]
    tree = tmp_path / name
    shutil.copytree(fetch(project.requirement), tree)
    git_init(tree)
    return project, tree


@pytest.mark.parametrize("facades", [True, False], ids=["facades", "no-facades"])
@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_real_project_keeps_its_test_results(tmp_path: Path, name: str, facades: bool) -> None:
    project, tree = _prepared(tmp_path, name)
    moves = project.moves if facades else (project.moves_without_facades or project.moves)
    before = counts(tree, project) if not project.reviewed else None
    ids_before = Passed.before(tree, project) if project.reviewed else None
    lint_before = lint_before_apply(tree, project) if project.reviewed else None
    write_plan(tree / "pyagent-plan.toml", moves, packages=project.packages,
               source_root=project.source_dir, facades=facades)

    diff = run("diff", tree / "pyagent-plan.toml")
    assert diff.code == 0, diff.err
    if moves is project.moves:
        for path in project.mentions:
            assert f"  {path}:" in diff.out, diff.out[-3000:]
    result = run("apply", tree / "pyagent-plan.toml")
    assert result.code == 0, result.out[-3000:] + result.err
    assert "checked: OK" in result.out, result.out[-3000:]
    for _source, target in moves:
        path = target.replace(".", "/")
        base = tree / project.source_dir
        assert (base / f"{path}.py").is_file() or (base / path / "__init__.py").is_file()

    if not project.reviewed:
        after = counts(tree, project)
        assert after == before
        assert after["passed"] > 100
        return
    assert len(moves) >= 12
    _assert_a_pull_request_a_reviewer_accepts(tree, project, ids_before, lint_before, moves)


@pytest.mark.parametrize("name", sorted(n for n, p in PROJECTS.items() if p.reviewed))
def test_real_project_applies_its_own_suggestion(tmp_path: Path, name: str) -> None:
    project, tree = _prepared(tmp_path, name)
    ids_before = Passed.before(tree, project)
    lint_before = lint_before_apply(tree, project)
    plan = tree / "pyagent-plan.toml"
    suggested = run("suggest", tree, "-o", plan)
    assert suggested.code == 0, suggested.out + suggested.err
    review_and_approve(plan, tree)
    git(tree, "add", "pyagent-plan.toml")
    git(tree, "commit", "-q", "-m", "the suggested plan")
    result = run("apply", plan)
    assert result.code == 0, result.out[-3000:] + result.err
    assert "checked: OK" in result.out, result.out[-3000:]
    moved = int(re.search(r"(\d+) files moved", result.out).group(1))  # type: ignore[union-attr]
    assert moved >= 5, result.out[-3000:]
    moves = [(move.source, move.target) for move in Plan.load(plan).moves]
    _assert_a_pull_request_a_reviewer_accepts(tree, project, ids_before, lint_before, moves)


def _assert_a_pull_request_a_reviewer_accepts(
        tree: Path, project: Project, ids_before: Passed | None,
        lint_before: Lint | None, moves: list[tuple[str, str]]) -> None:
    assert unstaged(tree) == []
    assert lint_before is not None
    assert ruff_findings(tree) == lint_before.renamed(staged_renames(tree))
    assert ids_before is not None and len(ids_before.ids) > 1000
    ids_after = Passed.of(tree, project, ids_before.unstable)
    expected = ids_before.renamed(moves)
    assert ids_after == expected, (sorted(expected.ids - ids_after.ids)[:20],
                                   sorted(ids_after.ids - expected.ids)[:20])


def test_a_real_project_lands_its_plan_in_batches(tmp_path: Path) -> None:
    """Issue 17: click's plan split into one batch a tier, applied and committed one by
    one; after each batch its own suite passes the same tests (IDs renamed through the
    moves landed so far), and after the last and `facades --remove` too."""
    project, tree = _prepared(tmp_path, "click")
    ids_before = Passed.before(tree, project)
    plan = Plan.new(source_root=project.source_dir, packages=project.packages)
    tiers = {"support": "click.support", "ui": "click.ui", "parsing": "click.parsing",
             "errors": "click.errors"}
    for name, package in tiers.items():
        plan.add_tier(name, package)
    for source, target in project.moves:
        plan.set_move(source, target, next(t for t, p in tiers.items()
                                           if target.startswith(p + ".")))
    plan_path = tree / "pyagent-plan.toml"
    plan.save(plan_path)
    review_and_approve(plan_path, tree)
    git(tree, "add", "pyagent-plan.toml")
    git(tree, "commit", "-q", "-m", "the plan")
    written = run("batches", plan_path, "--max-files", "1000", "--write")
    assert written.code == 0, written.err
    batches = sorted({m.batch for m in Plan.load(plan_path).moves if m.batch is not None})
    assert len(batches) >= 3
    git(tree, "commit", "-q", "-am", "the batches")

    for number in batches:
        result = run("apply", plan_path, "--batch", str(number), "--commit", "--no-collect")
        assert result.code == 0, result.out[-3000:] + result.err
        assert "checked: OK" in result.out, result.out[-3000:]
        assert git(tree, "status", "--porcelain") == ""
        landed = [(m.source, m.target) for m in Plan.load(plan_path).moves if m.landed]
        after = Passed.of(tree, project, ids_before.unstable)
        expected = ids_before.renamed(landed)
        assert after == expected, (number, sorted(expected.ids - after.ids)[:20],
                                   sorted(after.ids - expected.ids)[:20])
    status = json.loads(run("status", plan_path, "--json").out)
    assert status["moves_landed"] == status["moves_total"] == len(project.moves)
    assert len({m["commit"] for m in status["moves"]}) == len(batches)

    # Old paths still used: only by code examples in click's own docs (the code is
    # rewritten; Markdown is for a person to update): those facades stay.
    listed = json.loads(run("facades", plan_path, "--list", "--json").out)["facades"]
    uses = [use["path"] for facade in listed for use in facade["uses"]]
    assert all(path.startswith("docs/") for path in uses), uses
    removed = run("facades", plan_path, "--remove")
    assert removed.code == 0, removed.err
    assert removed.out.count("removed src/click/") == sum(not f["used"] for f in listed) >= 10
    after = Passed.of(tree, project, ids_before.unstable)
    assert after == ids_before.renamed(project.moves)
