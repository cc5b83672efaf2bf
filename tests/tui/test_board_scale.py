"""The board on a repo of Django's shape (tests/support/large.py): 240 units in three
containers, 24 tiers, a long "stays" column. Keys, container switching, drag with
auto-scroll and search, driven with Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.tui.dialogs import STAYS_OPTION, Confirm, TierPicker
from pyagent_workbench.tui.panes.board import UnitSearch, find_unit
from pyagent_workbench.tui.widgets.board import (
    TierColumn,
    compact_title,
    edge_step,
    next_column,
)
from pyagent_workbench.tui.widgets.module_tree import ModuleTree
from support.cli import run
from support.large import make_large_repo
from support.repos import copy_sample
from support.shapes import django_shaped
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList

from tui.harness import board, make_app, quiet, ready, wait_for_screen


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_large_repo(tmp_path_factory.mktemp("large") / "big")


def app_for(repo: Path):  # type: ignore[no-untyped-def]
    return make_app(repo, repo / "plan.toml")


def focused_column(pilot: Pilot[None]) -> TierColumn:
    column = board(pilot).focused_column()
    assert column is not None
    return column


def in_view(pilot: Pilot[None], column: TierColumn) -> bool:
    """The column's cursor row is inside the board's visible region (between the
    column's title and its last line)."""
    area = board(pilot).scrollable_content_region
    region = board(pilot).column_region(column)
    row_y = region.y + 1 + column.cursor - column.top
    return (area.x <= region.x and region.right <= area.right
            and region.y < row_y < region.bottom - 1)


def test_next_column_skips_empty_columns() -> None:
    assert next_column([3, 0, 2], 0, 1) == 2
    assert next_column([3, 0, 2], 2, -1) == 0
    assert next_column([3, 0, 0], 0, 1) is None


async def test_right_from_deep_in_stays_moves_a_column_per_press(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        stays = board(pilot).column(None)
        assert stays is not None and len(stays.units) > 40
        board(pilot).focus_unit(stays.units[-5])
        await pilot.pause()
        assert focused_column(pilot) is stays and stays.top > 0
        layout = [c for c in board(pilot).shown_columns() if c.units]
        await pilot.press("right")
        assert focused_column(pilot) is layout[1]
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


def shown_columns(pilot: Pilot[None]) -> list[TierColumn]:
    return board(pilot).shown_columns()


def board_text(pilot: Pilot[None], line: int) -> str:
    """A line of the board as drawn (0: the columns' titles)."""
    return board(pilot).render_line(line).text


async def test_the_board_shows_one_container_and_names_it_on_every_column(
        large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert board(pilot).container == "big.apps"
        columns = shown_columns(pilot)
        assert len(columns) == 1 + 12
        assert all(c.full_title.endswith(" · apps") for c in columns)
        assert "╭─ stays · apps ─" in board_text(pilot, 0)
        assert all(u.startswith("big.apps.") for c in columns for u in c.units)
        assert "big.apps" in str(board(pilot).border_title)
        assert "2 other containers" in str(board(pilot).border_title)


async def test_brackets_switch_the_container(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("right_square_bracket")
        assert board(pilot).container == "big.contrib"
        assert focused_column(pilot).container == "big.contrib"
        assert len(shown_columns(pilot)) == 1 + 8
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert board(pilot).container == "big.apps"
        await pilot.press("left_square_bracket")
        assert board(pilot).container == "big.core"
        assert all(c.full_title.endswith(" · core") for c in shown_columns(pilot))


async def test_the_zoom_follows_the_board_to_another_container(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("z")
        await pilot.pause()
        assert board(pilot).compact
        await pilot.press("right_square_bracket")
        await pilot.pause()
        area = board(pilot).scrollable_content_region
        regions = [board(pilot).column_region(c) for c in shown_columns(pilot)]
        assert all(area.x <= r.x and r.right <= area.right for r in regions)
        assert board_text(pilot, 0).startswith("▔stays▔")
        await pilot.press("z", "left_square_bracket")
        await pilot.pause()
        assert not board(pilot).compact
        last = board(pilot).column_region(shown_columns(pilot)[-1])
        assert last.x >= board(pilot).region.right


async def test_choosing_a_unit_or_a_container_in_the_tree_switches_the_board(
        large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        tree = app.screen.query_one(ModuleTree)
        tree.focus()
        await pilot.pause()
        contrib = next(n for n in tree.root.children if n.data == "big.contrib")
        tree.move_cursor(contrib.children[5])
        await pilot.pause()
        assert board(pilot).container == "big.contrib"
        column = board(pilot).column_of("big.contrib.contrib_005")
        assert column is not None and column.current_unit() == "big.contrib.contrib_005"
        core = next(n for n in tree.root.children if n.data == "big.core")
        tree.move_cursor(core)
        await pilot.pause()
        assert board(pilot).container == "big.core"


async def test_the_tree_follows_the_board_to_another_container(large: Path) -> None:
    """`]` and a search that lands in another container put the tree's cursor on the
    unit the board shows, without the tree sending the board elsewhere; arrows within
    a container leave the tree still."""
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        tree = app.screen.query_one(ModuleTree)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        unit = focused_column(pilot).current_unit()
        assert unit is not None and unit.startswith("big.contrib.")
        assert tree.cursor_node is not None and tree.cursor_node.data == unit
        line = tree.cursor_line
        await pilot.press("down")
        await pilot.pause()
        assert focused_column(pilot).current_unit() != unit
        assert tree.cursor_line == line  # same container: the tree stays still
        await pilot.press("slash", *"core_030", "enter")
        await pilot.pause()
        assert board(pilot).container == "big.core"
        assert focused_column(pilot).current_unit() == "big.core.core_030"
        assert tree.cursor_node is not None and tree.cursor_node.data == "big.core.core_030"


def test_edge_step_is_near_either_edge() -> None:
    assert edge_step(10, 10, 100) == -1
    assert edge_step(50, 10, 100) == 0
    assert edge_step(97, 10, 100) == 1


def test_a_compact_title_keeps_the_end_of_the_tier_name() -> None:
    assert compact_title("big.apps", "apps_tier11", 8) == "tier11"
    assert compact_title("big.apps", "apps_sessions_v2", 8) == "…ns_v2"
    assert compact_title("big.apps", None, 8) == "stays"


async def test_a_drag_scrolls_the_board_to_an_off_screen_column(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        unit = "big.apps.apps_001"
        the_board = board(pilot)
        last = shown_columns(pilot)[-1]
        assert last.tier == "apps_tier0"
        assert the_board.column_region(last).x >= the_board.region.right  # off-screen
        source, offset = the_board.unit_offset(unit)
        await pilot.pause()
        await pilot.mouse_down(source, offset=offset)
        edge = (the_board.region.right - 2, the_board.region.y + 5)
        for _ in range(100):
            await pilot.hover(offset=edge)
            await pilot.pause(0.05)
            if the_board.column_region(last).right <= the_board.region.right:
                break
        assert the_board.scroll_x > 0
        region = the_board.column_region(last)
        assert region.right <= the_board.region.right
        target = (region.x - the_board.region.x + 3, region.y - the_board.region.y + 3)
        await pilot.hover(the_board, offset=target)
        assert the_board.drop_target is last
        await pilot.mouse_up(the_board, offset=target)
        await pilot.pause()
        info = app.session.unit_info(unit)  # type: ignore[union-attr]
        assert info.tier == "apps_tier0"
        app.session.discard_draft()  # type: ignore[union-attr]


async def test_zoomed_out_every_column_of_a_twelve_tier_container_fits(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        the_board = board(pilot)
        columns = shown_columns(pilot)
        assert the_board.column_region(columns[-1]).x >= the_board.region.right
        height = the_board.column_region(columns[0]).height
        await pilot.press("z")
        await pilot.pause()
        area = the_board.scrollable_content_region
        assert len(columns) == 13
        # The board's scrollbar stays when everything fits (one that came and went would
        # change the columns' height: a second layout and frame of the board at each z).
        assert the_board.show_horizontal_scrollbar
        regions = [the_board.column_region(c) for c in columns]
        assert regions[0].height == height
        assert all(area.x <= r.x and r.right <= area.right for r in regions)
        assert sum(len(c.units) for c in columns) == 120
        assert board_text(pilot, 1).split()[0] == "apps_001"
        assert [t.strip("▔") for t in board_text(pilot, 0).split()[:2]] == ["stays", "tier11"]
        await pilot.press("z")
        await pilot.pause()
        assert the_board.column_region(columns[-1]).x >= the_board.region.right


def test_find_unit_prefers_the_last_part_of_the_name() -> None:
    units = ["big.apps.apps_001", "big.apps.apps_010", "big.core.core_010"]
    assert find_unit(units, "CORE_01") == "big.core.core_010"
    assert find_unit(units, "apps_01") == "big.apps.apps_010"
    assert find_unit(units, "big.core") == "big.core.core_010"
    assert find_unit(units, "nothing") is None
    assert find_unit(units, " ") is None


async def test_slash_jumps_to_a_unit_in_another_container(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        before = focused_column(pilot).current_unit()
        await pilot.press("slash", *"core_03")
        assert board(pilot).container == "big.core"
        column = board(pilot).column_of("big.core.core_030")
        assert column is not None and column.current_unit() == "big.core.core_030"
        await pilot.press("enter")
        assert focused_column(pilot) is column
        assert app.screen.query_one(UnitSearch).has_class("-hidden")
        await pilot.press("slash", *"contrib_07", "escape")
        assert focused_column(pilot) is column
        assert board(pilot).container == "big.core"
        assert column.current_unit() == "big.core.core_030"
        assert before != "big.core.core_030"


@pytest.mark.parametrize(("size", "keys"), [((80, 24), ("right", "right", "right", "down")),
                                            ((200, 60), ("z", "right", "down"))],
                         ids=["80x24", "200x60-zoomed"])
def test_large_board(snap_compare, tmp_path: Path, size: tuple[int, int],  # type: ignore[no-untyped-def]
                     keys: tuple[str, ...]) -> None:
    repo = make_large_repo(tmp_path / "big")  # the folder's name shows in the title

    async def run_before(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press(*keys)
        await quiet(pilot)

    assert snap_compare(app_for(repo), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_large_picker_with_impacts(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """The tier picker over the large board: every destination with what the move would
    change (cross-tier, upward edges, cycles)."""
    repo = make_large_repo(tmp_path / "big")

    async def run_before(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("right", "down", "m")
        await wait_for_screen(pilot, TierPicker)
        await pilot.pause()

    assert snap_compare(app_for(repo), terminal_size=size, run_before=run_before)


async def test_the_picker_shows_each_moves_impact_and_a_toast_confirms_it(
        tmp_path: Path) -> None:
    sample = copy_sample(tmp_path / "sample")
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.session is not None
        unit = "src.infrastructure.attention"
        board(pilot).focus_unit(unit)
        await pilot.pause()
        await pilot.press("m")
        picker = await wait_for_screen(pilot, TierPicker)
        expected = app.session.move_impact([unit], ["compute"])["compute"]
        assert picker.impacts["compute"] == expected.short()
        assert all(app.session.plan.tier(t) is None
                   or app.session.plan.tier(t).package.startswith("src.infrastructure")
                   for t in picker.impacts if t is not None)
        await pilot.press(*"compute", "enter")
        await pilot.pause()
        toast = [n for n in app._notifications if n.title == "Moved to compute"]
        assert toast and toast[0].message == str(expected)


async def test_the_move_picker_opened_again_is_fresh_for_the_new_unit(tmp_path: Path) -> None:
    """The move picker is kept between moves (it opens at every move): shown again, it
    names the new unit, lists every destination with the new unit's impacts, and starts
    with an empty filter and the first choice highlighted."""
    sample = copy_sample(tmp_path / "sample")
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.session is not None
        first, second = "src.infrastructure.attention", "src.infrastructure.vision"
        board(pilot).focus_unit(first)
        await pilot.pause()
        await pilot.press("m")
        picker = await wait_for_screen(pilot, TierPicker)
        await pilot.press(*"compute")
        await pilot.pause()
        assert len(picker.query_one("#choices", OptionList).options) < len(picker.tiers) + 1
        await pilot.press("enter")
        await pilot.pause()
        move = app.session.plan.move_for(first)
        assert move is not None and move.tier == "compute"

        before = app.session.plan.move_for(second)
        board(pilot).focus_unit(second)
        await pilot.pause()
        await pilot.press("m")
        again = await wait_for_screen(pilot, TierPicker)
        assert again is picker  # the same screen, shown again
        assert str(again.query_one("#title", Label).render()) == "Move vision to…"
        assert again.query_one("#query", Input).value == ""
        choices = again.query_one("#choices", OptionList)
        names = app.session.tiers_for(app.session.unit_info(second).container)
        assert [o.id for o in choices.options] == [*names, STAYS_OPTION]
        assert choices.highlighted == 0
        impacts = app.session.move_impact([second], [*names, None])
        assert again.impacts == {t: i.short() for t, i in impacts.items()}
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TierPicker)
        assert app.session.plan.move_for(second) == before  # Escape moved nothing


async def test_a_move_repaints_only_the_columns_it_changed(tmp_path: Path) -> None:
    """After a move, only the columns whose units or titles changed are drawn again,
    never the whole board (most of the screen)."""
    sample = copy_sample(tmp_path / "sample")
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.session is not None
        unit = "src.infrastructure.attention"
        the_board = board(pilot)
        the_board.focus_unit(unit)
        await pilot.pause()
        source = focused_column(pilot)
        target = the_board.column("compute")
        assert target is not None
        origin = the_board.content_region.offset  # `refresh` takes content regions
        spans = {c.tier: the_board.column_region(c).translate(-origin)
                 for c in (source, target)}
        repainted: list[tuple[int, ...]] = []
        real_refresh = the_board.refresh

        def refresh(*regions, **kwargs):  # type: ignore[no-untyped-def]
            repainted.extend((r.x, r.right) for r in regions)
            if not regions:
                repainted.append((0, the_board.region.width))
            return real_refresh(*regions, **kwargs)

        the_board.refresh = refresh  # type: ignore[method-assign]
        await pilot.press("m", *"compute", "enter")
        await pilot.pause()
        target = the_board.column("compute")
        assert target is not None and unit in target.units
        assert repainted
        outside = [(x, right) for x, right in repainted
                   if not any(s.x <= x and right <= s.right for s in spans.values())]
        assert not outside, (outside, spans)
        assert any(spans["compute"].x <= x for x, _ in repainted)


async def test_a_package_left_as_it_is_is_restructured_from_the_tree(tmp_path: Path) -> None:
    """The tree lists the packages the suggestion left as they are; Enter on one asks,
    then restructures it: its units get tiers on a board of their own, shown at once;
    ctrl+z leaves it as it was."""
    repo = django_shaped(tmp_path / "repo")
    assert run("suggest", repo, "-o", repo / "plan.toml").code == 0
    app = make_app(repo, repo / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.session is not None
        tree = pilot.app.screen.query_one(ModuleTree)
        others = next(n for n in tree.root.children if str(n.label).startswith("left as"))
        names = [n.data for n in others.children]
        assert "proj.contrib" in names and "proj.utils" not in names
        tree.focus()
        others.expand()
        await pilot.pause()
        tree.move_cursor(next(n for n in others.children if n.data == "proj.contrib"))
        await pilot.pause()
        await pilot.press("enter")
        confirm = await wait_for_screen(pilot, Confirm)
        assert "Restructure proj.contrib?" in str(confirm.query_one("#title", Label).render())
        await pilot.press("y")
        await pilot.pause()
        await pilot.pause()
        assert "proj.contrib" in app.session.containers
        assert board(pilot).container == "proj.contrib"
        shown = shown_columns(pilot)
        assert sum(len(c.units) for c in shown) == 12
        assert len(shown) >= 3  # stays and its tiers
        left = next(n for n in tree.root.children if str(n.label).startswith("left as"))
        assert "proj.contrib" not in [n.data for n in left.children]
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "proj.contrib" not in app.session.containers
        assert board(pilot).container != "proj.contrib"


async def test_the_wheel_scrolls_the_column_under_the_pointer(large: Path) -> None:
    """The board draws every column itself: the wheel scrolls the one under the pointer
    (its cursor stays on its unit), and no other."""
    from textual import events

    app = app_for(large)
    async with app.run_test(size=(160, 30)) as pilot:
        await ready(pilot)
        the_board = board(pilot)
        stays, other = shown_columns(pilot)[:2]
        assert stays.tier is None and len(stays.units) > 40
        cursor = stays.cursor
        offset = the_board.column_offset(stays, line=5)
        for _ in range(3):
            await pilot._post_mouse_events([events.MouseScrollDown], the_board, offset=offset)
        assert stays.top == 9 and stays.cursor == cursor and other.top == 0
        assert board_text(pilot, 1).split()[1] == stays.units[9].rpartition(".")[2]
        await pilot._post_mouse_events([events.MouseScrollUp], the_board, offset=offset)
        assert stays.top == 6


async def test_a_click_on_a_unit_puts_the_focus_and_the_cursor_on_it(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        tree = app.screen.query_one(ModuleTree)
        tree.focus()
        await pilot.pause()
        the_board = board(pilot)
        column = shown_columns(pilot)[2]
        await pilot.click(the_board, offset=the_board.column_offset(column, line=1))
        await pilot.pause()
        assert app.screen.focused is the_board
        assert focused_column(pilot) is column and column.cursor == 1
        assert app.screen.focused_unit == column.units[1]  # type: ignore[attr-defined]


async def test_names_in_a_wide_script_keep_every_column_in_place(tmp_path: Path) -> None:
    """A unit's or tier's name may be an identifier in a script two cells wide a
    character (数据): the board draws each column in its own cells all the same, every
    line the board's width, the columns' borders one above the other."""
    from rich.cells import cell_len

    sample = copy_sample(tmp_path / "sample")
    (sample / "src" / "infrastructure" / "数据处理模块名称很长").mkdir()
    (sample / "src" / "infrastructure" / "数据处理模块名称很长" / "__init__.py").write_text(
        "from src.infrastructure import auth\n", encoding="utf-8")
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.session is not None
        app.session.new_tier("数据层", "src.infrastructure")
        app.screen.refresh_views()  # type: ignore[attr-defined]
        await pilot.pause()
        the_board = board(pilot)
        unit = "src.infrastructure.数据处理模块名称很长"
        assert unit in the_board.shown()[None]
        lines = [the_board.render_line(y).text for y in range(the_board.size.height)]
        assert all(cell_len(line) == the_board.size.width for line in lines)

        def borders(line: str) -> tuple[int, ...]:
            cells, at = [], 0
            for char in line:
                if char in "│":
                    cells.append(at)
                at += cell_len(char)
            return tuple(cells)

        rows = lines[1:-2]  # below the titles, above the bottom borders and the scrollbar
        assert len({borders(line) for line in rows}) == 1  # one above the other
        assert any("数据处理" in line for line in lines)
        for zoomed in (True, False):
            await pilot.press("z")
            await pilot.pause()
            assert the_board.compact is zoomed
            lines = [the_board.render_line(y).text for y in range(the_board.size.height)]
            assert all(cell_len(line) == the_board.size.width for line in lines)
        app.session.discard_draft()
