"""The facades an apply left at old paths: which are still used, and removing the
unused ones once nothing imports them."""

from __future__ import annotations

from pyagent_workbench.rewrite.retire import Facade, Retirement, find_facades, find_uses, retire
from pyagent_workbench.workspace import Workspace


def list_facades(workspace: Workspace) -> list[Facade]:
    """Every facade in the repo, with the uses of its old path."""
    repo = workspace.repo
    return find_uses(repo, find_facades(repo))


def retire_facades(workspace: Workspace, facades: list[Facade] | None = None) -> Retirement:
    """Remove the facades nothing uses any more (of `facades`, as `list_facades` found
    them, or all); keep (and name) the others."""
    found = facades if facades is not None else list_facades(workspace)
    return retire(workspace.repo, found)
