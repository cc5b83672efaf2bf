"""Tiers as objects on the board, on a repo of Django's shape (tests/support/large.py):
delete (`X`), merge (`M`), reorder layers (`<` `>`), re-suggest one container (`T`),
rename an empty tier (`r`), each undone with ctrl+z. Driven with Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.model import names
from pyagent_workbench.session import Session
from pyagent_workbench.tui.dialogs import Confirm, TextPrompt, TierPicker
from pyagent_workbench.tui.widgets.board import TierColumn
from support.large import make_large_repo
from textual.pilot import Pilot

from tui.harness import board, make_app, ready


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_large_repo(tmp_path_factory.mktemp("large") / "big")


def focused_column(pilot: Pilot[None]) -> TierColumn:
    column = board(pilot).focused_column()
    assert column is not None
    return column


def session(pilot: Pilot[None]) -> Session:
    found = pilot.app.session  # type: ignore[attr-defined]
    assert isinstance(found, Session)
    return found


def tiers_of(pilot: Pilot[None], container: str) -> list[str]:
    return session(pilot).tiers_for(container)


async def first_tier_column(pilot: Pilot[None]) -> TierColumn:
    """Focus the first tier column (the one right of "stays") of the shown container."""
    await ready(pilot)
    await pilot.press("right")
    column = focused_column(pilot)
    assert column.tier is not None and column.units
    return column


async def test_delete_a_tier_sends_its_units_back_to_stays(large: Path) -> None:
    app = make_app(large, large / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        column = await first_tier_column(pilot)
        tier, units = column.tier, list(column.units)
        before = tiers_of(pilot, "big.apps")
        await pilot.press("X")
        assert isinstance(app.screen, Confirm)
        assert f"Its {len(units)} units go back to stays" in app.screen.body
        await pilot.press("y")
        await pilot.pause()
        assert tiers_of(pilot, "big.apps") == [t for t in before if t != tier]
        stays = board(pilot).column(None)
        assert stays is not None and set(units) <= set(stays.units)
        assert all(session(pilot).plan.move_for(u) is None for u in units)
        assert board(pilot).focused_column() is not None  # the focus is not lost
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert tiers_of(pilot, "big.apps") == before
        restored = board(pilot).column(tier)
        assert restored is not None and restored.units == units


async def test_delete_refuses_the_stays_column(large: Path) -> None:
    app = make_app(large, large / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert focused_column(pilot).tier is None
        before = session(pilot).plan.dumps()
        await pilot.press("X")
        assert not isinstance(app.screen, Confirm)
        assert session(pilot).plan.dumps() == before


async def test_merge_a_tier_into_another_of_its_container(large: Path) -> None:
    app = make_app(large, large / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        column = await first_tier_column(pilot)
        source, moving = column.tier, list(column.units)
        into = [t for t in tiers_of(pilot, "big.apps") if t != source][-1]
        await pilot.press("M")
        picker = app.screen
        assert isinstance(picker, TierPicker)
        assert picker.title_text == f"Merge '{source}' into…"
        assert [name for name, _ in picker.tiers] == \
            [t for t in tiers_of(pilot, "big.apps") if t != source]
        await pilot.press(*into, "enter")
        await pilot.pause()
        assert source not in tiers_of(pilot, "big.apps")
        target = board(pilot).column(into)
        assert target is not None and set(moving) <= set(target.units)
        assert focused_column(pilot) is target  # the focused unit went along
        plan = session(pilot).plan
        assert all(names.parent(plan.move_for(u).target) == plan.tier(into).package  # type: ignore[union-attr]
                   for u in moving)


async def test_angle_brackets_move_a_tier_a_layer_and_its_column_follows(
        large: Path) -> None:
    app = make_app(large, large / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("right", "right")  # the second tier from the top
        tier = focused_column(pilot).tier
        order = tiers_of(pilot, "big.apps")
        assert order.index(tier) == 1  # type: ignore[arg-type]
        await pilot.press("less_than_sign")  # up: one place left
        await pilot.pause()
        assert tiers_of(pilot, "big.apps").index(tier) == 0  # type: ignore[arg-type]
        assert focused_column(pilot).tier == tier
        await pilot.press("less_than_sign")  # the top already: nothing changes
        await pilot.pause()
        assert tiers_of(pilot, "big.apps").index(tier) == 0  # type: ignore[arg-type]
        await pilot.press("greater_than_sign", "greater_than_sign")
        await pilot.pause()
        assert tiers_of(pilot, "big.apps").index(tier) == 2  # type: ignore[arg-type]
        assert focused_column(pilot).tier == tier
        shown = [c.tier for c in board(pilot).shown_columns()]
        assert shown == [None, *tiers_of(pilot, "big.apps")]  # the columns follow the layers


async def test_resuggest_one_container_with_the_tiers_asked(large: Path) -> None:
    app = make_app(large, large / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("right_square_bracket")  # big.contrib
        assert board(pilot).container == "big.contrib"
        others = {c: tiers_of(pilot, c) for c in ("big.apps", "big.core")}
        await pilot.press("T")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        assert prompt.title_text == "Re-suggest the tiers of big.contrib"
        prompt.query_one("Input").value = ""  # type: ignore[attr-defined]
        await pilot.press("4", "enter")
        await pilot.pause()
        tiers = tiers_of(pilot, "big.contrib")
        assert len(tiers) == 4
        contrib = [u for u in session(pilot).units()
                   if session(pilot).unit_info(u).container == "big.contrib"]
        assert {session(pilot).unit_info(u).tier for u in contrib} == set(tiers)
        assert {c: tiers_of(pilot, c) for c in others} == others
        assert board(pilot).container == "big.contrib"
        assert [c.tier for c in board(pilot).shown_columns()] == [None, *tiers]
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert len(tiers_of(pilot, "big.contrib")) == 8


async def test_a_resuggestion_that_is_not_a_number_changes_nothing(large: Path) -> None:
    app = make_app(large, large / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        before = session(pilot).plan.dumps()
        await pilot.press("T")
        app.screen.query_one("Input").value = "many"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert session(pilot).plan.dumps() == before


async def test_rename_an_empty_tier_from_its_column(large: Path) -> None:
    app = make_app(large, large / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        session(pilot).new_tier("empty_one", "big.apps", layer=100)
        app.screen.refresh_views()  # type: ignore[attr-defined]
        await pilot.pause()
        column = board(pilot).column("empty_one")
        assert column is not None and not column.units
        board(pilot).focus_column(column)
        await pilot.pause()
        await pilot.press("r")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt) and prompt.title_text == "Rename tier 'empty_one'"
        prompt.query_one("Input").value = "spare"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert "spare" in tiers_of(pilot, "big.apps")
        assert focused_column(pilot).tier == "spare"  # the empty column keeps the focus


async def test_an_invalid_tier_name_keeps_the_dialog_and_the_text(large: Path) -> None:
    """`class` is refused (a keyword), so is a name taken; the dialog says why and keeps
    what was typed; a good name then goes through."""
    app = make_app(large, large / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        taken = tiers_of(pilot, "big.apps")[0]
        await pilot.press("n", *"class", "enter")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        refusal = str(prompt.query_one("#refusal").render())
        assert "keyword" in refusal
        assert prompt.query_one("Input").value == "class"  # type: ignore[attr-defined]
        prompt.query_one("Input").value = taken  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert app.screen is prompt
        assert "exists already" in str(prompt.query_one("#refusal").render())
        prompt.query_one("Input").value = "klass"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not prompt
        assert "klass" in tiers_of(pilot, "big.apps")
