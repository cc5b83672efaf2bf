"""The workbench driven like a user does, with keys, clicks and drags (Textual Pilot),
on copies of sample_repo/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.tui.dialogs import MessageScreen, TextPrompt, TierPicker
from pyagent_workbench.tui.widgets.edges import EdgeTable
from support.repos import copy_sample
from textual.widgets import TabbedContent

from tui.harness import board, make_app, ready

UNIT = "src.infrastructure.auth"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "sample")


async def drag_unit(pilot, unit: str, tier: str) -> None:  # type: ignore[no-untyped-def]
    source, offset = board(pilot).unit_offset(unit)
    column = board(pilot).column(tier)
    assert column is not None
    await pilot.pause()
    await pilot.mouse_down(source, offset=offset)
    target = board(pilot).column_offset(column)
    await pilot.pause()
    await pilot.hover(source, offset=target)
    assert board(pilot).drop_target is column
    await pilot.mouse_up(source, offset=target)
    await pilot.pause()


async def test_drag_and_keyboard_moves_give_the_same_plan(sample: Path) -> None:
    plans = []
    for how in ("drag", "keys"):
        app = make_app(sample, sample / "phase1.toml")
        async with app.run_test(size=(200, 60)) as pilot:
            await ready(pilot)
            if how == "drag":
                await drag_unit(pilot, UNIT, "services")
            else:
                board(pilot).focus_unit(UNIT)
                await pilot.pause()
                await pilot.press("m")
                assert isinstance(app.screen, TierPicker)
                await pilot.press(*"servi", "enter")
                await pilot.pause()
            assert app.session is not None
            move = app.session.plan.move_for(UNIT)
            assert move is not None and move.target == "src.infrastructure.services.auth"
            assert UNIT in board(pilot).shown()["services"]
            plans.append(app.session.plan.dumps())
            app.session.discard_draft()
    assert plans[0] == plans[1]


async def test_multi_select_drag_moves_every_selected_unit(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        for unit in ("src.infrastructure.auth", "src.infrastructure.config"):
            board(pilot).focus_unit(unit)
            await pilot.pause()
            await pilot.press("space")
        await drag_unit(pilot, "src.infrastructure.config", "swarm")
        assert app.session is not None
        assert {m.source for m in app.session.plan.moves if m.tier == "swarm"} >= {
            "src.infrastructure.auth", "src.infrastructure.config"}
        assert board(pilot).selected_count() == 0


async def test_undo_and_redo_walk_the_action_list(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        session = app.session
        assert session is not None
        original = session.plan.dumps()
        board(pilot).focus_unit(UNIT)
        await pilot.pause()
        await pilot.press("m", *"swarm", "enter")
        moved = session.plan.dumps()
        assert moved != original
        figures_moved = session.figures()
        await pilot.press("ctrl+z")
        assert session.plan.dumps() == original
        assert UNIT in board(pilot).shown()[None]
        await pilot.press("ctrl+y")
        assert session.plan.dumps() == moved
        assert session.figures() == figures_moved
        assert [a.description for a in session.done] == ["move auth to swarm"]
        await pilot.press("4")
        assert "move auth to swarm" in str(app.screen.query_one("#action-log").render())


async def test_new_tier_and_rename(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        session = app.session
        assert session is not None
        board(pilot).focus_unit(UNIT)
        await pilot.pause()
        await pilot.press("n")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"security", "enter")
        assert session.plan.tier("security") is not None
        assert session.plan.tier("security").package == "src.infrastructure.security"
        await pilot.press("m", *"security", "enter")
        await pilot.press("r")
        await pilot.press(*"unit", "enter")
        await pilot.press(*["ctrl+a"], "backspace")
        app.screen.query_one("Input").value = ""
        await pilot.press(*"authn", "enter")
        move = session.plan.move_for(UNIT)
        assert move is not None and move.target == "src.infrastructure.security.authn"
        await pilot.press("r", *"tier", "enter")
        app.screen.query_one("Input").value = ""
        await pilot.press(*"trust", "enter")
        move = session.plan.move_for(UNIT)
        assert move is not None and move.target == "src.infrastructure.trust.authn"
        assert move.tier == "trust"


async def test_approval_is_refused_while_edges_are_unreviewed(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, MessageScreen)
        assert app.screen.title_text == "Approval refused"
        assert "100 cross-tier edges still unreviewed" in str(app.screen.body)
        assert not (sample / "pyagent-plan.toml").exists()


async def test_reviewing_every_edge_then_approving_writes_the_expected_plan(
        sample: Path) -> None:
    plan_path = sample / "phase1.toml"
    text = plan_path.read_text()
    assert 'status = "draft"' in text  # as shipped
    app = make_app(sample, plan_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        session = app.session
        assert session is not None
        await pilot.press("2")
        table = app.screen.query_one(EdgeTable)
        assert app.screen.query_one(TabbedContent).active == "review"
        first = table.current()
        assert first is not None
        await pilot.press("x")  # the first edge: must-fix
        await pilot.press("f")  # only unreviewed edges
        await pilot.press("A")  # accept everything the filter shows
        assert session.approval().ok
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")
        await pilot.pause()

    written = Plan.load(plan_path)
    expected = Plan.parse(text)
    pairs = sorted({(e.importer, e.imported) for e in session.edges()})
    for importer, imported in pairs:
        verdict = "must-fix" if (importer, imported) == first.key else "accepted"
        expected.set_review(importer, imported, verdict, "")
    expected.set_status("approved")
    assert written.dumps() == expected.dumps()
    assert not list((sample / ".pyagent-workbench/drafts").glob("*.toml"))  # approved: no draft


async def test_reopening_an_exported_plan_restores_the_same_board(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        board(pilot).focus_unit(UNIT)
        await pilot.pause()
        await pilot.press("m", *"swarm", "enter", "s")
        assert app.session is not None
        shown = board(pilot).shown()
        figures = app.session.figures()
    again = make_app(sample, sample / "phase1.toml")
    async with again.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        assert board(pilot).shown() == shown
        assert again.session is not None and again.session.figures() == figures


async def test_autosaved_draft_is_restored_after_quitting(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        board(pilot).focus_unit(UNIT)
        await pilot.pause()
        await pilot.press("m", *"swarm", "enter")
        await pilot.press("ctrl+q")
    assert Plan.load(sample / "phase1.toml").move_for(UNIT) is None  # the file is untouched
    again = make_app(sample, sample / "phase1.toml")
    async with again.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        assert again.session is not None
        assert "restored your unsaved draft" in again.session.origin
        move = again.session.plan.move_for(UNIT)
        assert move is not None and move.tier == "swarm"


async def test_apply_from_the_workbench(sample: Path) -> None:
    """The shipped draft: apply is refused until every edge is reviewed and the plan
    approved; then it applies, verifies, and the sample's own tests pass."""
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        assert app.screen.sub_title == "phase1.toml (draft)"
        await app.screen.run_action("apply")
        assert isinstance(app.screen, MessageScreen)
        assert app.screen.title_text == "Approve the plan first"
        assert "The plan is draft." in str(app.screen.body)
        await pilot.press("escape")
        await pilot.press("2", "A", "ctrl+s")  # accept every edge shown, approve
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.sub_title == "phase1.toml (approved)"
        await app.screen.run_action("apply")
        await pilot.pause()
        await pilot.press("tab", "enter")  # focus "Apply", confirm
        for _ in range(600):
            await pilot.pause(0.1)
            if isinstance(app.screen, MessageScreen):
                break
        assert isinstance(app.screen, MessageScreen), app.screen
        assert app.screen.title_text == "Applied", app.screen.body
        assert "checked: OK" in str(app.screen.body)
    assert (sample / "src/infrastructure/engine/attention/paged.py").is_file()
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=sample, capture_output=True, text=True, check=False)
    assert tests.returncode == 0, tests.stdout[-2000:]


async def test_errors_show_in_the_ui_not_as_a_traceback(tmp_path: Path) -> None:
    from pyagent_workbench.tui.screens.error import ErrorScreen

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no code here\n")
    app = make_app(empty)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, ErrorScreen):
                break
        assert isinstance(app.screen, ErrorScreen)
        assert "no Python package found" in app.screen.message
        await pilot.press("q")


@pytest.mark.parametrize("dialog", ["picker", "prompt", "confirm", "message"])
async def test_a_dialog_closed_before_it_mounts_is_no_error(dialog: str) -> None:
    """A dialog dismissed at once (Escape pressed as it opens: it happened in CI) has
    lost its children when its Mount event comes; it must not look for them then."""
    from pyagent_workbench.tui.dialogs import Confirm
    from textual.app import App

    screens = {"picker": lambda: TierPicker([("engine", "")], ["a.b"]),
               "prompt": lambda: TextPrompt("Name?"),
               "confirm": lambda: Confirm("Sure?", "body"),
               "message": lambda: MessageScreen("Note", "body")}
    app: App[None] = App()
    async with app.run_test() as pilot:
        for _ in range(3):
            app.push_screen(screens[dialog]())
            app.pop_screen()
            await pilot.pause()
        screen = screens[dialog]()
        await app.push_screen(screen)
        await pilot.pause()
        assert screen.focused is not None and screen.focused.id in {
            "query", "answer", "no", "close"}
