"""Real projects nobody here wrote, downloaded from PyPI at test time (never committed):
a plan moves several of their modules into new subpackages (relative imports and
string references included), and their own test suites give the same counts after."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.cli import run
from support.plans import write_plan
from support.repos import git_init

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
    "click": Project(
        "click==8.3.1", "src", ["click"],
        [("click._termui_impl", "click.ui._termui_impl"),
         ("click.termui", "click.ui.termui"),
         ("click.formatting", "click.ui.formatting"),
         ("click.parser", "click.parsing.parser"),
         ("click.shell_completion", "click.parsing.shell_completion")],
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
    env = {**os.environ, "PYTHONPATH": str(tree / project.source_dir),
           "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=line", "tests"],
        cwd=tree, capture_output=True, text=True, env=env, check=False, timeout=900)
    summary = result.stdout.strip().splitlines()[-1]
    found = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", summary)
             if not kind.startswith("warning")}  # a facade's DeprecationWarning is expected
    assert "passed" in found, result.stdout[-3000:]
    return found


@pytest.mark.parametrize("facades", [True, False], ids=["facades", "no-facades"])
@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_real_project_keeps_its_test_results(tmp_path: Path, name: str, facades: bool) -> None:
    project = PROJECTS[name]
    moves = project.moves if facades else (project.moves_without_facades or project.moves)
    tree = tmp_path / name
    shutil.copytree(fetch(project.requirement), tree)
    git_init(tree)
    before = counts(tree, project)
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

    after = counts(tree, project)
    assert after == before
    assert after["passed"] > 100
