"""Plans from inside the workbench: open another plan file, start a new plan, discard
the unsaved changes. Unsaved work is never lost on the way: it stays as a draft."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.model.plan import DEFAULT_PLAN_NAME, Plan
from pyagent_workbench.statedir import DRAFTS_DIR, STATE_DIR
from pyagent_workbench.tui.dialogs import Confirm, TextPrompt
from support.repos import copy_sample
from textual.pilot import Pilot
from textual.widgets import Input

from tui.harness import make_app, ready, wait_for_screen

UNIT = "src.infrastructure.attention"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "sample")


async def open_plan(pilot: Pilot[None], name: str) -> None:
    await pilot.press("ctrl+o")
    prompt = await wait_for_screen(pilot, TextPrompt)
    prompt.query_one(Input).value = name
    await pilot.press("enter")


async def test_another_plan_opens_and_the_work_on_this_one_waits_as_a_draft(
        sample: Path) -> None:
    other = sample / "other.toml"
    plan = Plan.load(sample / "phase1.toml")
    plan.remove_move(UNIT)
    plan.save(other)
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.session is not None
        app.session.move_units([UNIT], "compute")
        app.session.autosave()
        await open_plan(pilot, "other.toml")
        await pilot.pause(0.5)
        await ready(pilot)
        assert app.session.plan_path == other
        assert app.session.move_for(UNIT) is None
        await open_plan(pilot, "phase1.toml")
        await pilot.pause(0.5)
        await ready(pilot)
        assert app.session.origin.startswith("restored your unsaved draft")
        move = app.session.move_for(UNIT)
        assert move is not None and move.tier == "compute"
        await open_plan(pilot, "missing.toml")
        await pilot.pause()
        assert app.session.plan_path == sample / "phase1.toml"  # refused, nothing changed


async def test_a_new_plan_starts_from_the_suggestion_in_a_file_of_its_own(
        sample: Path) -> None:
    (sample / DEFAULT_PLAN_NAME).write_text((sample / "phase1.toml").read_text())
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause(0.5)
        await ready(pilot)
        assert app.session is not None
        assert app.session.origin == "started from the suggestion"
        assert app.session.plan_path == sample / "pyagent-plan-2.toml"


async def test_discarding_the_draft_reopens_the_plan_as_saved(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.session is not None
        await pilot.press("ctrl+d")  # nothing to discard yet
        assert not isinstance(app.screen, Confirm)
        app.session.move_units([UNIT], "compute")
        app.session.autosave()
        assert list((sample / STATE_DIR / DRAFTS_DIR).glob("*.toml"))
        await pilot.press("ctrl+d")
        await wait_for_screen(pilot, Confirm)
        await pilot.press("y")
        await pilot.pause(0.5)
        await ready(pilot)
        assert not list((sample / STATE_DIR / DRAFTS_DIR).glob("*.toml"))
        move = app.session.move_for(UNIT)
        assert move is not None and move.tier == "engine"
        assert not app.session.unsaved
