"""Carrying out an approved plan, checking it afterwards, and finishing an interrupted
apply. The apply itself is all-or-nothing (`rewrite.apply`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pyagent_workbench import gitrepo
from pyagent_workbench.analysis.graph import build_graph
from pyagent_workbench.application import migrating, retiring
from pyagent_workbench.application.migrating import Selection
from pyagent_workbench.application.opening import AppliedPlan, applied_plan
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.model import names
from pyagent_workbench.model.plan import Move
from pyagent_workbench.rewrite import records
from pyagent_workbench.rewrite.apply import (
    AlreadyApplied,
    ApplyOptions,
    ApplyResult,
    apply_plan,
    refuse_interrupted,
)
from pyagent_workbench.rewrite.records import save_verify_result
from pyagent_workbench.rewrite.recover import recover
from pyagent_workbench.rewrite.verify import VerifyReport, verify
from pyagent_workbench.statedir import JOURNAL_DIR, STATE_DIR, state_dir
from pyagent_workbench.workspace import Workspace
from pyagent_workbench.writelock import repo_lock

ApplyProgress = Callable[[str, int, int], None]
"""Called as (step, done, total) while applying."""


@dataclass
class Applied:
    result: ApplyResult | None
    """None when the plan was applied already and nothing was done."""
    plan: AppliedPlan | None
    """The plan as applied (what moved, verify's result), as the workbench shows it."""
    message: str = ""
    remaining: int = 0
    """Moves of the plan still pending after this apply (it took part of the plan)."""
    stragglers: bool = False
    """The apply rewrote the code still using the old paths of moves that had landed."""


def apply(workspace: Workspace, options: ApplyOptions | None = None, *,
          selection: Selection | None = None, progress: ApplyProgress | None = None,
          notice: Callable[[str], None] | None = None, who: str = "apply") -> Applied:
    """Apply the plan's pending moves (those of `selection` only, when given), or leave
    the repo exactly as it was and raise why (`Locked` when another writer is changing
    the repo: `who` names this one to the others). The plan file records the moves that
    landed (`migrating`)."""
    options = options or ApplyOptions()
    with repo_lock(workspace.repo.root, who):
        return _apply(workspace, options, selection or Selection(), progress=progress,
                      notice=notice)


def _apply(workspace: Workspace, options: ApplyOptions, selection: Selection, *,
           progress: ApplyProgress | None, notice: Callable[[str], None] | None) -> Applied:
    refuse_interrupted(workspace.repo.root)  # under the lock: a running apply has one
    if selection.batch is not None:
        migrating.assign_batches_if_none(workspace, selection, build_graph(workspace.repo))
    chosen = migrating.select(workspace.plan, selection)
    states = records.move_states(workspace)
    pending = [m for m in chosen if states[m.source] == "pending"]
    if not pending:
        # Everything named has landed: what is left is the code written since against
        # the old paths (through the facades), which this rewrites.
        landed = [m for m in chosen if states[m.source] == "landed"]
        return _rewrite_stragglers(workspace, landed, options, selection, progress=progress,
                                   notice=notice)
    part = migrating.pending_workspace(workspace, pending)
    if part is not workspace:
        options = replace(options, whole_plan=workspace.plan,
                          batch=options.batch if options.batch is not None else selection.batch)
    try:
        result = apply_plan(part, options, progress=progress, notice=notice)
    except AlreadyApplied as done:
        return Applied(None, _as_applied(workspace, options.plan_path), str(done))
    after = _workspace_after(result.workspace, workspace)
    remaining = 0 if part is workspace else sum(
        state == "pending" for state in records.move_states(after).values())
    return Applied(result, _as_applied(after, options.plan_path), remaining=remaining)


def _rewrite_stragglers(workspace: Workspace, landed: list[Move], options: ApplyOptions,
                        selection: Selection, *, progress: ApplyProgress | None,
                        notice: Callable[[str], None] | None) -> Applied:
    """Rewrite the code that still uses the old paths of moves that have landed; the
    message says so when there is nothing to do."""
    nothing = ("this plan is already applied: nothing to do" if selection.everything
               else f"every move of {selection.describe()} has landed already: nothing to do")
    if not landed or not _old_paths_in_use(workspace, landed):
        return Applied(None, _as_applied(workspace, options.plan_path), nothing)
    part = Workspace(workspace.repo, workspace.plan.with_moves({m.source for m in landed}))
    options = replace(options, whole_plan=workspace.plan, stragglers=True)
    try:
        result = apply_plan(part, options, progress=progress, notice=notice)
    except AlreadyApplied:
        return Applied(None, _as_applied(workspace, options.plan_path), nothing)
    return Applied(result, _as_applied(_workspace_after(result.workspace, workspace),
                                       options.plan_path), stragglers=True)


def _old_paths_in_use(workspace: Workspace, landed: list[Move]) -> bool:
    """Whether any code uses the old path of one of these moves through its facade."""
    return any(facade.uses and any(names.is_within(facade.old, m.source) for m in landed)
               for facade in retiring.list_facades(workspace))


def _workspace_after(after: Workspace, whole: Workspace) -> Workspace:
    """The whole plan over the tree the apply left."""
    return after if after.plan is whole.plan else Workspace(after.repo, whole.plan)


def _as_applied(workspace: Workspace, plan_path: Path | None) -> AppliedPlan | None:
    path = plan_path or workspace.plan.path
    return applied_plan(workspace, path) if path is not None else None


def verify_applied(workspace: Workspace, *, collect_tests: bool = True,
                   selection: Selection | None = None) -> VerifyReport:
    """Compare the tree with what the apply recorded before changing it (imports every
    module and, unless `collect_tests` is off, collects the tests the apply collected:
    this executes the repo's code); the applied plan keeps the result. A plan that
    landed in parts is verified a part at a time, as applied (`selection`)."""
    selection = selection or Selection()
    if selection.everything:
        states = records.move_states(workspace)
        if "pending" in states.values() or not records.verify_record_path(workspace).exists():
            landed = {m.batch for m in workspace.plan.moves if states[m.source] != "pending"}
            if len(landed) > 1 or (landed and "pending" in states.values()):
                numbers = sorted(b for b in landed if b is not None)
                raise WorkbenchError(
                    "this plan landed in parts: verify one as it was applied ("
                    + (f"--batch {numbers[-1]}" if numbers else "--tier NAME or --moves ...")
                    + "); each apply verified its part when it ran")
    else:
        workspace = Workspace(workspace.repo, workspace.plan.with_moves(
            {m.source for m in migrating.select(workspace.plan, selection)}))
    report = verify(workspace, collect_tests=collect_tests)
    save_verify_result(workspace, report.as_json())
    return report


def recover_repo(path: Path) -> bool:
    """Put back the tree an interrupted apply left; False when there was nothing to do."""
    root = path.resolve()
    if not root.is_dir():
        raise WorkbenchError(f"not a directory: {path}")
    state = state_dir(root)
    if not (state / JOURNAL_DIR).exists():
        return False  # nothing to do: no need to create the tool's folder for a lock
    gitrepo.refuse_committed_state(root, STATE_DIR)
    with repo_lock(root, "recover"):  # never roll back under a running apply
        return recover(root)
