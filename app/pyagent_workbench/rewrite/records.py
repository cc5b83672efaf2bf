"""What the tool remembers about a plan between runs, in its own folder: what `diff` showed,
what imported before an apply, and the apply itself (what moved, verify's result).

Each record is named by the plan's digest, so a changed plan never reads another plan's
record. Records are written atomically and read without trust: a missing or damaged
record reads as none.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pyagent_workbench import safefiles
from pyagent_workbench.errors import ApplyError
from pyagent_workbench.rewrite import facades
from pyagent_workbench.rewrite.engine import sha256
from pyagent_workbench.statedir import APPLIED_DIR, LAST_DIFF, VERIFY_DIR, ensure_state_dir
from pyagent_workbench.workspace import Workspace

if TYPE_CHECKING:
    from pyagent_workbench.rewrite.engine import ChangeSet

AppliedState = Literal["none", "all", "partial"]


def plan_digest(workspace: Workspace) -> str:
    """The plan's identity for its records: its moves, in any order."""
    moves = sorted((m.source, m.target) for m in workspace.plan.moves)
    return sha256(json.dumps(moves).encode())[:16]


def _record_path(workspace: Workspace, folder: str) -> Path:
    return workspace.repo.state_dir / folder / f"{plan_digest(workspace)}.json"


def _save(workspace: Workspace, path: Path, data: object) -> None:
    """Write a record under the tool's folder (created, ignoring itself, if need be)."""
    ensure_state_dir(workspace.repo.root)
    path.parent.mkdir(exist_ok=True)
    safefiles.replace_file(path, json.dumps(data, indent=1).encode())


# -- the apply -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedRecord:
    """The plan as applied: what moved, when, and verify's result (`None`: not run)."""

    moves: list[tuple[str, str]]
    """(source, target) of every move, as the plan named them."""
    applied_at: float
    """`time.time()` at the apply's commit point."""
    verify: dict[str, Any] | None = None
    """`VerifyReport.as_json()` of the verify run after the apply."""

    @classmethod
    def now(cls, workspace: Workspace) -> AppliedRecord:
        return cls([(m.source, m.target) for m in workspace.plan.moves], time.time())

    def as_json(self) -> dict[str, Any]:
        return {"schema": 1, "moves": [list(m) for m in self.moves],
                "applied_at": self.applied_at, "verify": self.verify}

    @classmethod
    def from_json(cls, data: object) -> AppliedRecord | None:
        """The record `data` holds, or `None` when it is not one (every type checked)."""
        if not isinstance(data, dict):
            return None
        moves, applied_at, verify = data.get("moves"), data.get("applied_at"), data.get("verify")
        if not isinstance(moves, list) or not all(
                isinstance(m, list) and len(m) == 2 and all(isinstance(n, str) for n in m)
                for m in moves):
            return None
        if isinstance(applied_at, bool) or not isinstance(applied_at, int | float):
            return None
        if verify is not None and not isinstance(verify, dict):
            return None
        return cls([(source, target) for source, target in moves], float(applied_at), verify)


def save_applied(workspace: Workspace, record: AppliedRecord) -> None:
    """Write `applied/<digest>.json` (its presence also tells `applied_state` "all")."""
    _save(workspace, _record_path(workspace, APPLIED_DIR), record.as_json())


def load_applied(workspace: Workspace) -> AppliedRecord | None:
    """The record of this plan's apply; `None` when there is none or it is damaged."""
    path = _record_path(workspace, APPLIED_DIR)
    try:
        return AppliedRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def save_verify_result(workspace: Workspace, result: dict[str, Any]) -> bool:
    """Keep verify's result (`VerifyReport.as_json()`) in the applied record; False when
    there is no record to keep it in."""
    record = load_applied(workspace)
    if record is None:
        return False
    save_applied(workspace, replace(record, verify=result))
    return True


def applied_state(workspace: Workspace) -> AppliedState:
    """How much of the plan the repo already reflects.

    An apply records itself under the tool's folder; while every target is still there,
    that settles it. Without a record (a fresh clone, or a plan applied in batches), the
    tree is read, move by move (`move_states`)."""
    repo = workspace.repo
    moves = workspace.plan.moves
    if moves and _record_path(workspace, APPLIED_DIR).is_file() \
            and all(m.target in repo.modules or m.source not in repo.modules for m in moves):
        return "all"
    states = move_states(workspace).values()
    if not any(state == "landed" for state in states):
        return "none"
    return "all" if all(state != "pending" for state in states) else "partial"


MoveState = Literal["landed", "pending", "vanished"]


def move_states(workspace: Workspace) -> dict[str, MoveState]:
    """Each move's state in the tree, by source: "landed" when its target exists and its
    source is gone or is a facade pointing at it; "vanished" when neither exists (a
    directory without __init__.py that the plan emptied exists under no name after the
    apply) and some other move has landed; else "pending" (a plan naming a module the
    repo lacks is pending, and invalid)."""
    repo = workspace.repo
    states: dict[str, MoveState] = {}
    for move in workspace.plan.moves:
        source = repo.modules.get(move.source)
        target_present = move.target in repo.modules
        if source is not None and source.path.endswith(".py"):
            marker = facades.read_marker(_head(repo.root / source.path))
            source_is_facade = marker is not None and marker[1] == move.target
        else:
            source_is_facade = False
        if target_present and (source is None or source_is_facade):
            states[move.source] = "landed"
        elif source is None and not target_present:
            states[move.source] = "vanished"
        else:
            states[move.source] = "pending"
    if "landed" not in states.values():
        return dict.fromkeys(states, "pending")
    return states


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(2000)
    except OSError:
        return b""


# -- what imported before, for verify ---------------------------------------------------


def verify_record_path(workspace: Workspace) -> Path:
    """`verify/<digest>.json`: the edges and imports `verify` compares with."""
    return _record_path(workspace, VERIFY_DIR)


def save_verify_record(workspace: Workspace, record: dict[str, Any]) -> None:
    _save(workspace, verify_record_path(workspace), record)


# -- what `diff` showed ------------------------------------------------------------------


def record_last_diff(workspace: Workspace, changeset: ChangeSet) -> None:
    """Remember the inputs `diff` showed, so `apply` can tell when one changed since."""
    _save(workspace, workspace.repo.state_dir / LAST_DIFF,
          {"plan": plan_digest(workspace), "inputs": changeset.inputs})


def check_last_diff(workspace: Workspace, changeset: ChangeSet) -> None:
    """Refuse when a file changed since `diff` showed this plan's changes."""
    record = workspace.repo.state_dir / LAST_DIFF
    if not record.exists():
        return
    try:
        data = json.loads(record.read_text())
    except (OSError, ValueError):
        return
    if not isinstance(data, dict) or data.get("plan") != plan_digest(workspace):
        return
    seen = data.get("inputs")
    for path, digest in sorted(seen.items() if isinstance(seen, dict) else []):
        now = changeset.inputs.get(path)
        if now is not None and now != digest:
            raise ApplyError(
                f"{path} changed since `diff` was run; run `diff` again to review the "
                f"changes, then apply")
