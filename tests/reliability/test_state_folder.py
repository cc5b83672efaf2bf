"""Issue 15, category 1 (in part): the tool's folder, `.pyagent-workbench/`, is refused
when a repository commits it as a link or as something other than a folder. Every
command that reads or writes the tool's state (caches, drafts, diff records, the apply
journal) would otherwise read and write wherever the link points: `diff` wrote its caches
there and `recover` deleted a `journal/` folder there. A real folder that git tracks came
with the repository, not from the tool (the folder ignores itself): its journal is not
trusted either.

Each command runs as a real process on a repo whose `.pyagent-workbench` is a real
symbolic link (to a folder outside the repo, holding a `journal/` of its own), or a
dangling link, or a plain file: it must exit 2 with one line naming the folder, and leave
the link's target and the repo byte-identical."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.plans import write_plan
from support.repos import git, make_repo, tree_digest

from . import stats
from .processes import APP, SCRIPT, cli, refused_in_one_line

FILES = APP

COMMANDS = [
    ("suggest", ["suggest", ".", "--tiers", "2", "--container", "app"]),
    ("suggest -o", ["suggest", ".", "--tiers", "2", "--container", "app", "-o",
                    "{out}/draft.toml"]),
    ("edges", ["edges", "{plan}", "--repo", "."]),
    ("check", ["check", "{plan}", "--repo", "."]),
    ("diff", ["diff", "{plan}", "--repo", "."]),
    ("apply", ["apply", "{plan}", "--repo", ".", "--no-verify"]),
    ("recover", ["recover", "."]),
    ("report", ["report", "{plan}", "--repo", ".", "-o", "{out}/report.md"]),
]
SHAPES = ["link to a folder outside", "dangling link", "plain file"]


def hostile(tmp_path: Path, shape: str) -> tuple[Path, Path, Path]:
    """The repo (its `.pyagent-workbench` of `shape`), the folder outside, the plan."""
    outside = tmp_path / "outside"
    (outside / "journal").mkdir(parents=True)
    (outside / "journal" / "manifest.json").write_text('{"someone": "else\'s"}\n')
    (outside / "keep.txt").write_text("not the tool's\n")
    repo = make_repo(tmp_path / "repo", FILES)
    state = repo / ".pyagent-workbench"
    if shape == "link to a folder outside":
        state.symlink_to(outside)
    elif shape == "dangling link":
        state.symlink_to(tmp_path / "nowhere")
    else:
        state.write_text("a file where the tool's folder goes\n")
    git(repo, "add", "-A")  # committed, as a cloned repository brings it
    git(repo, "commit", "-q", "-m", "hostile state folder")
    plans = tmp_path / "plans"
    plans.mkdir()
    plan = write_plan(plans / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    return repo, outside, plan


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name, args", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_committed_state_folder_that_is_not_a_folder_is_refused(
        tmp_path: Path, shape: str, name: str, args: list[str]) -> None:
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    repo, outside, plan = hostile(tmp_path, shape)
    out = tmp_path / "out"
    out.mkdir()
    before_outside, before_repo = tree_digest(outside), tree_digest(repo)
    link = os.readlink(repo / ".pyagent-workbench") if shape != "plain file" else None
    argv = [a.format(plan=plan, out=out) for a in args]
    result = cli(repo, *argv, env={"HOME": str(tmp_path)})
    stats.bump("bad inputs tried")
    refused_in_one_line(result, ".pyagent-workbench")
    assert tree_digest(outside) == before_outside
    assert tree_digest(repo) == before_repo
    if link is not None:
        assert os.readlink(repo / ".pyagent-workbench") == link
    assert not any(out.iterdir())  # no draft, no report


@pytest.mark.parametrize("name, args", [
    ("recover", ["recover", "."]),
    ("suggest", ["suggest", ".", "--tiers", "2", "--container", "app"]),
    ("diff", ["diff", "{plan}", "--repo", "."]),
], ids=["recover", "suggest", "diff"])
def test_a_state_folder_the_repository_commits_is_not_trusted(
        tmp_path: Path, name: str, args: list[str]) -> None:
    # A real folder, committed with a crafted journal that would have `recover` write
    # the repo's files back to bytes of the repository author's choosing.
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    repo = make_repo(tmp_path / "repo", FILES)
    journal = repo / ".pyagent-workbench" / "journal"
    (journal / "backup").mkdir(parents=True)
    (journal / "backup" / "0000001").write_text("EVIL = 1\n")
    (journal / "manifest.json").write_text(
        '{"version": 1, "plan": "", "entries": [{"path": "app/core/base.py", '
        '"backup": "0000001", "mode": 420}], "git_index": null, "created_dirs": []}\n')
    git(repo, "add", "-f", ".pyagent-workbench")
    git(repo, "commit", "-q", "-m", "a crafted journal")
    plans = tmp_path / "plans"
    plans.mkdir()
    plan = write_plan(plans / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    before = tree_digest(repo)
    result = cli(repo, *[a.format(plan=plan) for a in args], env={"HOME": str(tmp_path)})
    stats.bump("bad inputs tried")
    refused_in_one_line(result, "commits the tool's folder")
    assert tree_digest(repo) == before
    assert (repo / "app/core/base.py").read_text() == "BASE = 1\n"
    assert (journal / "manifest.json").is_file()


@pytest.mark.parametrize("inside", ["journal", "grimp-cache", "drafts/plan.toml"])
@pytest.mark.parametrize("name, args", [
    ("recover", ["recover", "."]),
    ("suggest", ["suggest", ".", "--tiers", "2", "--container", "app"]),
    ("diff", ["diff", "{plan}", "--repo", "."]),
    ("apply", ["apply", "{plan}", "--repo", ".", "--no-verify"]),
], ids=["recover", "suggest", "diff", "apply"])
def test_a_link_inside_the_state_folder_is_refused(
        tmp_path: Path, inside: str, name: str, args: list[str]) -> None:
    """A folder that is not under git and carries a crafted `.pyagent-workbench/` (from
    a tarball, a copy) with a link inside: the tool never makes one, and would write its
    caches, or read a journal's backups, through it."""
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    _, outside, plan = hostile(tmp_path, "plain file")  # the folder outside, the plan
    repo = make_repo(tmp_path / "tarball", FILES, git_repo=False)
    state = repo / ".pyagent-workbench"
    link = state / inside
    link.parent.mkdir(parents=True)
    (state / ".gitignore").write_text("*\n")
    link.symlink_to(outside / "journal" if "." not in inside else outside / "keep.txt")
    before_outside, before_repo = tree_digest(outside), tree_digest(repo)
    result = cli(repo, *[a.format(plan=plan) for a in args], env={"HOME": str(tmp_path)})
    stats.bump("bad inputs tried")
    refused_in_one_line(result, f".pyagent-workbench/{inside} is a link")
    assert tree_digest(outside) == before_outside
    assert tree_digest(repo) == before_repo
    assert os.path.islink(link)
