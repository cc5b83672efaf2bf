"""Each pane's own keys, driven like a user does: the pane does the work through the
session and the screen only routes (tabs, refreshes) and shows worker failures."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pyagent_workbench.analysis.planview import CrossEdge
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.tui.dialogs import SourceScreen, TextPrompt
from pyagent_workbench.tui.panes.diff import DiffPane
from pyagent_workbench.tui.panes.review import ReviewPane
from pyagent_workbench.tui.widgets.diff_view import DiffView
from pyagent_workbench.tui.widgets.edges import EdgeTable
from pyagent_workbench.tui.widgets.module_tree import ModuleTree
from support.repos import copy_sample
from textual.containers import VerticalScroll
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.widgets import Input, Label, Static, TabbedContent

from tui.harness import board, make_app, ready

UNIT = "src.infrastructure.tokenizer"
"""A unit the sample's plan moves (to engine.tokenization)."""


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "sample")


def active_tab(pilot: Pilot[None]) -> str:
    return pilot.app.screen.query_one(TabbedContent).active


def diff_status(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one("#diff-status", Label).render())


async def diff_computed(pilot: Pilot[None]) -> str:
    for _ in range(200):
        await pilot.pause(0.05)
        if "computing" not in diff_status(pilot):
            break
    return diff_status(pilot)


async def focus(pilot: Pilot[None], unit: str) -> None:
    board(pilot).focus_unit(unit)
    await pilot.pause()


def table(pilot: Pilot[None]) -> EdgeTable:
    return pilot.app.screen.query_one(EdgeTable)


# -- the board pane --------------------------------------------------------------------------

async def test_d_previews_the_focused_unit_and_e_reviews_its_edges(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        await focus(pilot, UNIT)
        await pilot.press("d")
        assert active_tab(pilot) == "diff"
        assert not app.screen.query_one(DiffPane).whole_plan
        assert (await diff_computed(pilot)).startswith(f"{UNIT}: ")
        await pilot.press("1")
        await focus(pilot, UNIT)
        await pilot.press("e")
        assert active_tab(pilot) == "review"
        assert table(pilot).filter.unit == UNIT
        unit_of = app.session.view.units.unit_of  # type: ignore[union-attr]
        assert table(pilot).rows_shown
        assert all(UNIT in (unit_of.get(e.importer), unit_of.get(e.imported))
                   for e in table(pilot).rows_shown)


# -- the diff pane ---------------------------------------------------------------------------

async def test_w_switches_the_diff_between_the_whole_plan_and_the_unit(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        await focus(pilot, UNIT)
        await pilot.press("D")  # the whole plan, from anywhere
        assert active_tab(pilot) == "diff"
        assert (await diff_computed(pilot)).startswith("the whole plan: ")
        pane = app.screen.query_one(DiffPane)
        whole = pane.query_one(DiffView).changeset
        assert whole is not None and whole.changes
        await pilot.press("w")
        assert (await diff_computed(pilot)).startswith(f"{UNIT}: ")
        unit = pane.query_one(DiffView).changeset
        assert unit is not None and 0 < len(unit.changes) < len(whole.changes)
        await pilot.press("w")
        assert pane.whole_plan
        assert (await diff_computed(pilot)).startswith("the whole plan: ")


def raising(error: Exception) -> Callable[..., None]:
    def fail(*args: object, **kwargs: object) -> None:
        raise error
    return fail


async def notification(pilot: Pilot[None], text: str) -> Notification | None:
    """The toast that says `text`, once it shows (workers take a moment)."""
    for _ in range(300):
        found = [n for n in pilot.app._notifications if text in n.message]
        if found:
            return found[0]
        await pilot.pause(0.05)
    return None


async def test_a_plan_the_engine_refuses_shows_in_the_diff_pane(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        problem = WorkbenchError("two moves land on src.infrastructure.engine.x")
        monkeypatch.setattr(app.session, "preview", raising(problem))
        await pilot.press("D")
        assert await diff_computed(pilot) == "the plan cannot be previewed"
        assert str(problem) in str(app.screen.query_one("#diff-text").render())
        assert not app._notifications  # shown in place, not as a toast


async def test_a_worker_bug_is_shown_by_the_one_handler(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        monkeypatch.setattr(app.session, "export_report", raising(RuntimeError("boom")))
        await pilot.press("ctrl+e")
        failure = await notification(pilot, "RuntimeError: boom")
        assert failure is not None and failure.severity == "error"
        assert failure.title == "The report was not written"


async def test_ctrl_e_writes_the_report(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+e")
        assert await notification(pilot, "Report written: ") is not None
        assert list(sample.glob("*.md"))


# -- the review pane -------------------------------------------------------------------------

async def test_verdicts_notes_and_clearing(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        session = app.session
        assert session is not None
        await pilot.press("2")
        first = table(pilot).current()
        assert first is not None
        await pilot.press("a")
        review = session.plan.review_for(*first.key)
        assert review is not None and review.verdict == "accepted"
        await pilot.press("up")  # a verdict moves on to the next unreviewed edge: back
        await pilot.press("N")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"checked with the team", "enter")
        review = session.plan.review_for(*first.key)
        assert review is not None and review.verdict == "accepted"
        assert review.note == "checked with the team"
        await pilot.press("up")
        await pilot.press("u")
        assert session.plan.review_for(*first.key) is None
        await pilot.press("X")  # every edge shown
        assert session.approval().unreviewed == 0


async def test_filters_and_the_source(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        everything = len(table(pilot).rows_shown)
        await pilot.press("slash")
        box = app.screen.query_one(ReviewPane).query_one("#edge-filter", Input)
        assert box.has_focus
        await pilot.press(*"tokenizer", "enter")
        assert table(pilot).filter.text == "tokenizer"
        assert 0 < len(table(pilot).rows_shown) < everything
        assert "-hidden" in box.classes
        await pilot.press("a", "f")
        assert table(pilot).filter.unreviewed_only
        assert all(e.review is None for e in table(pilot).rows_shown)
        await pilot.press("c")
        assert len(table(pilot).rows_shown) == everything
        edge = table(pilot).current()
        assert edge is not None
        await pilot.press("o")
        assert isinstance(app.screen, SourceScreen)
        assert (app.screen.path, app.screen.line) == (edge.path, edge.line)
        await pilot.press("escape")


def _first_edge_to_edit(tmp_path: Path) -> tuple[Path, CrossEdge, Path]:
    """A copy of the sample, its plan's first cross-tier edge and the file holding it,
    the tool's caches removed (the graph is read again after the test edits the file)."""
    import shutil

    from pyagent_workbench.session import Session

    sample = copy_sample(tmp_path / "sample")
    edge = Session.open(sample, plan_path=sample / "phase1.toml").edges()[0]
    shutil.rmtree(sample / ".pyagent-workbench")
    return sample, edge, sample / edge.path


async def _review_at(pilot: Pilot[None], path: str, line: int) -> tuple[EdgeTable, int]:
    """The review tab, its cursor on the edge at `path`:`line`: the table and the row."""
    await ready(pilot)
    await pilot.press("2")
    edges = table(pilot)
    row = next(i for i, e in enumerate(edges.rows_shown) if (e.path, e.line) == (path, line))
    edges.move_cursor(row=row)
    return edges, row


async def test_hostile_source_text_in_an_import_line_is_shown_as_text(tmp_path: Path) -> None:
    """A comment on an import line with markup (`[/]`, which Textual would refuse) and an
    escape sequence: the table and the detail line show them as text, and a filter typed
    with brackets is shown as typed."""
    sample, edge, source = _first_edge_to_edit(tmp_path)
    lines = source.read_text().splitlines()
    lines[edge.line - 1] += "  # [/] [bold]x \x1b[2J"
    source.write_text("\n".join(lines) + "\n")

    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        edges, row = await _review_at(pilot, edge.path, edge.line)
        await pilot.pause()
        detail = str(app.screen.query_one("#edge-detail").render())
        assert "# [/] [bold]x ·[2J" in detail and "\x1b" not in detail
        shown = edges.cells(row)[-1][0][0]
        assert shown.endswith("# [/] [bold]x ·[2J")
        await pilot.press("slash", *"[/]", "enter")
        assert "[/]" in str(app.screen.query_one("#review-status").render())


def _from_a_resize_handler() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name in ("on_resize", "_on_resize"):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


async def test_a_tab_shown_again_is_drawn_once(sample: Path) -> None:
    """Switching back to a tab draws its pane in one frame: the module tree and the edge
    table, resized to the size they had, are not painted again by their resize handlers
    (a second frame of the pane at each tab switch). A new size still redraws them."""
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        for key in "212":
            await pilot.press(key)
            await pilot.pause()
        tree = pilot.app.screen.query_one(ModuleTree)
        edges = table(pilot)
        repainted: list[str] = []
        for name, widget in (("tree", tree), ("edges", edges)):
            widget.refresh = (  # type: ignore[method-assign]
                lambda *regions, _n=name, _r=widget.refresh, **k: (
                    regions or not _from_a_resize_handler() or repainted.append(_n),
                    _r(*regions, **k))[1])
        for key in "121":
            await pilot.press(key)
            await pilot.pause()
        assert active_tab(pilot) == "board"
        assert repainted == []
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert "tree" in repainted
        await pilot.press("2")
        await pilot.pause()
        assert "edges" in repainted
        assert len(edges.cells(edges.cursor_row)) > 0


async def test_the_source_of_an_edge_below_a_page_break_shows_the_import(
        tmp_path: Path) -> None:
    """A form feed line above the import: the source view counts lines as grimp and
    CPython do (it marked the line above the import, cut at the form feed)."""
    sample, edge, source = _first_edge_to_edit(tmp_path)
    imported = source.read_text().splitlines()[edge.line - 1]
    source.write_text("\x0c\n" + source.read_text())

    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await _review_at(pilot, edge.path, edge.line + 1)
        await pilot.press("o")
        assert isinstance(app.screen, SourceScreen)
        shown = str(app.screen.query_one(VerticalScroll).query_one(Static).render())
        assert f"{edge.line + 1:>5} │ {imported}" in shown.splitlines()
