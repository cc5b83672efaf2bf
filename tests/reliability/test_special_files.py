"""Issue 15, category 4: only regular files are read, never a hang. A repository can
commit a link to a device (`/dev/zero`: bytes without end) under a module's or a
document's name; a FIFO (made locally: git cannot hold one) blocks whoever opens it to
read; a plan path on the command line can be either. Each case runs as a real process
with a timeout: a module that is not a regular file is refused in one line naming it, a
document is skipped, a plan path is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.plans import write_plan
from support.repos import git, make_repo, tree_digest

from . import stats
from .processes import APP, SCRIPT, cli, refused_in_one_line

TIMEOUT = 120
"""Seconds: a read that blocks fails the test instead of hanging the suite."""

FILES = {**APP, "docs/guide.md": "Use `app.infra.db` for storage.\n"}


@pytest.fixture(autouse=True)
def _installed() -> None:
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")


@pytest.mark.parametrize("kind", ["link to /dev/zero", "fifo"])
@pytest.mark.parametrize("command", ["suggest", "edges", "diff"])
def test_a_module_that_is_not_a_regular_file_is_refused(
        tmp_path: Path, kind: str, command: str) -> None:
    repo = make_repo(tmp_path / "repo", FILES, git_repo=kind != "fifo")
    special = repo / "app/infra/zero.py"
    if kind == "fifo":
        os.mkfifo(special)
    else:
        special.symlink_to("/dev/zero")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "a module that is a device")
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    before = tree_digest(repo) if kind != "fifo" else None
    args = {"suggest": ["suggest", ".", "--container", "app"],
            "edges": ["edges", plan, "--repo", "."],
            "diff": ["diff", plan, "--repo", "."]}[command]
    stats.bump("bad inputs tried")
    refused_in_one_line(cli(repo, *args, timeout=TIMEOUT),
                        "app/infra/zero.py is not a regular file")
    if before is not None:
        assert tree_digest(repo) == before


def test_a_document_that_is_a_device_is_skipped(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    (repo / "docs/endless.md").symlink_to("/dev/zero")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a document that is a device")
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    stats.bump("bad inputs tried")
    result = cli(repo, "diff", plan, "--repo", ".", timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert "docs/guide.md" in result.stdout  # the regular document is still rewritten


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero", "folder"])
@pytest.mark.parametrize("command", ["check", "diff", "apply"])
def test_a_plan_path_that_is_not_a_regular_file_is_refused(
        tmp_path: Path, kind: str, command: str) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    plan = tmp_path / "plan.toml"
    if kind == "fifo":
        os.mkfifo(plan)
    elif kind == "folder":
        plan.mkdir()
    else:
        plan.symlink_to("/dev/zero")
    before = tree_digest(repo)
    stats.bump("bad inputs tried")
    refused_in_one_line(cli(repo, command, plan, "--repo", ".", timeout=TIMEOUT),
                        "not a regular file")
    assert tree_digest(repo) == before


def test_a_module_past_the_size_bound_is_refused(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # In-process, with the bound lowered: a module larger than it is refused by name.
    from pyagent_workbench import safefiles
    from support.cli import run
    monkeypatch.setattr(safefiles, "READ_LIMIT", 1000)
    repo = make_repo(tmp_path / "repo", {**FILES, "app/infra/huge.py": "X = 1\n" * 400})
    stats.bump("bad inputs tried")
    result = run("suggest", repo, "--container", "app")
    assert result.code == 2
    assert "app/infra/huge.py is larger than" in result.err


def test_a_fifo_among_the_files_no_rewrite_reads_is_reported_never_opened(
        tmp_path: Path) -> None:
    # Outside the analysed packages the candidate scan, the mention scan and the syntax
    # sweep (ruff for most files) read every Python file: a FIFO there would block its
    # reader (it was an internal error until this test).
    repo = make_repo(tmp_path / "repo", {**FILES, "scripts/tool.py": "X = (\n"},
                     git_repo=False)
    os.mkfifo(repo / "scripts/pipe.py")
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    stats.bump("bad inputs tried")
    for command in ("diff", "apply"):
        result = cli(repo, command, plan, "--repo", ".", "--no-verify", "--force",
                     timeout=TIMEOUT) if command == "apply" else cli(
                         repo, command, plan, "--repo", ".", timeout=TIMEOUT)
        assert result.returncode == 0, result.stderr
        assert ("scripts/pipe.py: cannot be parsed (cannot be read: not a regular file"
                in result.stdout), result.stdout
        assert "scripts/tool.py: cannot be parsed" in result.stdout, result.stdout
    assert (repo / "app/storage/db.py").is_file()
