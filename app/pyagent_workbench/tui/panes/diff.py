"""The Diff pane: the changes of the whole plan or of the focused unit, computed by a
worker (a preview of a large plan takes a while) that posts `DiffReady`; a filter on
the files' paths, hunk to hunk across files, and the file at its hunk in $EDITOR."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.reactive import var
from textual.widgets import Label
from textual.worker import get_current_worker

from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.tui.literal import literal
from pyagent_workbench.tui.messages import (
    DiffProgress,
    DiffReady,
    ForwardsWorkerFailures,
    WorkerFailed,
)
from pyagent_workbench.tui.panes import Pane
from pyagent_workbench.tui.widgets.diff_text import DiffText, Hunk
from pyagent_workbench.tui.widgets.diff_view import DiffView

if TYPE_CHECKING:
    from pyagent_workbench.rewrite.engine import FileChange
    from pyagent_workbench.session import Session

HUNKS = Binding.Group("Next / previous hunk (past a file's last, on to the next file shown)")
KEYS_HINT = "/ filter  n/p hunk  o edit  c copy path"
GOTO_COLON = {"code", "code-insiders", "codium", "cursor", "windsurf"}
"""Editors that take `-g file:line`."""
COLON = {"subl", "hx", "helix", "zed"}
"""Editors that take `file:line`; the others take `+line file` (vi, vim, nvim, nano,
emacs, micro, kak, ...)."""


def editor_command(editor: str, path: Path, line: int) -> list[str]:
    """The command that opens `path` at `line` in `editor` ($VISUAL or $EDITOR, which may
    hold arguments: "code --wait")."""
    command = shlex.split(editor)
    name = Path(command[0]).name.removesuffix(".exe")
    if name in GOTO_COLON:
        return [*command, "-g", f"{path}:{line}"]
    if name in COLON:
        return [*command, f"{path}:{line}"]
    return [*command, f"+{line}", str(path)]


def after_plan(change: FileChange, hunk: Hunk | None) -> str:
    """`path:line` of the hunk in the repo after the plan."""
    return f"{change.new_path}:{hunk.new_line if hunk else 1}"


def before_plan(change: FileChange, hunk: Hunk | None) -> tuple[str, int] | None:
    """The file as it is now, and the hunk's line in it; None for a file the plan
    creates (a package's __init__.py, a facade: nothing to open before the apply)."""
    if change.old_path is None:
        return None
    return change.old_path, hunk.old_line if hunk else 1


class PreviewStopped(Exception):
    """Raised from the preview's progress to stop it (the workers are shut down)."""


class DiffPane(ForwardsWorkerFailures, Pane):
    KEYS_TITLE = "Diff"
    DEFAULT_CSS = """
    DiffPane #diff-status, DiffPane #diff-position {
        width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    DiffPane #diff-position { color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [
        Binding("w", "diff_scope", "Whole plan / unit", id="diff-scope",
                tooltip="Switch between the whole plan and the focused unit"),
        Binding("escape", "stop", "Stop", id="diff-stop", show=False,
                tooltip="Stop the preview under way (w or D computes it again; the status "
                        "line offers it while one runs), else clear the file filter"),
        Binding("slash", "filter_files", "Filter files", id="diff-filter", show=False,
                tooltip="Narrow the file list to the paths containing the text typed "
                        "(live; enter keeps it, esc clears it)"),
        Binding("n", "step_hunk(1)", "Next hunk", id="diff-next-hunk", show=False,
                group=HUNKS, tooltip="Go to the next hunk, in the next file shown past "
                                     "the file's last"),
        Binding("p", "step_hunk(-1)", "Previous hunk", id="diff-previous-hunk", show=False,
                group=HUNKS, tooltip="Go to the previous hunk, in the previous file shown "
                                     "before the file's first"),
        Binding("o", "open_in_editor", "Open in editor", id="diff-open", show=False,
                tooltip="Open the file at the hunk in $VISUAL or $EDITOR (the file as it "
                        "is now: its old path for a moved one); the path is copied when "
                        "no editor can run"),
        Binding("c", "copy_path", "Copy path", id="diff-copy", show=False,
                tooltip="Copy the file's path after the plan and the hunk's line "
                        "(path:line)"),
    ]

    focused_unit: var[str | None] = var(None, init=False)
    """The screen's focused unit (bound to it): the unit a unit preview shows."""

    def __init__(self, session: Session, *, id: str) -> None:
        super().__init__(session, id=id)
        self.whole_plan = True
        self.stale = True
        """What is shown no longer matches the plan (or the unit): recompute when shown."""

    def compose(self) -> ComposeResult:
        yield Label("", id="diff-status")
        yield DiffView(id="diff-view")
        yield Label("", id="diff-position")

    def invalidate(self) -> None:
        """The plan changed: a preview under way is for the old plan."""
        self.stale = True
        self.workers.cancel_group(self, "diff")

    def watch_focused_unit(self) -> None:
        if not self.whole_plan:
            self.stale = True

    def show_scope(self, *, whole_plan: bool) -> None:
        """Preview the whole plan or the focused unit, when the pane is next shown."""
        self.whole_plan = whole_plan
        self.stale = True

    def action_diff_scope(self) -> None:
        self.show_scope(whole_plan=not self.whole_plan)
        self.compute()

    def compute(self) -> None:
        units = None
        if not self.whole_plan:
            if self.focused_unit is None or self.session.plan.move_for(
                    self.focused_unit) is None:
                self.query_one(DiffView).show_message(
                    "The focused unit does not move: nothing to preview (w: whole plan).")
                self.query_one("#diff-status", Label).update("unit preview")
                return
            units = [self.focused_unit]
        scope = "the whole plan" if units is None else units[0]
        self.query_one("#diff-status", Label).update(literal(f"computing the changes of {scope}…"))
        self.query_one(DiffView).show_message("computing…")
        self.stale = False
        self.preview(units, scope)

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def preview(self, units: list[str] | None, scope: str) -> None:
        worker = get_current_worker()
        shown = -1

        def progress(done: int, total: int) -> None:
            nonlocal shown
            if worker.is_cancelled:
                raise PreviewStopped
            percent = done * 100 // max(total, 1)
            if percent != shown:  # a message a percent, not one a file
                shown = percent
                self.post_message(DiffProgress(scope, done, total))

        try:
            changeset = self.session.preview(units, plan=self.session.plan.copy(),
                                             progress=progress)
        except PreviewStopped:
            return
        if not worker.is_cancelled:
            self.post_message(DiffReady(changeset, scope, whole_plan=units is None))

    @on(DiffProgress)
    def diff_progress(self, message: DiffProgress) -> None:
        if self._previewing():
            self.query_one("#diff-status", Label).update(literal(
                f"computing the changes of {message.scope}: {message.done}/{message.total} "
                f"files rewritten · esc: stop"))

    def _previewing(self) -> bool:
        return any(w.node is self and w.group == "diff" and not w.is_finished
                   and not w.is_cancelled for w in self.app.workers)

    def action_stop(self) -> None:
        if not self._previewing():
            self.query_one(DiffView).clear_filter()
            return
        self.workers.cancel_group(self, "diff")
        self.stale = True
        self.query_one("#diff-status", Label).update("stopped · w or D: compute again")
        self.query_one(DiffView).show_message("The preview was stopped.")

    @on(DiffReady)
    def diff_ready(self, message: DiffReady) -> None:
        summary = message.changeset.summary
        self.query_one("#diff-status", Label).update(literal(
            f"{message.scope}: {summary.files_moved} moved, {summary.files_rewritten} "
            f"rewritten, {summary.imports_changed} imports, {summary.strings_changed} "
            f"strings, {summary.facades} facades · w: "
            f"{'focused unit' if message.whole_plan else 'whole plan'}"))
        self.query_one(DiffView).show(message.changeset)

    @on(WorkerFailed)
    def preview_failed(self, message: WorkerFailed) -> None:
        """A plan the engine refuses (a collision, say) is shown here, in place."""
        if isinstance(message.error, WorkbenchError):
            message.stop()
            self.query_one("#diff-status", Label).update("the plan cannot be previewed")
            self.query_one(DiffView).show_message(str(message.error))

    # -- files and hunks -----------------------------------------------------------------------

    @on(DiffView.Moved)
    def show_position(self) -> None:
        view = self.query_one(DiffView)
        parts = []
        if view.changeset is not None and view.changeset.changes:
            parts.append(f"{len(view.shown)} of {len(view.changeset.changes)} files")
            hunks = view.query_one(DiffText).hunks
            hunk = view.query_one(DiffText).hunk
            if view.current is not None:
                parts.append(f"{len(hunks)} hunk{'s' if len(hunks) != 1 else ''}"
                             if hunk is None else f"hunk {hunk + 1}/{len(hunks)}")
        parts.append(KEYS_HINT)
        self.query_one("#diff-position", Label).update(" · ".join(parts), layout=False)

    def action_filter_files(self) -> None:
        self.query_one(DiffView).start_filter()

    def action_step_hunk(self, step: int) -> None:
        if not self.query_one(DiffView).step_hunk(step):
            self.notify(f"No hunk {'after' if step > 0 else 'before'} this one in the files "
                        f"shown", timeout=2)

    def action_copy_path(self) -> None:
        view = self.query_one(DiffView)
        change = view.current_change()
        if change is None:
            self.notify("No file to copy the path of", severity="warning", timeout=2)
            return
        location = after_plan(change, view.current_hunk())
        self.app.copy_to_clipboard(location)
        self.notify(f"Copied {location}", timeout=2)

    def action_open_in_editor(self) -> None:
        view = self.query_one(DiffView)
        change = view.current_change()
        if change is None:
            self.notify("No file to open", severity="warning", timeout=2)
            return
        hunk = view.current_hunk()
        now = before_plan(change, hunk)
        root = self.session.repo.root
        if now is None or not (root / now[0]).is_file():
            self._copy_instead(after_plan(change, hunk),
                               f"{change.new_path} is written by the plan (a new package or a "
                               f"facade): nothing of it to open before the apply")
            return
        path, line = now
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor or not editor.strip():
            self._copy_instead(f"{path}:{line}", "Set $VISUAL or $EDITOR to open files")
            return
        problem = self._run_editor(editor, root, root / path, line)
        if problem is not None:
            self._copy_instead(f"{path}:{line}", problem)

    def _run_editor(self, editor: str, root: Path, path: Path, line: int) -> str | None:
        """Hand the terminal to the editor until it exits; what went wrong, if anything."""
        try:
            command = editor_command(editor, path, line)
        except ValueError as error:
            return f"$VISUAL/$EDITOR cannot be read ({error})"
        try:
            with self.app.suspend():
                result = subprocess.run(command, cwd=root, check=False)
        except SuspendNotSupported:
            return "The terminal cannot be handed to an editor here"
        except OSError as error:
            return f"{command[0]} cannot run ({error.strerror or error})"
        if result.returncode != 0:
            return f"{command[0]} exited with status {result.returncode}"
        return None

    def _copy_instead(self, location: str, why: str) -> None:
        self.app.copy_to_clipboard(location)
        self.notify(f"{why}: copied {location} instead", severity="warning", timeout=4)
