"""Opening a repo with a plan: pending, applied (in this process or a later one, with or
without the tool's records), a draft, a fresh start."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyagent_workbench.application import applying, opening
from pyagent_workbench.errors import InvalidPlan
from pyagent_workbench.model.plan import DEFAULT_PLAN_NAME, Plan
from pyagent_workbench.rewrite.apply import ApplyOptions
from pyagent_workbench.statedir import STATE_DIR
from support.plans import write_plan

from .conftest import SMALL_MOVES


def apply_small(repo: Path, *, verify: bool = True) -> None:
    workspace = opening.open_workspace(repo / "plan.toml")
    applied = applying.apply(workspace, ApplyOptions(plan_path=repo / "plan.toml",
                                                     verify=verify))
    assert applied.result is not None


def test_a_pending_plan_opens_pending_and_validated(small_repo: Path) -> None:
    opened = opening.open_plan(small_repo / "plan.toml")
    assert opened.state == "none"
    assert {e.key for e in opened.view.cross_tier_edges} == set()
    assert opening.applied_plan(opened.workspace, small_repo / "plan.toml") is None


def test_an_invalid_plan_lists_at_most_thirty_problems(small_repo: Path) -> None:
    moves = [(f"pkg.missing{i}", f"pkg.infra.storage.missing{i}") for i in range(40)]
    write_plan(small_repo / "bad.toml", moves, packages=["pkg"])
    with pytest.raises(InvalidPlan) as raised:
        opening.open_plan(small_repo / "bad.toml")
    lines = str(raised.value).splitlines()
    assert len(lines) == InvalidPlan.SHOWN + 1
    assert lines[-1] == "... and 10 more problems in the plan"


def test_an_applied_plan_opens_as_applied_with_verify_result(small_repo: Path) -> None:
    apply_small(small_repo)
    opened = opening.open_plan(small_repo / "plan.toml")
    assert opened.state == "all"
    applied = opening.applied_plan(opened.workspace, small_repo / "plan.toml")
    assert applied is not None
    assert applied.state == "all"
    assert applied.moves == SMALL_MOVES
    assert applied.verify_ok is True
    assert applied.verify_text is not None and "OK" in applied.verify_text
    assert applied.applied_at is not None


def test_an_applied_plan_is_recognised_from_the_tree_alone(small_repo: Path) -> None:
    """A fresh clone has none of the tool's records: the tree tells."""
    apply_small(small_repo, verify=False)
    shutil.rmtree(small_repo / STATE_DIR)
    start = opening.start_workbench(small_repo, plan_path=small_repo / "plan.toml")
    assert start.applied is not None
    assert start.applied.moves == SMALL_MOVES
    assert start.applied.verify_ok is None and start.applied.applied_at is None


def test_the_workbench_starts_on_the_repos_plan_file_or_a_suggestion(sample: Path) -> None:
    start = opening.start_workbench(sample)
    assert start.origin == "started from the suggestion"
    assert start.plan_path == sample / DEFAULT_PLAN_NAME
    assert start.plan.tiers and start.view is not None
    start.plan.save(start.plan_path)
    again = opening.start_workbench(sample)
    assert again.origin == f"opened {DEFAULT_PLAN_NAME}"
    assert again.applied is None


def test_a_draft_is_restored_unless_a_new_plan_is_asked_for(sample: Path) -> None:
    plan_path = sample / "phase1.toml"
    plan = Plan.load(plan_path)
    plan.set_status("draft")
    opening.save_draft(sample, plan.dumps(), plan_path)
    restored = opening.start_workbench(sample, plan_path=plan_path)
    assert restored.origin.startswith("restored your unsaved draft")
    assert restored.plan.status == "draft"

    empty = opening.start_workbench(sample, plan_path=plan_path, empty=True)
    assert empty.origin == "started from an empty plan"
    assert not empty.plan.moves


def test_a_fresh_plan_never_takes_an_existing_plan_files_name(sample: Path) -> None:
    (sample / DEFAULT_PLAN_NAME).write_text(Plan.load(sample / "phase1.toml").dumps())
    fresh = opening.start_workbench(sample, fresh=True)
    assert fresh.origin == "started from the suggestion"
    assert fresh.plan_path == sample / "pyagent-plan-2.toml"
    assert opening.free_plan_path(sample) == sample / "pyagent-plan-2.toml"


def test_a_draft_record_pointing_outside_the_repo_is_not_continued(
        sample: Path, tmp_path: Path) -> None:
    """A cloned repo can commit the tool's folder: its draft must not make a later save
    write to a path of its choosing."""
    elsewhere = tmp_path / "elsewhere.toml"
    draft = opening.save_draft(sample, Plan.load(sample / "phase1.toml").dumps(), elsewhere)
    assert draft.is_file()
    start = opening.start_workbench(sample)
    assert start.plan_path != elsewhere
    assert start.origin == "started from the suggestion"
