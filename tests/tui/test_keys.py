"""The help screen and the command palette are generated from the bindings: every key
declared on the app, the screen, the panes and their widgets shows up, with its text."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.tui.app import WorkbenchApp
from pyagent_workbench.tui.panes.board import BoardPane
from pyagent_workbench.tui.panes.diff import DiffPane
from pyagent_workbench.tui.panes.review import ReviewPane
from pyagent_workbench.tui.screens.help import HelpScreen
from pyagent_workbench.tui.screens.workbench import WorkbenchScreen
from pyagent_workbench.tui.widgets.board import Board
from pyagent_workbench.tui.widgets.edges import EdgeTable, TierMatrix
from support.repos import copy_sample
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.keys import format_key
from textual.widgets import Static

from tui.harness import make_app, ready, wait_for_screen

EVERYWHERE = [WorkbenchApp, WorkbenchScreen]
PANES = [BoardPane, ReviewPane, DiffPane]
WIDGETS = [Board, EdgeTable, TierMatrix]


def bindings(*classes: type) -> list[Binding]:
    return [b for cls in classes for b in cls.__dict__["BINDINGS"]]


def shown_key(binding: Binding) -> str:
    *modifiers, key = binding.key.split("+")
    return "+".join([*modifiers, format_key(key)])


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "sample")


def test_every_binding_has_an_id_and_a_text() -> None:
    ids = [b.id for b in bindings(*EVERYWHERE, *PANES, *WIDGETS)]
    assert None not in ids
    assert len(ids) == len(set(ids))
    assert all(b.description and (b.tooltip or b.group or b.show)
               for b in bindings(*EVERYWHERE, *PANES, *WIDGETS))


def test_no_pane_key_hides_a_key_of_the_screen_or_the_app() -> None:
    """A pane's binding runs before the screen's and the app's: the same key on both
    would make the outer one unreachable while the pane has focus (`D`, the whole plan's
    diff, was once taken by the board). Escape is the one key every layer may own."""
    outer = {b.key: b.id for b in bindings(*EVERYWHERE)}
    for binding in bindings(*PANES, *WIDGETS):
        assert binding.key == "escape" or binding.key not in outer, \
            (binding.id, outer.get(binding.key))


def help_text(screen: HelpScreen) -> str:
    """The help as its reader sees it: section titles, then a key and what it does."""
    lines = []
    for widget in screen.query("#keys > *"):
        if widget.has_class("key-line"):
            keys, what = (str(w.render()) for w in widget.query(Static))
            lines.append(f"  {keys}  {what}")
        else:
            lines.append(str(widget.render()))
    return "\n".join(lines) + "\n"


async def test_the_help_lists_every_binding(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        help_screen = await wait_for_screen(pilot, HelpScreen)
        text = help_text(help_screen)
        for binding in bindings(*EVERYWHERE, *PANES, *WIDGETS):
            assert shown_key(binding) in text, binding
            what = binding.group.description if binding.group else (
                binding.tooltip or binding.description)
            assert what in text, binding
        for title in ("Everywhere", "Board", "Review", "Diff"):
            assert f"{title}\n" in text
        app.session.discard_draft()  # type: ignore[union-attr]


async def test_the_palette_offers_every_binding_of_the_app_the_screen_and_the_panes(
        sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        palette = await wait_for_screen(pilot, CommandPalette)
        await pilot.pause(0.5)
        commands = palette.query_one(CommandList)
        prompts = [str(commands.get_option_at_index(i).prompt)
                   for i in range(commands.option_count)]
        for binding in bindings(*EVERYWHERE, *PANES):
            assert any(binding.description in p and f"({shown_key(binding)})" in p
                       for p in prompts), binding
        for binding in bindings(*WIDGETS):  # cursor keys: the palette cannot point
            assert not any(f"({shown_key(binding)})" in p for p in prompts
                           if binding.description in p), binding
        await pilot.press("escape")
        app.session.discard_draft()  # type: ignore[union-attr]


async def test_a_palette_command_runs_the_binding_where_it_is_declared(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(200, 60)) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, CommandPalette)
        await pilot.press(*"Unreviewed")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one(EdgeTable).filter.unreviewed_only


async def test_the_footer_shows_the_keys_of_where_the_focus_is_keys_first(
        sample: Path) -> None:
    """One line, `? Keys` first (the last cut at 80 columns), the focused pane's keys
    then the app's, the palette's on the right; a click presses a key, a hover says what
    it does."""
    from pyagent_workbench.tui.widgets.footer import KeysFirstFooter

    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        footer = app.screen.query_one(KeysFirstFooter)
        line = footer.render_line(0).text
        assert line.startswith(" ? Keys  space Select  m Move to…")
        assert line.rstrip().endswith(" ▏^p palette") and len(line) == 80
        await pilot.press("2")
        await pilot.pause()
        line = footer.render_line(0).text
        assert " a Accept " in line and " m Move to…" not in line
        assert line.startswith(" ? Keys ")
        start, _end, item = next(s for s in footer._spans if s[2].display == "a")
        await pilot.hover(footer, offset=(start + 1, 0))
        assert footer.tooltip == item.tooltip and "accepted" in item.tooltip
        await pilot.click(footer, offset=(1, 0))
        await wait_for_screen(pilot, HelpScreen)
