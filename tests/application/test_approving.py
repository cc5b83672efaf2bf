"""Approving: refused while an edge is unreviewed or nothing moves, an edit otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.application import approving, editing, opening
from pyagent_workbench.errors import WorkbenchError
from support.plans import review_and_approve, write_plan
from support.repos import make_repo


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


def test_a_reviewed_edge_from_a_migration_module_keeps_the_plan_valid(tmp_path: Path) -> None:
    """Django's migrations (`0001_initial.py`) are modules no import statement can
    spell; the graph has their edges, the workbench reviews them, and the plan it
    writes must open again (it once said "not a dotted module name")."""
    repo = make_repo(tmp_path / "repo", {
        "pkg/__init__.py": "",
        "pkg/core/__init__.py": "",
        "pkg/core/models.py": "VALUE = 1\n",
        "pkg/web/__init__.py": "",
        "pkg/web/views.py": "from pkg.core import models\n",
        "pkg/web/migrations/__init__.py": "",
        "pkg/web/migrations/0001_initial.py": "from pkg.core import models\n",
    })
    plan = write_plan(repo / "plan.toml", [("pkg.core", "pkg.base.core"),
                                           ("pkg.web", "pkg.top.web")],
                      packages=["pkg"], status="draft",
                      tiers=[("base", "pkg.base"), ("top", "pkg.top")])
    review_and_approve(plan, repo)
    reopened = opening.open_plan(plan).view
    assert ("pkg.web.migrations.0001_initial", "pkg.core.models") in {
        (r.importer, r.imported) for r in reopened.plan.reviews}
    assert approving.standing(reopened) == "approved"
