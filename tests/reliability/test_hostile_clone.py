"""Issue 15's acceptance, as a new user meets it: a real `git clone` of a repository that
commits links pointing outside itself (a test module, a document, tool configuration,
files under the names of the tool's outputs). `suggest -o`, `edges`, `check`, `diff`,
`apply`, `recover` (after an apply killed half-way), `report` and the workbench leave
everything outside the clone byte-identical, and leave the links as links: what they
cannot do without reading or writing through a link they refuse in one line, before
anything changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.session import Session
from pyagent_workbench.tui.screens.workbench import WorkbenchScreen
from support.plans import review_and_approve, write_plan
from support.repos import git
from tui.harness import make_app, wait_for_screen

from . import stats
from .processes import SCRIPT, cli, entries, refused_in_one_line

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")

OUTSIDE: dict[str, str] = {
    "notes.md": "See app.infra.db for the database.\n\n    python -m app.infra.db\n",
    "setup.cfg": "[tool:pytest]\n# app.infra.db\n",
    "tool.toml": 'mypy_path = "app.infra.db"\n',
    "report.md": "someone else's report\n",
    "plan.toml": "someone else's plan\n",
    "test_outside.py": "import app.infra.db\n\n\ndef test_db():\n    assert app.infra.db.DB == 1\n",
    "pkg/__init__.py": "",
    "pkg/secret.py": "SECRET = 1\n",
}
"""What the links point to: files of someone else, outside the clone."""

FILES: dict[str, str] = {
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/base.py": "BASE = 1\n",
    "app/infra/__init__.py": "",
    "app/infra/db.py": "from app.core.base import BASE\n\nDB = BASE\n",
    "app/infra/cache.py": "from app.infra import db\n\nC = db.DB\n",
    "tests/test_db.py": ("import app.infra.db\n\n\n"
                         "def test_db():\n    assert app.infra.db.DB == 1\n"),
}

LINKS: dict[str, str] = {
    "docs/notes.md": "notes.md",            # mentions the old path: listed, not rewritten
    "setup.cfg": "setup.cfg",               # tool configuration naming it
    "tool.toml": "tool.toml",
    "pyagent-plan-report.md": "report.md",  # under the name of report's default output
    "draft.toml": "plan.toml",              # under the name the test gives suggest -o
}
"""Links the clone commits (relative, so they point outside from wherever it is cloned)."""


def _relative_link(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(os.path.relpath(target, link.parent))


def _clone(tmp_path: Path, links: dict[str, str]) -> tuple[Path, Path]:
    """(the clone, the folder outside it its links point to)."""
    outside = tmp_path / "outside"
    for name, text in OUTSIDE.items():
        (outside / name).parent.mkdir(parents=True, exist_ok=True)
        (outside / name).write_text(text)
    origin = tmp_path / "origin"
    for name, text in FILES.items():
        (origin / name).parent.mkdir(parents=True, exist_ok=True)
        (origin / name).write_text(text)
    for name, target in links.items():  # relative: the clone, beside origin, reaches it too
        _relative_link(origin / name, outside / target)
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "a repository with links to elsewhere")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    for name in links:
        assert (clone / name).is_symlink(), name
    return clone, outside


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")], status="draft")
    return plan


def test_every_command_leaves_what_lies_outside_the_clone_as_it_was(
        tmp_path: Path, plan: Path) -> None:
    clone, outside = _clone(tmp_path, LINKS)
    review_and_approve(plan, clone)
    before_outside = entries(outside)
    links = {name: os.readlink(clone / name) for name in LINKS}

    steps = [
        ("suggest", cli(clone, "suggest", ".", "-o", "draft.toml", timeout=300)),
        ("edges", cli(clone, "edges", plan, "--repo", ".", timeout=300)),
        ("check", cli(clone, "check", plan, "--repo", ".", timeout=300)),
        ("diff", cli(clone, "diff", plan, "--repo", ".", timeout=300)),
        ("report", cli(clone, "report", plan, "--repo", ".", "-o",
                       "pyagent-plan-report.md", timeout=300)),
    ]
    for name, result in steps:
        stats.bump("bad inputs tried")
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, \
            (name, result.stderr)
        assert entries(outside) == before_outside, name
    refused_in_one_line(steps[0][1], "draft.toml is a symbolic link")
    refused_in_one_line(steps[4][1], "pyagent-plan-report.md is a symbolic link")
    # Never read through a link: a linked document's mentions are not the repo's to list;
    # linked configuration that may name a moved module is named for a person to check.
    assert "docs/notes.md" not in steps[3][1].stdout
    assert "setup.cfg: a link to" in steps[3][1].stdout

    # An apply killed half-way, then recover: back to the clone as it was.
    as_cloned = entries(clone)
    killed = cli(clone, "apply", plan, "--repo", ".", "--no-verify",
                 env={"PYAGENT_WORKBENCH_TEST_KILL_AT": "3"}, timeout=300)
    assert killed.returncode < 0  # SIGKILL
    recovered = cli(clone, "recover", ".", timeout=300)
    assert recovered.returncode == 0, recovered.stderr
    assert entries(clone) == as_cloned
    assert entries(outside) == before_outside

    applied = cli(clone, "apply", plan, "--repo", ".", "--no-verify", timeout=300)
    assert applied.returncode == 0, applied.stderr
    assert (clone / "app/storage/db.py").is_file()
    assert entries(outside) == before_outside
    assert {name: os.readlink(clone / name) for name in LINKS} == links


def test_a_module_linked_from_outside_is_refused_by_every_command(
        tmp_path: Path, plan: Path) -> None:
    """A module (or a package folder) that is a link out of the clone: the tool would
    read, and apply rewrite, someone else's file."""
    for shape, link, target in (("file", "app/infra/secret.py", "pkg/secret.py"),
                                ("folder", "app/ext", "pkg")):
        clone, outside = _clone(tmp_path / shape, {**LINKS, link: target})
        before = entries(outside), entries(clone)
        for args in (("suggest", ".", "-o", tmp_path / f"{shape}.toml"),
                     ("edges", plan, "--repo", "."), ("check", plan, "--repo", "."),
                     ("diff", plan, "--repo", "."), ("report", plan, "--repo", "."),
                     ("apply", plan, "--repo", ".", "--force", "--no-verify")):
            result = cli(clone, *args, timeout=300)
            stats.bump("bad inputs tried")
            refused_in_one_line(result, "outside the repository")
            assert (entries(outside), entries(clone)) == before, args


def test_a_link_the_apply_would_have_to_rewrite_is_refused_before_anything_changes(
        tmp_path: Path, plan: Path) -> None:
    """A test module linked from outside imports the moved module: rewriting it would
    write outside the clone, and replacing the link with a file would change the user's
    tree behind their back."""
    clone, outside = _clone(tmp_path, {**LINKS, "tests/test_outside.py": "test_outside.py"})
    review_and_approve(plan, clone)
    before = entries(outside), entries(clone)
    result = cli(clone, "apply", plan, "--repo", ".", "--no-verify", timeout=300)
    stats.bump("bad inputs tried")
    refused_in_one_line(result, "tests/test_outside.py")
    assert (entries(outside), entries(clone)) == before


async def test_the_workbench_exports_and_applies_without_touching_what_lies_outside(
        tmp_path: Path, plan: Path) -> None:
    clone, outside = _clone(tmp_path, LINKS)
    review_and_approve(plan, clone)
    before_outside = entries(outside)
    session = Session.open(clone, plan_path=plan)
    with pytest.raises(WorkbenchError, match="is a symbolic link"):
        session.save(clone / "draft.toml")  # the workbench's export, to a linked name
    app = make_app(clone, plan)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_for_screen(pilot, WorkbenchScreen)
        await pilot.press("ctrl+e")  # the report, beside the plan: not a link there
        await pilot.pause(2)
        await pilot.press("q")
    stats.bump("bad inputs tried", 2)
    assert entries(outside) == before_outside
    assert (clone / "draft.toml").is_symlink()
