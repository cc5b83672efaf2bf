"""Issue 15, category 1 (in part): a file or link a repository commits under the name of
one of the tool's temporary files is never written through nor deleted. The plan (`suggest
-o`, the workbench's export) and the tool's caches go through temporary files created
exclusively under fresh names; `apply` writes each file through `<file>` +
`.pyagent-workbench-tmp` (the name its rollback knows), so it refuses, before anything
changes, a tree where one of those names is taken. Real processes, real links."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pyagent_workbench.rewrite.journal import TMP_SUFFIX
from support.plans import write_plan
from support.repos import git, make_repo, tree_digest

from . import stats
from .processes import APP, SCRIPT, cli, refused_in_one_line

FILES = APP



@pytest.fixture
def outside(tmp_path: Path) -> Path:
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("someone else's file\n")
    return victim


@pytest.mark.parametrize("taken", ["app/infra/cache.py", "app/storage/db.py"])
@pytest.mark.parametrize("shape", ["link", "file"])
def test_apply_refuses_a_tree_where_its_temporary_name_is_taken(
        tmp_path: Path, outside: Path, taken: str, shape: str) -> None:
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    repo = make_repo(tmp_path / "repo", FILES)
    blocker = repo / (taken + TMP_SUFFIX)
    blocker.parent.mkdir(parents=True, exist_ok=True)
    if shape == "link":
        blocker.symlink_to(outside)
    else:
        blocker.write_text("the user's own file, oddly named\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a file under the tool's temporary name")
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    before, victim = tree_digest(repo), outside.read_bytes()
    result = cli(repo, "apply", plan, "--repo", ".", "--no-verify", "--force")
    stats.bump("bad inputs tried")
    refused_in_one_line(result, taken + TMP_SUFFIX)
    assert tree_digest(repo) == before
    assert outside.read_bytes() == victim
    assert blocker.is_symlink() == (shape == "link")


def test_the_plan_and_the_caches_are_never_written_through_a_link(
        tmp_path: Path, outside: Path) -> None:
    """The plan's old temporary name is a link to elsewhere, and the cache's old
    temporary names in the tool's folder are taken by files (a link there is refused
    whole: see test_state_folder.py): fresh exclusive names are used, and nothing that
    was there is written through or over."""
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    repo = make_repo(tmp_path / "repo", FILES)
    state = repo / ".pyagent-workbench"
    state.mkdir()
    (repo / ".draft.toml.tmp").symlink_to(outside)  # the name the plan's copy used to have
    taken = [state / f"graph-cache.json.{pid}.tmp"  # the next processes' likely pids
             for pid in range(os.getpid(), os.getpid() + 200)]
    for path in taken:
        if not path.exists():
            path.write_text("not the tool's\n")
    victim = outside.read_bytes()
    result = cli(repo, "suggest", ".", "--tiers", "2", "--container", "app", "-o",
                 repo / "draft.toml")
    stats.bump("bad inputs tried")
    assert result.returncode == 0, result.stderr
    assert outside.read_bytes() == victim
    assert "[[moves]]" in (repo / "draft.toml").read_text()
    assert (state / "graph-cache.json").is_file() and not (state / "graph-cache.json").is_symlink()
    assert all(path.read_text() == "not the tool's\n" for path in taken)
    assert (repo / ".draft.toml.tmp").is_symlink()  # left as it was
