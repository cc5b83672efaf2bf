"""The Diff pane at the scale of a plan touching hundreds of files (the sample's whole
plan: 358 files): a filter on the paths, hunk to hunk across files, the file at its
hunk in $EDITOR, its path copied; and the diff's lines and hunks as they are parsed."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from pyagent_workbench.rewrite.engine import FileChange
from pyagent_workbench.tui.app import WorkbenchApp
from pyagent_workbench.tui.panes.diff import DiffPane, editor_command
from pyagent_workbench.tui.widgets.diff_text import BLOCK, DiffText, Hunk, parse_diff
from pyagent_workbench.tui.widgets.diff_view import DiffView, FileFilter
from support.repos import copy_sample
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot
from textual.widgets import Label, OptionList

from tui.harness import make_app, quiet, ready

SMALL = (80, 24)
LARGE = (200, 60)
MOCKING = "tests/test_mocking.py"
"""Rewritten in place; four hunks (their first changes at old lines 7, 41, 51, 59)."""
DELEGATOR = "src/core/base/execution/agent_delegator.py"
"""Moved from src/core/base/agent_delegator.py; two hunks (old and new lines 7, 23)."""


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "sample")


@pytest.fixture
def no_visual(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)


class TerminalDriver(HeadlessDriver):
    """Headless, but able to hand the terminal over as a terminal's driver is: Textual's
    own `App.suspend` runs (the plain headless driver refuses it)."""

    @property
    def can_suspend(self) -> bool:
        return True


def view(pilot: Pilot[None]) -> DiffView:
    return pilot.app.screen.query_one(DiffView)


def diff_text(pilot: Pilot[None]) -> DiffText:
    return pilot.app.screen.query_one(DiffText)


def position(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one("#diff-position", Label).render())


def listed(pilot: Pilot[None]) -> list[str]:
    """The paths the file list shows."""
    shown = view(pilot)
    assert shown.changeset is not None
    return [shown.changeset.changes[i].new_path for i in shown.shown]


async def whole_plan(pilot: Pilot[None]) -> None:
    await ready(pilot)
    await pilot.press("D")
    for _ in range(400):
        await pilot.pause(0.05)
        status = str(pilot.app.screen.query_one("#diff-status", Label).render())
        # (the file count follows the view's `Moved` message, a tick after the view shows)
        if (view(pilot).current is not None and status.startswith("the whole plan: ")
                and " files" in position(pilot)):
            return
    raise TimeoutError("the whole plan's diff did not show")


async def filtered(pilot: Pilot[None], text: str) -> None:
    """Type a filter and keep it (enter)."""
    await pilot.press("slash", *text, "enter")
    await pilot.pause()


def current_path(pilot: Pilot[None]) -> str:
    change = view(pilot).current_change()
    assert change is not None
    return change.new_path


# -- the filter ------------------------------------------------------------------------------

async def test_the_filter_narrows_the_files_as_typed_and_esc_brings_them_back(
        sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(120, 36)) as pilot:
        await whole_plan(pilot)
        every = listed(pilot)
        assert len(every) > 300 and position(pilot).startswith(f"{len(every)} of {len(every)} ")
        await pilot.press("slash", *"lifecy")
        assert isinstance(app.screen.focused, FileFilter)
        narrowed = listed(pilot)
        assert narrowed and all("lifecy" in p or "lifecy" in (c.old_path or "")
                                for p, c in zip(narrowed, shown_changes(pilot), strict=True))
        assert position(pilot).startswith(f"{len(narrowed)} of {len(every)} files")
        assert current_path(pilot) == narrowed[0]
        await pilot.press(*"cle/agent_core")  # a path's slash goes into the box
        assert listed(pilot) == ["src/core/base/lifecycle/agent_core.py",
                                 "src/core/base/lifecycle/agent_core_test.py"]
        await pilot.press("escape")
        assert listed(pilot) == every
        assert not view(pilot).query_one(FileFilter).display
        assert isinstance(app.screen.focused, OptionList)
        assert current_path(pilot) == "src/core/base/lifecycle/agent_core.py"  # stays


async def test_a_kept_filter_is_cleared_by_esc_from_the_list_and_says_when_nothing_matches(
        sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(120, 36)) as pilot:
        await whole_plan(pilot)
        every = listed(pilot)
        await filtered(pilot, "no-such-path")
        assert listed(pilot) == [] and view(pilot).current is None
        assert "No file's path contains 'no-such-path'" in str(
            app.screen.query_one("#diff-text").render())
        assert position(pilot).startswith(f"0 of {len(every)} files")
        await pilot.press("n", "o", "c")  # nothing to act on: no error
        assert isinstance(app.screen.focused, OptionList)
        await pilot.press("escape")
        assert listed(pilot) == every
        assert diff_text(pilot).display and current_path(pilot) == every[0]


def shown_changes(pilot: Pilot[None]) -> list[FileChange]:
    shown = view(pilot)
    assert shown.changeset is not None
    return [shown.changeset.changes[i] for i in shown.shown]


# -- hunks -----------------------------------------------------------------------------------

async def test_n_and_p_go_from_hunk_to_hunk_scrolling_each_into_view(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(100, 30)) as pilot:
        await whole_plan(pilot)
        await filtered(pilot, MOCKING)
        text = diff_text(pilot)
        assert current_path(pilot) == MOCKING and text.hunk is None
        assert [h.old_line for h in text.hunks] == [7, 41, 51, 59]
        assert text.scroll_offset.y == 0
        await pilot.press("n")
        assert text.hunk == 0 and text.scroll_offset.y == text.hunks[0].line
        assert "hunk 1/4" in position(pilot)
        await pilot.press("n")
        assert text.hunk == 1 and text.scroll_offset.y == text.hunks[1].line > 30
        await pilot.press("n", "n")
        assert text.hunk == 3
        assert text.scroll_offset.y == min(text.hunks[3].line, text.max_scroll_y)
        await pilot.press("p", "p")
        assert text.hunk == 1 and text.scroll_offset.y == text.hunks[1].line
        assert "hunk 2/4" in position(pilot)


async def test_n_past_a_files_last_hunk_goes_on_to_the_next_file_shown(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(100, 30)) as pilot:
        await whole_plan(pilot)
        await filtered(pilot, "agent_")
        files = listed(pilot)
        # The first files are renames without a change: n skips to the first hunk there is.
        assert files[:2] == ["src/core/base/execution/agent_command_handler.py", DELEGATOR]
        assert diff_text(pilot).hunks  # agent_command_handler has one hunk
        await pilot.press("n")
        assert current_path(pilot) == files[0] and diff_text(pilot).hunk == 0
        await pilot.press("n")
        assert current_path(pilot) == DELEGATOR and diff_text(pilot).hunk == 0
        assert app.screen.query_one("#diff-files", OptionList).highlighted == 1
        await pilot.press("n", "n")
        assert current_path(pilot) not in (files[0], DELEGATOR) and diff_text(pilot).hunk == 0
        await pilot.press("p")
        assert current_path(pilot) == DELEGATOR and diff_text(pilot).hunk == 1
        await pilot.press("p", "p", "p")  # before the first hunk of the files shown
        assert current_path(pilot) == files[0] and diff_text(pilot).hunk == 0
        assert any("No hunk before this one" in n.message for n in app._notifications)
        await pilot.press("n")
        await whole_plan(pilot)  # computed again (after an edit, say): still at that file
        assert current_path(pilot) == DELEGATOR and listed(pilot) == files


# -- the editor and the clipboard ------------------------------------------------------------

def recording_editor(tmp_path: Path) -> tuple[Path, Path]:
    """A script standing in for an editor: it writes its arguments, one a line."""
    args = tmp_path / "editor-args"
    script = tmp_path / "editor"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{args}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, args


def app_that_suspends(sample: Path) -> WorkbenchApp:
    app = make_app(sample, sample / "phase1.toml")
    app.driver_class = TerminalDriver  # used when run_test is not told headless=True
    return app


async def at_delegators_second_hunk(pilot: Pilot[None]) -> None:
    await whole_plan(pilot)
    await filtered(pilot, "execution/agent_delegator")
    await pilot.press("n", "n")
    assert current_path(pilot) == DELEGATOR and diff_text(pilot).hunk == 1


async def test_o_opens_the_file_at_the_hunk_in_the_editor(
        sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_visual: None) -> None:
    editor, args = recording_editor(tmp_path)
    monkeypatch.setenv("EDITOR", str(editor))
    app = app_that_suspends(sample)
    async with app.run_test(size=(100, 30), headless=False) as pilot:
        await at_delegators_second_hunk(pilot)
        await pilot.press("o")
        await pilot.pause()
        # The plan is not applied yet: the moved file is at its old path, the hunk at its
        # line there.
        assert args.read_text().splitlines() == [
            "+23", str(sample.resolve() / "src/core/base/agent_delegator.py")]
        assert not any(n.severity == "warning" for n in app._notifications)


async def test_o_copies_the_path_when_the_terminal_cannot_be_handed_over(
        sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_visual: None) -> None:
    editor, args = recording_editor(tmp_path)
    monkeypatch.setenv("EDITOR", str(editor))
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(100, 30)) as pilot:  # the plain headless driver
        await at_delegators_second_hunk(pilot)
        await pilot.press("o")
        assert not args.exists()
        assert app.clipboard == "src/core/base/agent_delegator.py:23"
        assert any("cannot be handed to an editor" in n.message for n in app._notifications)


@pytest.mark.parametrize("editor", ["", "no-such-editor-here", "false"])
async def test_o_without_an_editor_that_works_says_so_and_copies_the_path(
        sample: Path, monkeypatch: pytest.MonkeyPatch, no_visual: None, editor: str) -> None:
    monkeypatch.setenv("EDITOR", editor)
    app = app_that_suspends(sample)
    async with app.run_test(size=(100, 30), headless=False) as pilot:
        await at_delegators_second_hunk(pilot)
        await pilot.press("o")
        assert app.clipboard == "src/core/base/agent_delegator.py:23"
        said = {"": "Set $VISUAL or $EDITOR", "no-such-editor-here": "cannot run",
                "false": "exited with status 1"}[editor]
        assert any(said in n.message for n in app._notifications)


async def test_c_copies_the_path_after_the_plan_and_the_hunks_line(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(100, 30)) as pilot:
        await at_delegators_second_hunk(pilot)
        await pilot.press("c")
        assert app.clipboard == f"{DELEGATOR}:23"
        assert any(f"Copied {DELEGATOR}:23" in n.message for n in app._notifications)
        await pilot.press("p", "c")
        assert app.clipboard == f"{DELEGATOR}:7"


def test_the_editor_gets_the_line_the_way_it_takes_it() -> None:
    path = Path("/repo/a.py")
    assert editor_command("vim", path, 12) == ["vim", "+12", "/repo/a.py"]
    assert editor_command("nano", path, 3) == ["nano", "+3", "/repo/a.py"]
    assert editor_command("emacs -nw", path, 3) == ["emacs", "-nw", "+3", "/repo/a.py"]
    assert editor_command("code --wait", path, 5) == ["code", "--wait", "-g", "/repo/a.py:5"]
    assert editor_command("/usr/bin/hx", path, 5) == ["/usr/bin/hx", "/repo/a.py:5"]


# -- the diff's lines and hunks --------------------------------------------------------------

def test_hunks_are_read_by_their_counts_and_located_at_their_first_change() -> None:
    diff = parse_diff(
        "diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n"
        "@@ -4,5 +4,5 @@\n ctx\n ctx\n--- a removed line, not a header\n+++ an added one\n"
        " ctx\n@@ -20 +20,2 @@\n-old\n+new\n+more\n\\ No newline at end of file\n"
        "\nsummary: 1 file rewritten\n")
    assert diff.hunks == [Hunk(3, 6, 6), Hunk(9, 20, 20)]
    assert diff.kinds == ["file", "file", "file", "hunk", "context", "context", "removed",
                          "added", "context", "hunk", "removed", "added", "added", "note",
                          "text", "text"]
    assert parse_diff("@@ -0,0 +1,2 @@\n+a\n+b\n").hunks == [Hunk(0, 1, 1)]


async def test_only_the_lines_in_sight_are_highlighted(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(100, 30)) as pilot:
        await whole_plan(pilot)
        text = diff_text(pilot)
        code = "".join(f"+value_{i} = {i}  # line {i}\n" for i in range(3000))
        text.show(f"@@ -0,0 +1,3000 @@\n{code}", "big.py")
        await pilot.pause()
        assert text._blocks == {0}
        text.scroll_to(0, 2000, animate=False, immediate=True)
        await pilot.pause()
        assert text._blocks == {0, 2000 // BLOCK, (2000 + text.size.height) // BLOCK}


# -- snapshots -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def snap_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The folder's name shows in the title: keep it the same on every run.
    return copy_sample(tmp_path_factory.mktemp("snap") / "sample")


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "200x60"])
def test_diff_filtered_and_highlighted(snap_compare, snap_sample: Path,  # type: ignore[no-untyped-def]
                                       size: tuple[int, int]) -> None:
    shutil.rmtree(snap_sample / ".pyagent-workbench", ignore_errors=True)

    async def run_before(pilot: Pilot[None]) -> None:
        await whole_plan(pilot)
        await filtered(pilot, "lifecycle/agent_core")
        await pilot.press("n")
        assert pilot.app.screen.query_one(DiffPane).query_one(DiffText).hunk == 0
        await quiet(pilot)

    assert snap_compare(make_app(snap_sample, snap_sample / "phase1.toml"),
                        terminal_size=size, run_before=run_before)
