"""Approving: refused while an edge is unreviewed or nothing moves, an edit otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.application import approving, editing, opening
from pyagent_workbench.errors import WorkbenchError


def test_unreviewed_edges_hold_the_approval_back(sample: Path) -> None:
    view = opening.open_plan(sample / "phase1.toml").view
    pending = view.unreviewed()
    if not pending:  # the proposal's plan is reviewed: take one verdict back
        editing.review(view, [view.cross_tier_edges[0].key], None).make()  # type: ignore[union-attr]
        pending = view.unreviewed()
    verdict = approving.approval(view)
    assert not verdict.ok and verdict.unreviewed == len(pending)
    assert verdict.message.endswith("still unreviewed: review them all before approving")
    with pytest.raises(WorkbenchError, match="still unreviewed"):
        approving.approve(view)
    editing.review(view, pending, "accepted").make()  # type: ignore[union-attr]
    view.plan.set_status("draft")
    assert approving.approval(view).ok
    approving.approve(view).make()
    assert view.plan.status == "approved"


def test_a_plan_without_moves_is_not_approved(sample: Path) -> None:
    start = opening.start_workbench(sample, empty=True)
    view = editing.PlanView(start.repo, start.graph, start.plan)
    verdict = approving.approval(view)
    assert (verdict.ok, verdict.message) == (False, "the plan has no moves yet")


def test_an_approved_plan_with_an_unreviewed_edge_is_not_approved(sample: Path) -> None:
    """A plan file that says approved, with edges nobody judged (edited by hand, or the
    code changed since the review), shows as not approved and is not applied."""
    plan_path = sample / "phase1.toml"
    view = opening.open_plan(plan_path).view
    assert approving.standing(view) == "draft"
    view.plan.set_status("approved")  # by hand: no review at all
    unreviewed = len(view.unreviewed())
    assert unreviewed > 1
    assert approving.standing(view) == f"not approved: {unreviewed} edges unreviewed"
    editing.review(view, view.unreviewed()[1:], "accepted").make()  # type: ignore[union-attr]
    assert approving.standing(view.with_plan(view.plan)) == "not approved: 1 edge unreviewed"
    editing.review(view, view.unreviewed(), "must-fix").make()  # type: ignore[union-attr]
    assert approving.standing(view.with_plan(view.plan)) == "approved"
