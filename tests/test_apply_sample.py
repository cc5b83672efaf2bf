"""The proposal's Phase I applied to a copy of sample_repo/: its own tests pass, history
follows the files, verify passes, diff predicted every byte, and a kill -9 at any
point is recovered to the exact previous tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyagent_workbench.analysis.graph import build_graph
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.rewrite.engine import preview
from pyagent_workbench.rewrite.journal import KILL_SWITCH
from pyagent_workbench.workspace import Workspace
from support.cli import run
from support.repos import copy_sample, git, tree_digest

ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONDONTWRITEBYTECODE": "1"}


def sample_tests(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=repo, capture_output=True, text=True, env=ENV, check=False)


@pytest.mark.parametrize("facades", [True, False], ids=["facades", "no-facades"])
def test_phase1_applied_keeps_the_sample_working(tmp_path: Path, facades: bool) -> None:
    repo = copy_sample(tmp_path / "sample", approved=True)
    assert sample_tests(repo).returncode == 0
    args = [] if facades else ["--no-facades"]
    result = run("apply", repo / "phase1.toml", *args)
    assert result.code == 0, result.out + result.err
    assert "checked: OK" in result.out
    tests = sample_tests(repo)
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert "87 passed" in tests.stdout

    assert (repo / "src/infrastructure/engine/tokenization/bpe.py").is_file()
    assert (repo / "src/infrastructure/engine/tokenization/data/merges.txt").is_file()
    assert (repo / "src/infrastructure/engine/speculative/__init__.py").is_file()
    assert (repo / "src/core/base/lifecycle/agent_core.py").is_file()
    assert (repo / "src/infrastructure/compute/cuda/kernels.pyi").is_file()
    assert (repo / "src/infrastructure/storage/db/repository.py").is_file()
    assert (repo / "src/infrastructure/attention/__init__.py").exists() == facades

    verify = run("verify", repo / "phase1.toml")
    assert verify.code == 0, verify.out
    git(repo, "commit", "-q", "-am", "Phase I")
    log = git(repo, "log", "--follow", "--format=%s", "--",
              "src/infrastructure/engine/tokenization/bpe.py")
    assert log.split("\n")[:2] == ["Phase I", "initial"]


def test_diff_predicts_exactly_what_apply_writes(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path / "sample", approved=True)
    workspace = Workspace.open(repo, repo / "phase1.toml")
    changeset = preview(workspace, build_graph(workspace.repo))
    before = tree_digest(repo)
    assert run("apply", repo / "phase1.toml", "--no-verify").code == 0
    after = tree_digest(repo)

    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    changed = {p for p in changed if "__pycache__" not in p}
    # Besides the changes, the plan file records which moves landed (and when).
    assert "phase1.toml" in changed
    changed.remove("phase1.toml")
    assert all(m.landed for m in Plan.load(repo / "phase1.toml").moves)
    predicted = {c.new_path for c in changeset.changes if c.is_modified or c.kind != "rewrite"}
    predicted |= {c.old_path for c in changeset.changes if c.kind == "move" and c.old_path}
    predicted |= {p for c in changeset.changes for p in c.merged_from}
    assert changed == predicted
    for change in changeset.changes:
        assert (repo / change.new_path).read_bytes() == change.new_bytes, change.new_path
    removed = {p for p in before if p not in after}
    assert all(any(p == c.old_path or p in c.merged_from for c in changeset.changes)
               for p in removed)


def test_applying_twice_says_so_and_changes_nothing(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path / "sample", approved=True)
    assert run("apply", repo / "phase1.toml", "--no-verify").code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "applied")
    before = tree_digest(repo)
    again = run("apply", repo / "phase1.toml")
    assert again.code == 0
    assert "already applied" in again.out
    assert tree_digest(repo) == before


def test_apply_refuses_a_draft_a_dirty_tree_and_a_pending_journal(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path / "sample", approved=True)
    plan = repo / "phase1.toml"
    text = plan.read_text()
    plan.write_text(text.replace('status = "approved"', 'status = "draft"'))
    draft = run("apply", plan)
    assert draft.code == 2 and "the plan is still a draft" in draft.err
    plan.write_text(text)
    (repo / "src/db/connection.py").write_text("# local edit\n")
    dirty = run("apply", plan)
    assert dirty.code == 2 and "uncommitted changes (src/db/connection.py)" in dirty.err
    git(repo, "checkout", "--", "src/db/connection.py")
    (repo / ".pyagent-workbench/journal").mkdir(parents=True)
    (repo / ".pyagent-workbench/journal/manifest.json").write_text('{"entries": []}')
    pending = run("apply", plan)
    assert pending.code == 2 and "run `pyagent-workbench recover" in pending.err


def _kill_at(repo: Path, step: int) -> int:
    env = {**ENV, KILL_SWITCH: str(step)}
    result = subprocess.run(
        [sys.executable, "-m", "pyagent_workbench", "apply", "phase1.toml", "--no-verify"],
        cwd=repo, env=env, capture_output=True, text=True, check=False)
    return result.returncode


@pytest.fixture(scope="module")
def apply_steps(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every step of the sample's apply at which a crash can happen."""
    from pyagent_workbench.rewrite.apply import ApplyOptions, apply_plan

    repo = copy_sample(tmp_path_factory.mktemp("steps") / "sample", approved=True)
    steps: list[str] = []
    apply_plan(Workspace.open(repo, repo / "phase1.toml"), ApplyOptions(verify=False),
               fault=steps.append)
    return steps


@pytest.mark.parametrize("fraction", [0.0, 0.2, 0.45, 0.55, 0.7, 0.9, 0.999, 2.0])
def test_kill_9_during_apply_then_recover_restores_every_byte(
        tmp_path: Path, fraction: float, apply_steps: list[str]) -> None:
    step = 1 + int(fraction * (len(apply_steps) - 1)) if fraction <= 1 else 10**6
    repo = copy_sample(tmp_path / "sample", approved=True)
    before = tree_digest(repo)
    index_before = (repo / ".git/index").read_bytes()
    code = _kill_at(repo, step)
    if step > len(apply_steps):
        assert code == 0  # more steps than the apply has: it completes
        return
    assert code == -9
    journal_complete = (repo / ".pyagent-workbench/journal/manifest.json").exists()
    if not journal_complete:
        # Killed while the journal was being written: nothing in the repo was touched yet.
        assert tree_digest(repo) == before
    else:
        refused = run("apply", repo / "phase1.toml")
        assert refused.code == 2 and "recover" in refused.err
    recovered = run("recover", repo)
    assert recovered.code == 0, recovered.err
    assert tree_digest(repo) == before
    assert (repo / ".git/index").read_bytes() == index_before
    assert run("recover", repo).out.startswith("nothing to recover")
    assert run("apply", repo / "phase1.toml").code == 0


def test_apply_refuses_an_approval_that_no_longer_covers_every_edge(tmp_path: Path) -> None:
    """Approved, then the code grows a cross-tier import nobody reviewed: the approval
    does not cover it, so apply refuses (naming it) unless forced, and changes nothing."""
    repo = copy_sample(tmp_path / "sample", approved=True)
    target = repo / "src/infrastructure/cuda/device.py"
    target.write_text(target.read_text() + "\nfrom src.infrastructure.fleet import health\n")
    git(repo, "commit", "-q", "-am", "a new import after the review")
    before = tree_digest(repo)
    refused = run("apply", repo / "phase1.toml", "--no-verify")
    assert refused.code == 2
    assert ("1 cross-tier edge is unreviewed (the first: src.infrastructure.cuda.device -> "
            "src.infrastructure.fleet.health)") in refused.err
    assert tree_digest(repo) == before
    forced = run("apply", repo / "phase1.toml", "--no-verify", "--force")
    assert forced.code == 0, forced.err
