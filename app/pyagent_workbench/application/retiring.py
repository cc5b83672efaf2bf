"""The facades an apply left at old paths: which are still used, and removing the
unused ones once nothing imports them."""

from __future__ import annotations

from pyagent_workbench.rewrite.retire import Facade, Retirement, find_facades, find_uses, retire
from pyagent_workbench.workspace import Workspace
from pyagent_workbench.writelock import repo_lock


def list_facades(workspace: Workspace) -> list[Facade]:
    """Every facade in the repo, with the uses of its old path."""
    repo = workspace.repo
    return find_uses(repo, find_facades(repo))


def retire_facades(workspace: Workspace, facades: list[Facade] | None = None) -> Retirement:
    """Remove the facades nothing uses any more (of `facades`, as `list_facades` found
    them, or all) and that are still exactly what the tool wrote; keep (and name) the
    others. A git work tree with uncommitted changes is refused, except for the plan
    file itself, as `apply` does; so is a repo another writer is changing (`Locked`)."""
    with repo_lock(workspace.repo.root, "facades --remove"):
        found = facades if facades is not None else list_facades(workspace)
        return retire(workspace.repo, found, plan_file=_plan_file_in_repo(workspace))


def _plan_file_in_repo(workspace: Workspace) -> str | None:
    path = workspace.plan.path
    if path is None:
        return None
    try:
        return path.resolve().relative_to(workspace.repo.root).as_posix()
    except ValueError:
        return None
