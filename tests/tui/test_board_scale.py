"""The board on a repo of Django's shape (tests/support/large.py): 240 units in three
containers, 24 tiers, a long "stays" column. Keys, container switching, drag with
auto-scroll and search, driven with Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.tui.widgets.board import TierColumn, next_column
from support.large import make_large_repo
from textual.pilot import Pilot

from tui.harness import board, make_app, ready


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_large_repo(tmp_path_factory.mktemp("large") / "big")


def app_for(repo: Path):  # type: ignore[no-untyped-def]
    return make_app(repo, repo / "plan.toml")


def focused_column(pilot: Pilot[None]) -> TierColumn:
    focused = pilot.app.screen.focused
    assert isinstance(focused, TierColumn)
    return focused


def in_view(pilot: Pilot[None], column: TierColumn) -> bool:
    """The column's cursor row is inside the board's visible region."""
    region = board(pilot).region
    row_y = column.content_region.y + column.cursor - column.scroll_offset.y
    return (region.x <= column.region.x and column.region.right <= region.right
            and column.content_region.y <= row_y < column.content_region.bottom)


def test_next_column_skips_empty_columns() -> None:
    assert next_column([3, 0, 2], 0, 1) == 2
    assert next_column([3, 0, 2], 2, -1) == 0
    assert next_column([3, 0, 0], 0, 1) is None


async def test_right_from_deep_in_stays_moves_a_column_per_press(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        stays = board(pilot).column(None)
        assert stays is not None and len(stays.units) > 60
        board(pilot).focus_unit(stays.units[-5])
        await pilot.pause()
        assert focused_column(pilot) is stays and stays.scroll_offset.y > 0
        layout = [c for c in board(pilot).query(TierColumn) if c.display and c.units]
        await pilot.press("right")
        assert focused_column(pilot) is layout[1]
        assert stays.scroll_offset.x == 0
        await pilot.press("right", "right", "right", "right", "right")
        assert focused_column(pilot) is layout[6]
        await pilot.pause()
        assert in_view(pilot, layout[6])
        await pilot.press("down", "down", "left")
        assert focused_column(pilot) is layout[5]
        assert in_view(pilot, layout[5])


async def test_the_focused_column_comes_into_view_after_a_resize(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press(*["right"] * 5, *["down"] * 6)
        column = focused_column(pilot)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert focused_column(pilot) is column
        assert in_view(pilot, column)
