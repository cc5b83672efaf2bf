"""Opening a repo with a plan: the plan named, else the workbench's autosaved draft,
else the repo's default plan file, else a suggestion; and how much of the plan the tree
already reflects, so an applied plan is shown as applied instead of refused."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pyagent_workbench.analysis.graph import ImportGraph, build_graph
from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.model.plan import DEFAULT_PLAN_NAME, Plan
from pyagent_workbench.repo import Repo
from pyagent_workbench.rewrite.records import (
    AppliedState,
    applied_state,
    load_applied,
    move_states,
)
from pyagent_workbench.rewrite.verify import VerifyReport
from pyagent_workbench.statedir import DRAFTS_DIR, ensure_state_dir, state_dir
from pyagent_workbench.workspace import Workspace

PlanState = AppliedState
"""How much of a plan the tree reflects: "none" yet, some of its moves ("partial"), or
"all" of them."""

Progress = Callable[[str, float], None]
"""Called with a step description and the fraction done (0..1)."""


@dataclass(frozen=True)
class AppliedPlan:
    """A plan the tree already reflects, as the workbench shows it."""

    plan_path: Path
    state: Literal["partial", "all"]
    moves: list[tuple[str, str]]
    """(source, target) of every move, as applied."""
    verify_ok: bool | None
    """None: verify has not run since the apply."""
    verify_text: str | None
    applied_at: float | None
    """When the apply finished (None: known from the tree only, e.g. a fresh clone)."""
    landed: frozenset[str] = frozenset()
    """The sources of the moves that have landed (all of them unless "partial")."""
    batches: dict[str, int] = field(default_factory=dict)
    """Source -> the batch the plan records for it."""

    @property
    def next_batch(self) -> int | None:
        """The lowest batch still pending (None: none recorded)."""
        pending = [b for source, b in self.batches.items() if source not in self.landed]
        return min(pending) if pending else None


@dataclass
class Opened:
    """A repo with a plan over today's import graph."""

    workspace: Workspace
    graph: ImportGraph
    view: PlanView
    state: PlanState


@dataclass
class Start:
    """What the workbench opens on."""

    repo: Repo
    graph: ImportGraph
    plan: Plan
    plan_path: Path
    origin: str
    """How the plan was obtained, in words shown to the user."""
    view: PlanView | None = None
    applied: AppliedPlan | None = None


def open_workspace(plan_path: Path, repo_path: Path | None = None) -> Workspace:
    """The plan and its repo (by default the directory the plan is in)."""
    repo = repo_path if repo_path is not None else plan_path.resolve().parent
    return Workspace.open(repo, plan_path)


def plan_state(workspace: Workspace) -> PlanState:
    return applied_state(workspace)


def open_plan(plan_path: Path, repo_path: Path | None = None) -> Opened:
    """A plan over today's tree, for the commands that also run once it is applied
    (`edges`, `check`, `report`): a pending plan must be valid, an applied one is read
    as it is (its sources are gone by then)."""
    workspace = open_workspace(plan_path, repo_path)
    state = plan_state(workspace)
    if state == "none":
        workspace.require_valid()
    graph = build_graph(workspace.repo)
    return Opened(workspace, graph, PlanView(workspace.repo, graph, workspace.plan), state)


def applied_plan(workspace: Workspace, plan_path: Path,
                 state: PlanState | None = None) -> AppliedPlan | None:
    """The plan as applied (what moved, verify's last result), or None while pending."""
    state = state or plan_state(workspace)
    if state == "none":
        return None
    record = load_applied(workspace)
    verify = (VerifyReport.from_json(record.verify)
              if record is not None and record.verify else None)
    moves = record.moves if record is not None else [
        (m.source, m.target) for m in workspace.plan.moves]
    states = move_states(workspace)
    return AppliedPlan(
        plan_path=plan_path, state=state, moves=list(moves),
        verify_ok=verify.ok if verify is not None else None,
        verify_text=verify.render() if verify is not None else None,
        applied_at=record.applied_at if record is not None else None,
        landed=frozenset(source for source, _ in moves if states.get(source) != "pending"),
        batches={m.source: m.batch for m in workspace.plan.moves if m.batch is not None})


# -- the workbench's start ---------------------------------------------------------------


def start_workbench(repo_path: Path, *, plan_path: Path | None = None, empty: bool = False,
                    fresh: bool = False, progress: Progress | None = None) -> Start:
    """What the workbench opens on: the plan named, else the autosaved draft, else the
    repo's default plan file, else a suggestion. `empty` and `fresh` start a new plan
    (empty, or suggested) whatever draft or plan file exists, in a plan file that does not
    exist yet unless one is named."""
    say = progress or (lambda step, done: None)
    say("reading the plan", 0.05)
    new = empty or fresh
    found = None if new else _existing_plan(repo_path, plan_path)
    plan = found[0] if found else None
    if plan is not None:
        plan_path = plan.path or plan_path or repo_path / DEFAULT_PLAN_NAME
    repo = Repo(repo_path, source_root=plan.source_root if plan else None,
                packages=plan.packages if plan else None)
    say("building the import graph", 0.15)
    graph = build_graph(repo)
    if plan is None:
        return _new_plan(repo, graph, plan_path, empty=empty, say=say)
    assert found is not None and plan_path is not None
    workspace = Workspace(repo, plan)
    state = plan_state(workspace)
    if state == "none":
        workspace.require_valid()
    say("laying out the board", 0.9)
    return Start(repo, graph, plan, plan_path, found[1],
                 applied=applied_plan(workspace, plan_path, state))


def _existing_plan(repo_path: Path, plan_path: Path | None) -> tuple[Plan, str] | None:
    draft = load_draft(repo_path, plan_path)
    if draft is not None:
        return draft
    if plan_path is None and (repo_path / DEFAULT_PLAN_NAME).is_file():
        plan_path = repo_path / DEFAULT_PLAN_NAME
    if plan_path is None:
        return None
    plan = Plan.load(plan_path)
    return plan, f"opened {plan_path.name}"


def _new_plan(repo: Repo, graph: ImportGraph, plan_path: Path | None, *, empty: bool,
              say: Progress) -> Start:
    path = plan_path or free_plan_path(repo.root)
    if empty:
        plan = Plan.new(source_root=repo.source_root, packages=list(repo.packages))
        say("laying out the board", 0.9)
        return Start(repo, graph, plan, path, "started from an empty plan")
    say("suggesting tiers", 0.6)
    from pyagent_workbench.analysis.suggest import suggest  # (networkx: not for diff, apply)

    suggestion = suggest(repo, graph)
    say("laying out the board", 0.9)
    return Start(repo, graph, suggestion.plan, path, "started from the suggestion",
                 view=suggestion.view)


def free_plan_path(repo_root: Path) -> Path:
    """The default plan file, or `pyagent-plan-2.toml` and so on when it exists (a new
    plan never overwrites one, applied or not)."""
    default = repo_root / DEFAULT_PLAN_NAME
    candidate, number = default, 1
    while candidate.exists():
        number += 1
        candidate = default.with_name(f"{default.stem}-{number}{default.suffix}")
    return candidate


# -- the autosaved drafts -----------------------------------------------------------------
# One draft per plan file, so that opening another plan (or starting a new one) never
# overwrites the unsaved work on the first.


def _draft_files(repo_root: Path, plan_path: Path) -> tuple[Path, Path]:
    key = hashlib.sha256(str(plan_path.resolve()).encode()).hexdigest()[:16]
    drafts = state_dir(repo_root) / DRAFTS_DIR
    return drafts / f"{key}.toml", drafts / f"{key}.json"


def save_draft(repo_root: Path, text: str, plan_path: Path) -> Path:
    """Keep the unsaved text of the plan `plan_path` (restored when it is opened again)."""
    ensure_state_dir(repo_root)
    draft, meta = _draft_files(repo_root, plan_path)
    draft.parent.mkdir(exist_ok=True)
    draft.write_text(text, encoding="utf-8")
    meta.write_text(json.dumps({"plan": str(plan_path), "saved": time.time()}),
                    encoding="utf-8")
    return draft


def discard_draft(repo_root: Path, plan_path: Path) -> None:
    for path in _draft_files(repo_root, plan_path):
        path.unlink(missing_ok=True)


def load_draft(repo_path: Path, plan_path: Path | None) -> tuple[Plan, str] | None:
    """The draft of the plan being opened, unless its file is newer; with no plan named,
    the most recent draft."""
    if plan_path is None:
        plan_path = _newest_draft_plan(repo_path)
        if plan_path is None:
            return None
    draft, meta = _draft_files(repo_path, plan_path)
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        saved = float(info.get("saved", 0))
        plan = Plan.parse(draft.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, AttributeError, WorkbenchError):
        return None
    if plan_path.is_file() and plan_path.stat().st_mtime > saved:
        return None
    plan.path = plan_path
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(saved))
    return plan, f"restored your unsaved draft from {when}"


def _newest_draft_plan(repo_path: Path) -> Path | None:
    """The plan file of the most recent draft. The record is read, not trusted (a cloned
    repo can commit one): only a plan inside the repo, in its own slot, is continued, so
    that a later save never writes through a path the repo chose elsewhere."""
    newest: tuple[float, Path] | None = None
    root = repo_path.resolve()
    for meta in (state_dir(repo_path) / DRAFTS_DIR).glob("*.json"):
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            saved, plan = float(info["saved"]), Path(str(info["plan"]))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            continue
        if not plan.resolve().is_relative_to(root) or plan.is_symlink() \
                or _draft_files(repo_path, plan)[1] != meta:
            continue
        if newest is None or saved > newest[0]:
            newest = (saved, plan)
    return newest[1] if newest is not None else None
