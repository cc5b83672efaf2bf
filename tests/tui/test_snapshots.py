"""Snapshots of the workbench's key screens (pytest-textual-snapshot, stored under
snapshots/), at 80x24 and at a large size. Update them with
`python -m pytest tests/tui/test_snapshots.py --snapshot-update` and look at them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyagent_workbench.session import Session
from pyagent_workbench.tui.screens.applied import AppliedScreen
from pyagent_workbench.tui.screens.loading import LoadingScreen
from pyagent_workbench.tui.widgets.board import Board
from pyagent_workbench.tui.widgets.edges import TierMatrix
from support.repos import copy_sample
from textual.pilot import Pilot

from tui.harness import board, make_app, quiet, ready, wait_for_screen

SMALL = (80, 24)
LARGE = (200, 60)
UNIT = "src.infrastructure.auth"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The folder's name shows in the title: keep it the same on every run.
    return copy_sample(tmp_path_factory.mktemp("snap") / "sample")


@pytest.fixture(autouse=True)
def no_draft(sample: Path) -> None:
    shutil.rmtree(sample / ".pyagent-workbench", ignore_errors=True)


def app_for(sample: Path):  # type: ignore[no-untyped-def]
    return make_app(sample, sample / "phase1.toml")


async def settle(pilot: Pilot[None]) -> None:
    await ready(pilot)
    pilot.app.screen.query_one(Board).focus_unit(UNIT)
    await quiet(pilot)


def test_loading(snap_compare, sample: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(sample, sample / "phase1.toml", autoload=False)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, LoadingScreen)
        screen.show_progress("building the import graph", 0.4)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_board(snap_compare, sample: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for(sample), terminal_size=size, run_before=settle)


def test_board_light_theme(snap_compare, sample: Path) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        pilot.app.theme = "textual-light"
        await pilot.pause()

    assert snap_compare(app_for(sample), terminal_size=(120, 36), run_before=run_before)


def test_drag_in_progress(snap_compare, sample: Path) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        source, offset = board(pilot).unit_offset(UNIT)
        column = board(pilot).column("services")
        assert column is not None
        await pilot.pause()
        await pilot.mouse_down(source, offset=offset)
        target = board(pilot).column_offset(column, line=3)
        await pilot.pause()
        await pilot.hover(source, offset=(target[0] + 1, target[1]))
        await quiet(pilot)

    assert snap_compare(app_for(sample), terminal_size=LARGE, run_before=run_before)


def test_tier_picker(snap_compare, sample: Path) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("m", "s")
        await pilot.pause()

    assert snap_compare(app_for(sample), terminal_size=SMALL, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_review_table(snap_compare, sample: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("2", "down", "down", "x", "down", "space")
        await quiet(pilot)

    assert snap_compare(app_for(sample), terminal_size=size, run_before=run_before)


def test_matrix_cell_filter(snap_compare, sample: Path) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("2")
        matrix = pilot.app.screen.query_one(TierMatrix)
        matrix.focus()
        matrix.move_cursor(row=0, column=2)
        await pilot.press("enter")
        await quiet(pilot)

    assert snap_compare(app_for(sample), terminal_size=LARGE, run_before=run_before)


def test_diff_preview(snap_compare, sample: Path) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(Board).focus_unit("src.infrastructure.tokenizer")
        await pilot.pause()
        await pilot.press("d")
        for _ in range(100):
            await pilot.pause(0.05)
            if "computing" not in str(pilot.app.screen.query_one("#diff-status").render()):
                break
        await pilot.press("down")  # tokenizer/bpe.py: its relative import changes
        await quiet(pilot)

    assert snap_compare(app_for(sample), terminal_size=LARGE, run_before=run_before)


def test_approval_refused(snap_compare, sample: Path) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await quiet(pilot)

    assert snap_compare(app_for(sample), terminal_size=SMALL, run_before=run_before)


def test_help(snap_compare, sample: Path) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app_for(sample), terminal_size=SMALL, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_legend(snap_compare, sample: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()

    assert snap_compare(app_for(sample), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_error_screen(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    empty = Path("/tmp/pyagent-workbench-snapshot/empty-repo")
    shutil.rmtree(empty, ignore_errors=True)
    empty.mkdir(parents=True)
    (empty / "notes.txt").write_text("no code here\n")

    async def run_before(pilot: Pilot[None]) -> None:
        for _ in range(100):
            await pilot.pause(0.05)
            if pilot.app.screen.__class__.__name__ == "ErrorScreen":
                break

    assert snap_compare(make_app(empty), terminal_size=size, run_before=run_before)


@pytest.fixture(scope="module")
def applied_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of sample_repo/ with its plan applied (its own copy: the others stay)."""
    sample = copy_sample(tmp_path_factory.mktemp("applied") / "sample", approved=True)
    Session.open(sample, plan_path=sample / "phase1.toml").apply()
    return sample


def test_applied(snap_compare, applied_sample: Path) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_screen(pilot, AppliedScreen)
        await quiet(pilot)

    assert snap_compare(make_app(applied_sample, applied_sample / "phase1.toml"),
                        terminal_size=(120, 36), run_before=run_before)
