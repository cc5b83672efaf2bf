"""Drive the real workbench app on sample_repo/ copies with Textual's Pilot."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pyagent_workbench.tui.app import WorkbenchApp
from pyagent_workbench.tui.screens.workbench import WorkbenchScreen
from pyagent_workbench.tui.widgets.board import Board
from textual.pilot import Pilot
from textual.screen import Screen

ScreenT = TypeVar("ScreenT", bound=Screen[Any])


def make_app(repo: Path, plan: Path | None = None, **kwargs: object) -> WorkbenchApp:
    app = WorkbenchApp(repo, plan=plan, **kwargs)  # type: ignore[arg-type]
    app.animation_level = "none"
    return app


async def wait_for_screen(pilot: Pilot[None], kind: type[ScreenT] | tuple[type[ScreenT], ...],
                          timeout: float = 30.0) -> ScreenT:
    """Wait until a screen of that kind is on top (loading, applying take a while)."""
    waited = 0.0
    while not isinstance(pilot.app.screen, kind):
        await pilot.pause(0.05)
        waited += 0.05
        if waited > timeout:
            raise TimeoutError(f"no {kind.__name__} after {timeout} s: {pilot.app.screen}")
    return pilot.app.screen


async def ready(pilot: Pilot[None], timeout: float = 30.0) -> WorkbenchScreen:
    """Wait until the repo is loaded and the board is on screen."""
    screen = await wait_for_screen(pilot, WorkbenchScreen, timeout)
    await quiet(pilot)
    return screen


def board(pilot: Pilot[None]) -> Board:
    return pilot.app.screen.query_one(Board)


async def quiet(pilot: Pilot[None]) -> None:
    """Let the screen settle and drop toasts, so snapshots do not depend on timing."""
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()
