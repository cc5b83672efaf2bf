"""Applying from the workbench, then opening the repo again: the workbench shows the
plan as applied (it used to refuse the repo with a list of collisions), and `n` starts
a new plan on the new layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.tui.dialogs import Confirm, MessageScreen
from pyagent_workbench.tui.screens.applied import AppliedScreen
from pyagent_workbench.tui.screens.error import ErrorScreen
from support.repos import copy_sample, git
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable

from tui.harness import make_app, ready, wait_for_screen

MOVED = ("src.infrastructure.attention", "src.infrastructure.engine.attention")


def sample_with_facades(root: Path, *, facades: bool) -> Path:
    """A committed copy of sample_repo/ whose approved plan has facades on or off."""
    sample = copy_sample(root, approved=True)
    plan = sample / "phase1.toml"
    text = plan.read_text()
    assert 'status = "approved"' in text and "facades = true" in text
    if not facades:
        plan.write_text(text.replace("facades = true", "facades = false"))
        git(sample, "commit", "-q", "-am", "no facades")
    return sample


async def apply_with_palette(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+p")
    await wait_for_screen(pilot, CommandPalette)
    await pilot.press(*"Apply plan")
    await pilot.pause(0.5)
    await pilot.press("enter")


async def apply_with_key(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+r")


@pytest.mark.parametrize(("facades", "start_apply"), [
    (True, apply_with_palette), (False, apply_with_key)], ids=["facades", "no-facades"])
async def test_the_workbench_shows_and_reopens_an_applied_plan(
        tmp_path: Path, facades: bool, start_apply) -> None:  # type: ignore[no-untyped-def]
    sample = sample_with_facades(tmp_path / "sample", facades=facades)
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await start_apply(pilot)
        await wait_for_screen(pilot, Confirm)
        await pilot.press("y")
        result = await wait_for_screen(pilot, MessageScreen, timeout=120)
        assert result.title_text == "Applied", result.body
        await pilot.press("enter")
        applied = await wait_for_screen(pilot, AppliedScreen)
        assert MOVED in applied.applied.moves
        assert applied.applied.verify_ok is True
        assert applied.query_one("#moves", DataTable).row_count == len(applied.applied.moves)
        await pilot.press("q")
    assert (sample / "src/infrastructure/engine/attention/paged.py").is_file()
    assert (sample / "src/infrastructure/attention").exists() == facades

    again = make_app(sample, sample / "phase1.toml")
    async with again.run_test(size=(160, 48)) as pilot:
        reopened = await wait_for_screen(pilot, (AppliedScreen, ErrorScreen))
        assert isinstance(reopened, AppliedScreen), getattr(reopened, "message", "")
        assert MOVED in reopened.applied.moves
        await pilot.press("n")  # a new plan, suggested on the new layout
        await ready(pilot, timeout=60)
        assert again.session is not None and again.session.applied is None
        assert again.session.plan_path != sample / "phase1.toml"
        await pilot.press("ctrl+q")


async def test_a_plan_landed_in_part_shows_what_landed_and_the_next_batch(
        tmp_path: Path) -> None:
    """Issue 17: batch 1 (the engine tier) landed from a shell; the workbench says which
    moves landed, which are pending in which batch, and the command for the next."""
    from support.cli import run

    sample = sample_with_facades(tmp_path / "sample", facades=True)
    landed = run("apply", sample / "phase1.toml", "--batch", "1", "--commit", "--no-verify")
    assert landed.code == 0, landed.err
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await wait_for_screen(pilot, (AppliedScreen, ErrorScreen))
        assert isinstance(screen, AppliedScreen), getattr(screen, "message", "")
        await pilot.pause()
        assert screen.applied.state == "partial" and screen.applied.next_batch == 2
        table = screen.query_one("#moves", DataTable)
        rows = [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]
        assert (*MOVED, "1", "landed") in rows
        assert ("src.infrastructure.cuda", "src.infrastructure.compute.cuda", "2",
                "pending") in rows
        assert sum(row[3] == "landed" for row in rows) == 9
        text = str(screen.query_one("#next").render())
        assert "pyagent-workbench apply phase1.toml --batch 2 --commit" in text
        await pilot.press("q")


async def test_the_next_batch_lands_from_the_workbench(tmp_path: Path) -> None:
    """`a` on a partly applied plan applies its next batch, as `apply --batch N` does."""
    from pyagent_workbench.model.plan import Plan
    from support.cli import run

    sample = sample_with_facades(tmp_path / "sample", facades=True)
    assert run("apply", sample / "phase1.toml", "--batch", "1", "--commit",
               "--no-verify").code == 0
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await wait_for_screen(pilot, (AppliedScreen, ErrorScreen))
        assert isinstance(screen, AppliedScreen), getattr(screen, "message", "")
        await pilot.pause()
        await pilot.press("a")
        confirm = await wait_for_screen(pilot, Confirm)
        assert confirm.title_text == "Land batch 2?"
        await pilot.press("y")
        result = await wait_for_screen(pilot, MessageScreen, timeout=120)
        assert result.title_text == "Applied", result.body
        await pilot.press("enter")
        after = await wait_for_screen(pilot, AppliedScreen)
        await pilot.pause()
        assert after is not screen and after.applied.next_batch == 3
        await pilot.press("q")
    landed = {m.tier for m in Plan.load(sample / "phase1.toml").moves if m.landed}
    assert landed == {"engine", "compute"}
    assert (sample / "src/infrastructure/compute/cuda").is_dir()
