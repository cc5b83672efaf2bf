"""The Diff pane: the changes of the whole plan or of the focused unit, computed by a
worker (a preview of a large plan takes a while) that posts `DiffReady`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Label
from textual.worker import get_current_worker

from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.tui.messages import (
    DiffProgress,
    DiffReady,
    ForwardsWorkerFailures,
    WorkerFailed,
)
from pyagent_workbench.tui.panes import Pane
from pyagent_workbench.tui.widgets.diff_view import DiffView

if TYPE_CHECKING:
    from pyagent_workbench.session import Session


class PreviewStopped(Exception):
    """Raised from the preview's progress to stop it (the workers are shut down)."""


class DiffPane(ForwardsWorkerFailures, Pane):
    KEYS_TITLE = "Diff"
    BINDINGS = [Binding("w", "diff_scope", "Whole plan / unit", id="diff-scope",
                        tooltip="Switch between the whole plan and the focused unit"),
                Binding("escape", "stop", "Stop", id="diff-stop", show=False,
                        tooltip="Stop the preview under way (w or D computes it again); "
                                "the status line offers it while one runs")]

    focused_unit: reactive[str | None] = reactive(None, init=False)
    """The screen's focused unit (bound to it): the unit a unit preview shows."""

    def __init__(self, session: Session, *, id: str) -> None:
        super().__init__(session, id=id)
        self.whole_plan = True
        self.stale = True
        """What is shown no longer matches the plan (or the unit): recompute when shown."""

    def compose(self) -> ComposeResult:
        yield Label("", id="diff-status")
        yield DiffView(id="diff-view")

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
        self.query_one("#diff-status", Label).update(f"computing the changes of {scope}…")
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
            self.query_one("#diff-status", Label).update(
                f"computing the changes of {message.scope}: {message.done}/{message.total} "
                f"files rewritten · esc: stop")

    def _previewing(self) -> bool:
        return any(w.node is self and w.group == "diff" and not w.is_finished
                   and not w.is_cancelled for w in self.app.workers)

    def action_stop(self) -> None:
        if not self._previewing():
            return
        self.workers.cancel_group(self, "diff")
        self.stale = True
        self.query_one("#diff-status", Label).update("stopped · w or D: compute again")
        self.query_one(DiffView).show_message("The preview was stopped.")

    @on(DiffReady)
    def diff_ready(self, message: DiffReady) -> None:
        summary = message.changeset.summary
        self.query_one("#diff-status", Label).update(
            f"{message.scope}: {summary.files_moved} moved, {summary.files_rewritten} "
            f"rewritten, {summary.imports_changed} imports, {summary.strings_changed} "
            f"strings, {summary.facades} facades · w: "
            f"{'focused unit' if message.whole_plan else 'whole plan'}")
        self.query_one(DiffView).show(message.changeset)

    @on(WorkerFailed)
    def preview_failed(self, message: WorkerFailed) -> None:
        """A plan the engine refuses (a collision, say) is shown here, in place."""
        if isinstance(message.error, WorkbenchError):
            message.stop()
            self.query_one("#diff-status", Label).update("the plan cannot be previewed")
            self.query_one(DiffView).show_message(str(message.error))
