"""Drive the real workbench app on sample_repo/ copies with Textual's Pilot."""

from __future__ import annotations

from pathlib import Path

from pyagent_workbench.tui.app import WorkbenchApp
from pyagent_workbench.tui.screens.workbench import WorkbenchScreen
from pyagent_workbench.tui.widgets.board import Board
from textual.pilot import Pilot


def make_app(repo: Path, plan: Path | None = None, **kwargs: object) -> WorkbenchApp:
    app = WorkbenchApp(repo, plan=plan, **kwargs)  # type: ignore[arg-type]
    app.animation_level = "none"
    return app


async def ready(pilot: Pilot[None], timeout: float = 30.0) -> WorkbenchScreen:
    """Wait until the repo is loaded and the board is on screen."""
    waited = 0.0
    while not isinstance(pilot.app.screen, WorkbenchScreen):
        await pilot.pause(0.05)
        waited += 0.05
        if waited > timeout:
            raise TimeoutError(f"the workbench did not open: {pilot.app.screen}")
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()
    return pilot.app.screen


def board(pilot: Pilot[None]) -> Board:
    return pilot.app.screen.query_one(Board)


async def quiet(pilot: Pilot[None]) -> None:
    """Let the screen settle and drop toasts, so snapshots do not depend on timing."""
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()
