"""Write plan files for tests."""

from __future__ import annotations

from pathlib import Path

from pyagent_workbench.application.approving import approve
from pyagent_workbench.application.editing import review
from pyagent_workbench.application.opening import open_plan
from pyagent_workbench.model.plan import Plan


def write_plan(
    path: Path,
    moves: list[tuple[str, str]],
    *,
    packages: list[str] | None = None,
    source_root: str | None = None,
    facades: bool = True,
    status: str = "approved",
    tiers: list[tuple[str, str]] | None = None,
) -> Path:
    plan = Plan.new(source_root=source_root or ".", packages=packages or [])
    if not packages:
        del plan.document["repo"]["packages"]
    if source_root is None:
        del plan.document["repo"]["source_root"]
    plan.set_option("facades", facades)
    for name, package in tiers or []:
        plan.add_tier(name, package)
    for source, target in moves:
        plan.set_move(source, target)
    plan.set_status(status)  # type: ignore[arg-type]
    plan.save(path)
    return path


def review_and_approve(plan_path: Path, repo: Path | None = None, *,
                       note: str = "accepted in a test") -> Path:
    """Accept every cross-tier edge of the plan and approve it, through the same use
    cases the workbench runs (the shipped `phase1.toml` is a draft: a test that applies
    it approves it first, as a user would)."""
    opened = open_plan(plan_path, repo)
    view = opened.view
    accept = review(view, view.unreviewed(), "accepted", note)
    if accept is not None:
        accept.make()
    approve(view.with_plan(view.plan)).make()
    view.plan.save(plan_path)
    return plan_path
