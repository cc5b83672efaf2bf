"""Applying, verifying and recovering through the use cases."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pyagent_workbench.application import applying, opening
from pyagent_workbench.errors import ApplyError, WorkbenchError
from pyagent_workbench.rewrite import records
from pyagent_workbench.rewrite.apply import ApplyOptions


def test_apply_returns_the_applied_plan_and_a_second_apply_does_nothing(
        small_repo: Path) -> None:
    plan_path = small_repo / "plan.toml"
    applied = applying.apply(opening.open_workspace(plan_path),
                             ApplyOptions(plan_path=plan_path))
    assert applied.result is not None and applied.result.verify is not None
    assert applied.result.verify.ok
    assert "pkg.infra.storage.db" in applied.result.workspace.repo.modules
    assert applied.plan is not None and applied.plan.state == "all"
    assert applied.plan.verify_ok is True
    assert (small_repo / "pkg/infra/storage/db.py").is_file()

    again = applying.apply(opening.open_workspace(plan_path),
                           ApplyOptions(plan_path=plan_path))
    assert again.result is None
    assert "already applied" in again.message
    assert again.plan is not None and again.plan.moves == applied.plan.moves


def test_a_draft_is_refused_and_the_repo_left_alone(small_repo: Path) -> None:
    plan_path = small_repo / "plan.toml"
    workspace = opening.open_workspace(plan_path)
    workspace.plan.set_status("draft")
    with pytest.raises(ApplyError, match="still a draft"):
        applying.apply(workspace, ApplyOptions(plan_path=plan_path))
    assert (small_repo / "pkg/infra/db.py").is_file()


def test_verify_keeps_its_result_in_the_applied_plan(small_repo: Path) -> None:
    plan_path = small_repo / "plan.toml"
    applying.apply(opening.open_workspace(plan_path), ApplyOptions(plan_path=plan_path))
    workspace = opening.open_workspace(plan_path)
    record = records.load_applied(workspace)
    assert record is not None and record.verify is not None
    records.save_applied(workspace, replace(record, verify=None))
    before = opening.applied_plan(workspace, plan_path)
    assert before is not None and before.verify_ok is None
    report = applying.verify_applied(workspace)
    assert report.ok
    after = opening.applied_plan(opening.open_workspace(plan_path), plan_path)
    assert after is not None and after.verify_ok is True
    assert after.verify_text == report.render()


def test_recover_without_a_journal_has_nothing_to_do(small_repo: Path) -> None:
    assert applying.recover_repo(small_repo) is False
    with pytest.raises(WorkbenchError, match="not a directory"):
        applying.recover_repo(small_repo / "plan.toml")
