"""The whole-plan diff in the workbench: progress while the files are rewritten, and a
key that stops it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyagent_workbench.rewrite import runner
from pyagent_workbench.rewrite.context import FileContext, RewriteState
from pyagent_workbench.rewrite.files import FileRewrite
from pyagent_workbench.tui.panes.diff import DiffPane
from support.large import make_large_repo
from textual.pilot import Pilot
from textual.widgets import Label

from tui.harness import make_app, ready


@pytest.fixture
def slow_rewrites(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file takes a little while, as on a large repo (the work stays in the
    workbench's process, where the slowness is patched in: no workers)."""
    monkeypatch.setattr(runner, "_PARALLEL_THRESHOLD", 1_000_000)
    rewrite = runner.rewrite_file

    def slow(source: bytes, context: FileContext, state: RewriteState, *,
             parses: bool = False) -> FileRewrite:
        time.sleep(0.01)
        return rewrite(source, context, state, parses=parses)

    monkeypatch.setattr(runner, "rewrite_file", slow)


async def status_of(pilot: Pilot[None]) -> str:
    await pilot.pause(0.05)
    return str(pilot.app.screen.query_one(DiffPane).query_one("#diff-status", Label).render())


async def test_the_whole_plan_diff_shows_progress_then_its_summary(
        tmp_path: Path, slow_rewrites: None) -> None:
    repo = make_large_repo(tmp_path / "large")
    app = make_app(repo, repo / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("D")
        seen = [await status_of(pilot) for _ in range(10)]
        assert any("files rewritten" in s and "esc: stop" in s for s in seen), seen
        for _ in range(400):
            status = await status_of(pilot)
            if "moved" in status:
                break
        assert "the whole plan:" in status and "moved" in status


async def test_escape_stops_the_diff(tmp_path: Path, slow_rewrites: None) -> None:
    repo = make_large_repo(tmp_path / "large")
    app = make_app(repo, repo / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("D")
        for _ in range(100):
            if "files rewritten" in await status_of(pilot):
                break
        pane = app.screen.query_one(DiffPane)
        pane.focus()
        await pilot.press("escape")
        assert await status_of(pilot) == "stopped · w or D: compute again"
        for _ in range(100):  # the worker ends at the next file, without a result
            if all(w.is_finished for w in app.workers if w.group == "diff"):
                break
            await pilot.pause(0.05)
        assert all(w.is_finished for w in app.workers if w.group == "diff")
        await pilot.pause(0.5)
        assert await status_of(pilot) == "stopped · w or D: compute again"


SERVED_DIFF = """
import asyncio, sys
from pathlib import Path
from pyagent_workbench.rewrite import runner
from pyagent_workbench.tui.app import WorkbenchApp
from pyagent_workbench.tui.screens.workbench import WorkbenchScreen

runner._PARALLEL_THRESHOLD = 10  # the generated repo is smaller than Django

async def main() -> None:
    repo = Path(sys.argv[1])
    app = WorkbenchApp(repo, plan=repo / "plan.toml")
    async with app.run_test(size=(160, 48)) as pilot:
        while not isinstance(app.screen, WorkbenchScreen):
            await pilot.pause(0.1)
        await pilot.press("D")
        for _ in range(1200):
            await pilot.pause(0.1)
            status = str(app.screen.query_one("#diff-status").render())
            if "moved" in status or "cannot" in status:
                break
        print(status)
        print(str(app.screen.query_one("#diff-view").query_one("#diff-text").render())[:300])

asyncio.run(main())
"""


def test_the_whole_plan_diff_runs_on_served_workers_in_a_fresh_workbench(
        tmp_path: Path) -> None:
    """In a process of its own (nothing started before the app, as from the command
    line), the workbench's whole-plan diff goes to a fork server from its worker thread.
    Textual's captured stderr (fileno -1) once broke that start: "bad value(s) in
    fds_to_keep" instead of a diff."""
    repo = make_large_repo(tmp_path / "big")
    done = subprocess.run([sys.executable, "-c", SERVED_DIFF, str(repo)], capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    status = done.stdout.splitlines()[0]
    assert status.startswith("the whole plan: "), done.stdout[-2000:]
    assert "fds_to_keep" not in done.stdout
