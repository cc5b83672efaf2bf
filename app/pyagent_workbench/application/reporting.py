"""What a plan does to the import graph, for people and for CI: the migration report,
the cross-tier edges with their review progress, and the check that gates CI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyagent_workbench.analysis.check import CheckResult, import_linter_contract, run_check
from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.application import migrating, retiring
from pyagent_workbench.application.opening import Opened, PlanState
from pyagent_workbench.report import MigrationFigures, collect, write_report
from pyagent_workbench.rewrite.engine import preview
from pyagent_workbench.rewrite.records import move_states
from pyagent_workbench.workspace import Workspace


@dataclass(frozen=True)
class ReviewProgress:
    reviewed: int
    total: int
    """Cross-tier edges: (importer, imported) module pairs, what a review judges."""


def review_progress(view: PlanView) -> ReviewProgress:
    pairs = view.edge_pairs()
    reviewed = sum(1 for edges in pairs.values() if edges[0].review is not None)
    return ReviewProgress(reviewed, len(pairs))


def write_migration_report(view: PlanView, workspace: Workspace, plan_path: Path, *,
                           state: PlanState, output: Path | None = None,
                           with_diff: bool = True) -> list[Path]:
    """The report (Markdown, and the matrix as SVG) beside the plan file unless `output`
    names another place. A pending plan's report includes its diff's figures."""
    summary = None
    if state == "none" and with_diff and workspace.plan.moves:
        workspace.require_valid()
        summary = preview(workspace, view.graph).summary
    data = collect(view, plan_path.name, summary=summary, applied=state == "all")
    data.migration = _migration_figures(workspace, view, state)
    target = output or plan_path.with_name(plan_path.stem + "-report.md")
    return write_report(data, target)


def _migration_figures(workspace: Workspace, view: PlanView, state: PlanState
                       ) -> MigrationFigures | None:
    """The batches, old paths still used and the burn-down, when the plan lands in
    batches."""
    facades = retiring.list_facades(workspace) if state != "none" else []
    found = migrating.migration(workspace, view.graph, facades)
    if found is None:
        return None
    by_batch: dict[int, set[str]] = {}
    for move in workspace.plan.moves:
        if move.batch is not None and move.commit:
            by_batch.setdefault(move.batch, set()).add(move.commit[:10])
    rows: list[tuple[int | None, str, int, str, str]] = [
        (v.batch.number, ", ".join(v.batch.tiers), len(v.batch.moves),
         v.state + ("" if v.recorded else " (proposed)"),
         ", ".join(sorted(by_batch.get(v.batch.number, ()))))
        for v in found.batches]
    states = move_states(workspace)
    outside = [m for m in workspace.plan.moves
               if m.batch is None and states[m.source] != "pending"]
    if outside:  # landed by tier or by name, not as a numbered batch
        rows.insert(0, (None, ", ".join(dict.fromkeys(m.tier or "(no tier)" for m in outside)),
                        len(outside), "landed",
                        ", ".join(sorted({m.commit[:10] for m in outside if m.commit}))))
    return MigrationFigures(found.landed, found.total, rows, found.old_path_uses,
                            found.burndown)


def check_plan(opened: Opened) -> CheckResult:
    """CI's gate: every cross-tier import of today's tree is accepted in the plan."""
    return run_check(opened.view)


def import_linter_config(opened: Opened) -> str:
    """The same gate as an import-linter contract."""
    return import_linter_contract(opened.view)
