"""The workbench's own layer over the use cases: undo and redo, the autosaved draft,
and a session that knows when its plan is applied (in this process, and on a later
start)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.session import Session
from support.plans import write_plan
from support.repos import git

from .conftest import SMALL_MOVES


def test_after_apply_the_session_and_a_later_start_show_the_plan_applied(
        small_repo: Path) -> None:
    session = Session.open(small_repo, plan_path=small_repo / "plan.toml")
    assert session.applied is None
    result = session.apply()
    assert result is not None and result.verify is not None and result.verify.ok
    assert session.applied is not None and session.applied.moves == SMALL_MOVES
    assert "pkg.infra.storage.db" in session.repo.modules

    later = Session.open(small_repo, plan_path=small_repo / "plan.toml")
    assert later.applied is not None
    assert later.applied.state == "all" and later.applied.verify_ok is True
    default = Session.open(small_repo)  # no plan named: a new suggestion, not a refusal
    assert default.applied is None


def test_the_plan_file_found_by_default_opens_applied_too(small_repo: Path) -> None:
    write_plan(small_repo / "pyagent-plan.toml", SMALL_MOVES, packages=["pkg"])
    git(small_repo, "add", "-A")
    git(small_repo, "commit", "-q", "-m", "plan")
    Session.open(small_repo).apply()
    assert Session.open(small_repo).applied is not None


def test_an_edit_serialises_the_plan_once_and_undo_redo_walk_it(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session.open(sample, plan_path=sample / "phase1.toml")
    original = session.plan.dumps()
    calls = []
    real = Plan.dumps

    def counting(plan: Plan) -> str:
        calls.append(1)
        return real(plan)

    monkeypatch.setattr(Plan, "dumps", counting)
    session.move_units(["src.infrastructure.attention"], "compute")
    assert session.unsaved
    session.autosave()
    assert len(calls) == 1
    monkeypatch.undo()

    assert session.plan.status == "draft"  # an edit needs a new approval
    assert session.undo() == "move attention to compute"
    assert session.plan.dumps() == original
    assert session.redo() == "move attention to compute"
    move = session.move_for("src.infrastructure.attention")
    assert move is not None and move.tier == "compute"


def test_empty_starts_fresh_even_when_a_draft_exists(sample: Path) -> None:
    session = Session.open(sample, plan_path=sample / "phase1.toml")
    session.move_units(["src.infrastructure.attention"], "compute")
    session.autosave()
    assert Session.open(sample, plan_path=sample / "phase1.toml").origin.startswith(
        "restored your unsaved draft")
    empty = Session.open(sample, plan_path=sample / "phase1.toml", empty=True)
    assert empty.origin == "started from an empty plan" and not empty.plan.moves


def test_each_plan_file_keeps_its_own_draft(sample: Path) -> None:
    first = Session.open(sample, plan_path=sample / "phase1.toml")
    first.move_units(["src.infrastructure.attention"], "compute")
    first.autosave()
    other = sample / "other.toml"
    other.write_text((sample / "phase1.toml").read_text())
    second = Session.open(sample, plan_path=other)
    assert second.origin == "opened other.toml"
    second.autosave()  # nothing unsaved here: this plan's draft (none) is what goes
    second.move_units(["src.infrastructure.attention"], "storage")
    second.autosave()
    again = Session.open(sample, plan_path=sample / "phase1.toml")
    assert again.origin.startswith("restored your unsaved draft")
    move = again.move_for("src.infrastructure.attention")
    assert move is not None and move.tier == "compute"
    latest = Session.open(sample)  # no plan named: the most recent draft
    assert latest.plan_path == other
    saved = latest.save(sample / "renamed.toml")
    assert saved == sample / "renamed.toml"
    assert Session.open(sample, plan_path=other).origin == "opened other.toml"


def test_files_touched_is_counted_again_after_a_move_and_an_undo_not_a_verdict(
        sample: Path) -> None:
    session = Session.open(sample, plan_path=sample / "phase1.toml")

    def recount() -> int:
        new = session.view.tiermap.new_name
        moved = {m for m in session.graph.modules if new(m) != m}
        return len(moved.union(*(session.graph.importers_of(m) for m in moved)))

    before = session.files_touched()
    assert before == recount()
    session.review([session.edges()[0].key], "accepted", "")
    assert session.files_touched() == before
    session.move_units(["src.infrastructure.attention"], None)
    assert session.files_touched() == recount() < before
    session.undo()
    session.undo()
    assert session.files_touched() == before == recount()


def test_previews_of_units_check_the_plan_once_per_plan_text_and_listing(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit's preview checks the plan against the repo (0.2-0.3 s on Django's) only
    when the plan's text or the repo's listing changed since the last check."""
    from pyagent_workbench.workspace import Workspace

    session = Session.open(sample, plan_path=sample / "phase1.toml")
    checks = []
    real = Workspace.check

    def counting(workspace: Workspace) -> list[object]:
        checks.append(workspace.plan.dumps())
        return real(workspace)

    monkeypatch.setattr(Workspace, "check", counting)
    unit = "src.infrastructure.attention"
    first = session.preview([unit], plan=session.plan.copy())
    session.preview([unit], plan=session.plan.copy())
    session.preview([unit])
    assert len(checks) == 1
    session.move_units([unit], "compute")
    moved = session.preview([unit], plan=session.plan.copy())
    assert len(checks) == 2 and checks[1] != checks[0]
    assert [c.new_path for c in moved.changes] != [c.new_path for c in first.changes]
    (sample / "src/infrastructure/attention/extra.py").write_text("X = 1\n")
    session.repo.refresh()
    session.preview([unit])
    assert len(checks) == 3
