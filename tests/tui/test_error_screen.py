"""The error screen: its title stays in view over a long message that scrolls, it offers
only quitting, and quitting exits with status 2."""

from __future__ import annotations

from pathlib import Path

from pyagent_workbench.tui.screens.error import EXIT_STATUS, ErrorScreen
from support.plans import write_plan
from support.repos import make_repo
from textual.containers import VerticalScroll
from textual.widgets import Label

from .harness import make_app, wait_for_screen


async def test_a_long_error_scrolls_under_its_title_and_quitting_exits_2(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"pkg/__init__.py": "", "pkg/a.py": "A = 1\n"})
    moves = [(f"pkg.missing{i}", f"pkg.core.missing{i}") for i in range(40)]
    write_plan(repo / "plan.toml", moves, packages=["pkg"])
    app = make_app(repo, repo / "plan.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_screen(pilot, ErrorScreen)
        await pilot.pause()
        assert "... and 10 more problems in the plan" in screen.message
        title = screen.query_one("#title", Label)
        assert title.region.height == 1 and title.region.y >= 0
        scroll = screen.query_one("#message-scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0  # the message is longer than the screen
        await pilot.press("end")
        assert scroll.scroll_y > 0
        assert title.region.y >= 0 and title.region.height == 1  # the title stays
        shown = {b.binding.action for b in app.active_bindings.values() if b.binding.show}
        assert not shown & {"undo", "redo", "approve"}
        await pilot.press("q")
    assert app.return_code == EXIT_STATUS
