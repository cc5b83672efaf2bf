"""The Review pane on hundreds of edges (a repo of Django's shape): columns sized for the
width, one key per edge, verdicts updated in place, sorting, filters and grouping."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyagent_workbench.analysis import edgelist
from pyagent_workbench.analysis.edgelist import EdgeFilter
from pyagent_workbench.analysis.planview import CrossEdge
from pyagent_workbench.model.plan import Review
from pyagent_workbench.tui.app import WorkbenchApp
from pyagent_workbench.tui.dialogs import TextPrompt
from pyagent_workbench.tui.widgets.edges import EdgeTable
from support.large import make_large_repo
from textual.pilot import Pilot
from textual.widgets import Label

from tui.harness import make_app, quiet, ready

SMALL = (80, 24)
LARGE = (200, 60)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_large_repo(tmp_path_factory.mktemp("generated") / "big")


@pytest.fixture
def large(generated: Path, tmp_path: Path) -> Path:
    # The folder's name shows in the title (snapshots): the same on every run.
    return Path(shutil.copytree(generated, tmp_path / "big"))


def app_for(repo: Path) -> WorkbenchApp:
    return make_app(repo, repo / "plan.toml")


def table(pilot: Pilot[None]) -> EdgeTable:
    return pilot.app.screen.query_one(EdgeTable)


async def review_tab(pilot: Pilot[None]) -> EdgeTable:
    await ready(pilot, timeout=120)
    await pilot.press("2")
    await pilot.pause()
    return table(pilot)


def status(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one("#review-status", Label).render())


# -- headless: the rows and the columns ------------------------------------------------------

def edge(importer: str, imported: str, tiers: tuple[str, str] = ("a", "b"),
         direction: str = "down", *, in_cycle: bool = False,
         review: Review | None = None) -> CrossEdge:
    return CrossEdge(importer, imported, importer.replace(".", "/") + ".py", 1,
                     f"import {imported}", *tiers, direction, in_cycle, review)


def test_the_sorts_cycle_and_keep_ties_in_file_order() -> None:
    accepted = Review("p.c", "p.a", "accepted", "")
    edges = [edge("p.c", "p.a", ("t2", "t1"), review=accepted),
             edge("p.a", "p.b", ("t1", "t2"), "up"),
             edge("p.b", "p.a", ("t2", "t1"), in_cycle=True)]
    by = {order: [e.key for e in edgelist.rows(edges, EdgeFilter(), order, {})]
          for order in edgelist.SORTS}
    assert by["file"] == [e.key for e in edges]
    assert by["tiers"] == [("p.a", "p.b"), ("p.c", "p.a"), ("p.b", "p.a")]
    assert by["direction"][0] == ("p.a", "p.b")
    assert by["importer"] == [("p.a", "p.b"), ("p.b", "p.a"), ("p.c", "p.a")]
    assert by["verdict"][-1] == ("p.c", "p.a")
    order, seen = "file", []
    for _ in edgelist.SORTS:
        seen.append(order)
        order = edgelist.next_sort(order)
    assert order == "file" and seen == list(edgelist.SORTS)
    assert edgelist.next_unreviewed(edges, 0) == 1
    assert edgelist.next_unreviewed(edges[:1], 0) is None


def test_the_filters_combine() -> None:
    edges = [edge("p.a", "p.b", direction="up", in_cycle=True),
             edge("p.a", "p.c", direction="up"),
             edge("q.a", "p.b", in_cycle=True)]
    unit_of = {"p.a": "p", "p.b": "p", "p.c": "p", "q.a": "q"}

    def kept(edge_filter: EdgeFilter) -> list[tuple[str, str]]:
        return [e.key for e in edgelist.rows(edges, edge_filter, "file", unit_of)]

    upward = EdgeFilter().toggled("upward_only")
    assert kept(upward) == [("p.a", "p.b"), ("p.a", "p.c")]
    assert kept(upward.toggled("cycle_only")) == [("p.a", "p.b")]
    assert kept(EdgeFilter(unit="q", text="p.b")) == [("q.a", "p.b")]
    assert upward.toggled("cycle_only").describe() == "upward, in a cycle"
    with pytest.raises(ValueError, match="not an on/off filter"):
        upward.toggled("text")


def test_columns_keep_direction_tiers_verdict_and_modules_first() -> None:
    wants = {"tiers": 23, "importer": 25, "imported": 25, "import": 30, "line": 3}
    narrow = edgelist.column_widths(78, wants)
    assert set(narrow) == {"dir", "tiers", "verdict", "importer", "imported"}
    assert narrow["tiers"] == 23
    assert sum(w + 2 for w in narrow.values()) <= 78
    wide = edgelist.column_widths(198, wants)
    assert all(wide[key] >= want for key, want in wants.items())
    assert edgelist.fit_tail("big.apps.apps_001.views", 10) == "…001.views"
    assert edgelist.fit_pair("foundation", "services", 30) == "foundation→services"
    assert len(edgelist.fit_pair("foundation", "services", 12)) == 12
    assert edgelist.common_root(["django.db.models", "django.http"]) == "django."
    assert edgelist.common_root(["a.b", "c.d"]) == ""


# -- the pane on the large repo ----------------------------------------------------------------

async def test_at_80_columns_direction_tiers_verdict_and_modules_are_in_sight(
        large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=SMALL) as pilot:
        edges = await review_tab(pilot)
        assert list(edges.widths)[:5] == ["dir", "tiers", "verdict", "importer", "imported"]
        padding = 2 * len(edges.widths)
        assert sum(edges.widths.values()) + padding <= edges.scrollable_content_region.width
        header = edges.render_line(0).text
        assert header.split()[:5] == ["dir", "tiers", "verdict", "importer", "imported"]
        longest = max(len(e.importer_tier) + len(e.imported_tier) + 1 for e in edges.rows_shown)
        assert edges.widths["tiers"] >= longest
        assert edges.widths["importer"] >= 12
        assert "import" not in edges.widths
        await pilot.resize_terminal(*LARGE)
        await pilot.pause()
        assert "import" in edges.render_line(0).text.split()  # wider: more columns
        await pilot.press("1", "2")
        await pilot.pause()
        assert "import" in edges.widths  # the tab shown again: the same columns
        await pilot.resize_terminal(*SMALL)
        await pilot.pause()
        assert "import" not in edges.widths


async def test_a_verdict_moves_on_to_the_next_unreviewed_edge_in_place(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(120, 40)) as pilot:
        edges = await review_tab(pilot)
        session = app.session
        assert session is not None
        rows = list(edges.rows_shown)
        first = edges.current()
        assert first is not None
        await pilot.press("a")
        second = edges.current()
        assert second is not None and second.key != first.key and second.review is None
        await pilot.press("x")
        third = edges.current()
        assert third is not None and third.key not in (first.key, second.key)
        await pilot.press("N")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"later", "enter")
        fourth = edges.current()
        assert fourth is not None and fourth.key != third.key and fourth.review is None
        verdicts = {key: session.plan.review_for(*key)
                    for key in (first.key, second.key, third.key)}
        assert [(r.verdict, r.note) for r in verdicts.values() if r] == [
            ("accepted", ""), ("must-fix", ""), ("accepted", "later")]
        assert [(e.importer, e.line) for e in edges.rows_shown] == [
            (e.importer, e.line) for e in rows]  # the same rows, in place
        assert edges.cell_text(0, "verdict") == "accepted"
        assert "accepted" in edges.render_line(1).text  # drawn as it is now
        cursor = edges.cursor_row
        await pilot.press("1", "2")
        assert edges.cursor_row == cursor  # the tab comes back as it was left


async def test_sorting_cycles_through_the_orders(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(120, 40)) as pilot:
        edges = await review_tab(pilot)
        await pilot.press("S")
        assert edges.order == "tiers" and "by tier pair" in status(pilot)
        pairs = [(e.importer_tier, e.imported_tier) for e in edges.rows_shown]
        assert pairs == sorted(pairs)
        await pilot.press("S")
        directions = [e.direction for e in edges.rows_shown]
        assert directions == sorted(directions, key=edgelist.DIRECTION_RANK.__getitem__)
        assert directions[0] == "up"
        await pilot.press("S")
        importers = [e.importer for e in edges.rows_shown]
        assert importers == sorted(importers)
        await pilot.press("a", "S")
        assert edges.order == "verdict" and edges.rows_shown[-1].verdict == "accepted"
        await pilot.press("S")
        assert edges.order == "file" and edges.rows_shown == app.session.edges()  # type: ignore[union-attr]


async def test_each_filter_narrows_the_rows_and_they_combine(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(120, 40)) as pilot:
        edges = await review_tab(pilot)
        everything = len(edges.rows_shown)
        await pilot.press("w")
        upward = len(edges.rows_shown)
        assert 0 < upward < everything and "upward" in status(pilot)
        assert all(e.direction == "up" for e in edges.rows_shown)
        await pilot.press("y")
        assert all(e.direction == "up" and e.in_cycle for e in edges.rows_shown)
        assert "upward, in a cycle" in status(pilot)
        await pilot.press("y", "a", "f")
        assert 0 < len(edges.rows_shown) < upward
        assert all(e.review is None and e.direction == "up" for e in edges.rows_shown)
        current = edges.current()
        assert current is not None
        unit = app.session.view.units.unit_of[current.importer]  # type: ignore[union-attr]
        await pilot.press("t")
        assert edges.filter.unit == unit
        assert all(unit in (app.session.view.units.unit_of.get(e.importer),  # type: ignore[union-attr]
                            app.session.view.units.unit_of.get(e.imported))  # type: ignore[union-attr]
                   for e in edges.rows_shown)
        await pilot.press("t", "slash", *"models", "enter")
        assert edges.filter == EdgeFilter(text="models", unreviewed_only=True, upward_only=True)
        await pilot.press("c")
        assert len(edges.rows_shown) == everything


async def test_judging_under_the_unreviewed_filter_drops_the_row_in_place(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(120, 40)) as pilot:
        edges = await review_tab(pilot)
        await pilot.press("f")
        shown = len(edges.rows_shown)
        row = edges.cursor_row
        first = edges.current()
        assert first is not None
        await pilot.press("a")
        pairs_gone = sum(1 for e in app.session.edges() if e.key == first.key)  # type: ignore[union-attr]
        assert len(edges.rows_shown) == edges.row_count == shown - pairs_gone
        assert edges.cursor_row == row  # the next edge came up under the cursor
        assert all(e.review is None for e in edges.rows_shown)


async def test_grouping_by_tier_pair_shows_each_pairs_count(large: Path) -> None:
    app = app_for(large)
    async with app.run_test(size=(120, 40)) as pilot:
        edges = await review_tab(pilot)
        await pilot.press("g")
        pairs = [(e.importer_tier, e.imported_tier) for e in edges.rows_shown]
        assert pairs == sorted(pairs)
        counts = edgelist.pair_counts(edges.rows_shown)
        assert f"{len(counts)} tier pairs" in status(pilot)
        assert edges.cell_text(0, "tiers").endswith(f"({counts[pairs[0]]})")
        second_pair = next(i for i, pair in enumerate(pairs) if pair != pairs[0])
        assert edges.cell_text(second_pair - 1, "tiers") == "  ┆"
        # scrolled to the middle of a group, the first row in sight names it
        middle = next(i for i in range(1, len(pairs) - 1)
                      if pairs[i - 1] == pairs[i] and i > edges.size.height)
        edges.scroll_to(y=middle, animate=False, immediate=True)
        await pilot.pause()
        top = edges.render_line(1).text
        assert f"({counts[pairs[middle]]})" in top and pairs[middle][0][:5] in top
        assert "┆" in edges.render_line(2).text or pairs[middle + 1] != pairs[middle]
        assert edges.cell_text(second_pair, "tiers").endswith(f"({counts[pairs[second_pair]]})")
        row = edges.cursor_row
        await pilot.press("a")
        assert edges.grouped and edges.cell_text(row, "verdict") == "accepted"
        await pilot.press("g")
        assert not edges.grouped and edges.rows_shown == app.session.edges()  # type: ignore[union-attr]


# -- snapshots ---------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_review_table_on_the_large_repo(snap_compare, large: Path,  # type: ignore[no-untyped-def]
                                        size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await review_tab(pilot)
        await pilot.press("S", "down", "x", "space")
        await quiet(pilot)

    assert snap_compare(app_for(large), terminal_size=size, run_before=run_before)


async def test_the_cursor_keeps_its_edge_through_a_sort_and_keys_move_it(large: Path) -> None:
    """The table draws the rows in sight only; the cursor is its own: it follows its
    edge when the order changes, and the usual keys and a click move it."""
    app = app_for(large)
    async with app.run_test(size=(120, 40)) as pilot:
        edges = await review_tab(pilot)
        everything = len(edges.rows_shown)
        await pilot.press("down", "down", "down")
        edge = edges.current()
        assert edges.cursor_row == 3 and edge is not None
        await pilot.press("S")
        assert edges.order == "tiers" and edges.current() == edge
        assert edges.rows_shown[edges.cursor_row] == edge
        await pilot.press("end")
        assert edges.cursor_row == everything - 1
        assert edges.scroll_offset.y == everything - (edges.size.height - 1)
        assert edges.cell_text(everything - 1, "importer") in edges.render_line(
            edges.size.height - 1).text
        await pilot.press("home", "pagedown")
        assert edges.cursor_row == edges.size.height - 2
        await pilot.click(edges, offset=(10, 5))
        assert edges.cursor_row == edges.scroll_offset.y + 4
        await pilot.click(edges, offset=(10, 0))  # the header: no row
        assert edges.cursor_row == edges.scroll_offset.y + 4
        await pilot.press("w")
        upward = [e for e in app.session.edges() if e.direction == "up"]  # type: ignore[union-attr]
        assert everything - len(upward) > 64
        assert edges.row_count == len(edges.rows_shown) == len(upward)
        assert {e.key for e in edges.rows_shown} == {e.key for e in upward}


def test_control_characters_of_the_source_are_not_sent_to_the_terminal() -> None:
    from pyagent_workbench.display import one_cell

    assert one_cell("from a import b  # \x1b[2J\x07 gone\tx") == (
        "from a import b  # ·[2J· gone·x")
    assert one_cell("from café import ünï") == "from café import ünï"
