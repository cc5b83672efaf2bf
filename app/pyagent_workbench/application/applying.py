"""Carrying out an approved plan, checking it afterwards, and finishing an interrupted
apply. The apply itself is all-or-nothing (`rewrite.apply`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyagent_workbench import gitrepo
from pyagent_workbench.application.opening import AppliedPlan, applied_plan
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.rewrite.apply import AlreadyApplied, ApplyOptions, ApplyResult, apply_plan
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


def apply(workspace: Workspace, options: ApplyOptions | None = None, *,
          progress: ApplyProgress | None = None,
          notice: Callable[[str], None] | None = None, who: str = "apply") -> Applied:
    """Apply the plan, or leave the repo exactly as it was and raise why (`Locked` when
    another writer is changing the repo: `who` names this one to the others)."""
    options = options or ApplyOptions()
    try:
        with repo_lock(workspace.repo.root, who):
            result = apply_plan(workspace, options, progress=progress, notice=notice)
    except AlreadyApplied as done:
        return Applied(None, _as_applied(workspace, options.plan_path), str(done))
    return Applied(result, _as_applied(result.workspace, options.plan_path))


def _as_applied(workspace: Workspace, plan_path: Path | None) -> AppliedPlan | None:
    path = plan_path or workspace.plan.path
    return applied_plan(workspace, path) if path is not None else None


def verify_applied(workspace: Workspace, *, collect_tests: bool = True) -> VerifyReport:
    """Compare the tree with what the apply recorded before changing it (imports every
    module and, unless `collect_tests` is off, collects the tests the apply collected:
    this executes the repo's code); the applied plan keeps the result."""
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
