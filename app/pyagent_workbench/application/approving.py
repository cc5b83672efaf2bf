"""Approving a plan: every cross-tier edge it creates has a verdict, and it moves
something. Only an approved plan is applied."""

from __future__ import annotations

from dataclasses import dataclass

from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.application.editing import Edit
from pyagent_workbench.errors import WorkbenchError


@dataclass(frozen=True)
class Approval:
    ok: bool
    unreviewed: int
    message: str


def approval(view: PlanView) -> Approval:
    """Whether the plan can be approved as it is, and if not, why."""
    unreviewed = len(view.unreviewed())
    if unreviewed:
        return Approval(False, unreviewed,
                        f"{unreviewed} cross-tier edge{'s' if unreviewed > 1 else ''} "
                        f"still unreviewed: review them all before approving")
    if not view.plan.moves:
        return Approval(False, 0, "the plan has no moves yet")
    return Approval(True, 0, "ready to approve")


def standing(view: PlanView) -> str:
    """The plan's status as it holds on today's code: "approved" only while every
    cross-tier edge has a verdict. A plan edited by hand, or code changed since the
    review, can leave an approved plan with edges nobody judged: it is not approved
    (`apply` refuses it without --force)."""
    if view.plan.status != "approved":
        return view.plan.status
    unreviewed = len(view.unreviewed())
    if unreviewed:
        return f"not approved: {unreviewed} edge{'s' if unreviewed > 1 else ''} unreviewed"
    return "approved"


def approve(view: PlanView) -> Edit:
    """The edit that approves the plan; refused while `approval` says no."""
    verdict = approval(view)
    if not verdict.ok:
        raise WorkbenchError(verdict.message)
    plan = view.plan
    return Edit("approve", lambda: plan.set_status("approved"))
