"""The changes a plan would make, computed in memory; nothing is written to the repo."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pyagent_workbench.analysis.graph import ImportGraph, build_graph
from pyagent_workbench.application import migrating
from pyagent_workbench.application.migrating import Selection
from pyagent_workbench.application.opening import PlanState, plan_state
from pyagent_workbench.rewrite import syntax
from pyagent_workbench.rewrite.engine import (
    ChangeSet,
    RewriteProgress,
    origin_of,
    preview,
    start_syntax_check,
)
from pyagent_workbench.rewrite.records import move_states, record_last_diff
from pyagent_workbench.rewrite.workers import start_fork_server
from pyagent_workbench.workspace import Workspace


def preview_plan(workspace: Workspace, graph: ImportGraph, *,
                 units: Iterable[str] | None = None, facades_enabled: bool | None = None,
                 jobs: int | None = None, later: Mapping[str, str] | None = None,
                 earlier: Mapping[str, str] | None = None,
                 origin: tuple[str, str, str] | None = None,
                 progress: RewriteProgress | None = None,
                 early: syntax.Parsing | None = None, checked: bool = False) -> ChangeSet:
    """The changes of the whole plan, or of the given units' moves only (a quick look:
    no sweep of every file's syntax). The plan must be valid against the repo.
    `progress` hears of every file rewritten, and may raise to stop. `early`: the
    repo's syntax check, started before (`start_syntax_check`; the caller stops it).
    `checked`: the caller found the plan valid against the repo already."""
    if not checked:
        workspace.require_valid()
    only = None
    if units is not None:
        only = [u for u in units if workspace.plan.move_for(u) is not None]
    return preview(workspace, graph, only=only, jobs=jobs, sweep=units is None,
                   facades_enabled=facades_enabled, later=later, earlier=earlier,
                   origin=origin, progress=progress, early=early if units is None else None)


@dataclass
class Diff:
    state: PlanState
    changeset: ChangeSet | None
    """None when the plan is applied already: nothing to change."""


def diff_plan(workspace: Workspace, *, facades_enabled: bool | None = None,
              selection: Selection | None = None) -> Diff:
    """What `apply` would change (of the selected moves that have not landed), recorded
    so that `apply` can tell whether the plan or the tree changed since it was reviewed."""
    start_fork_server()  # the workers' imports, beside the plan's checks and the graph
    early = start_syntax_check(workspace)
    try:
        return _diff_plan(workspace, facades_enabled, selection, early)
    finally:
        early.stop()


def _diff_plan(workspace: Workspace, facades_enabled: bool | None,
               selection: Selection | None, early: syntax.Parsing) -> Diff:
    state = plan_state(workspace)
    selection = selection or Selection()
    graph = build_graph(workspace.repo)
    migrating.assign_batches_if_none(workspace, selection, graph)
    chosen = migrating.select(workspace.plan, selection)
    states = move_states(workspace)
    pending = [m for m in chosen if states[m.source] == "pending"]
    if not pending:
        return Diff(state, None)
    part = migrating.pending_workspace(workspace, pending)
    now = {m.source for m in pending}
    later = {m.source: m.target for m in workspace.plan.moves
             if m.source not in now and states[m.source] == "pending"}
    earlier = {m.target: m.source for m in workspace.plan.moves if states[m.source] == "landed"}
    landed = [m for m in workspace.plan.moves if states[m.source] == "landed"]
    origin = origin_of(workspace, landed) if landed and part is not workspace else None
    changeset = preview_plan(part, graph, facades_enabled=facades_enabled, later=later,
                             earlier=earlier, origin=origin, early=early)
    record_last_diff(part, changeset)
    return Diff(state, changeset)
