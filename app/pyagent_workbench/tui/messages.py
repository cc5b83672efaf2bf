"""App-wide messages: panes and workers post them, the screen and the app react.

Panes own their logic and report what happened; the screen routes and refreshes.
Workers report their results as messages too, and their failures as `WorkerFailed`,
which bubbles up to the app's one handler (Textual tells only the node that ran a
worker about its state, so `ForwardsWorkerFailures` hands failures on)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from pyagent_workbench.rewrite.apply import ApplyResult
    from pyagent_workbench.rewrite.engine import ChangeSet
    from pyagent_workbench.session import Session


class PlanChanged(Message):
    """The plan was edited (or undone): it is autosaved and every view refreshes."""

    def __init__(self, description: str = "", *, verdicts_only: bool = False) -> None:
        super().__init__()
        self.description = description
        self.verdicts_only = verdicts_only
        """Only reviews changed: no unit moved, so the board, the tree and the diff stay."""


class MoveRequested(Message):
    """Move units to a tier (`None`: they stay). Mouse drops and keys both post this."""

    def __init__(self, units: list[str], tier: str | None) -> None:
        super().__init__()
        self.units = units
        self.tier = tier


class UnitFocused(Message):
    """The unit the user is looking at changed (the board's hint, the unit's diff)."""

    def __init__(self, unit: str | None) -> None:
        super().__init__()
        self.unit = unit


class RestructureRequested(Message):
    """Restructure one more package (one the suggestion left as it is)."""

    def __init__(self, package: str) -> None:
        super().__init__()
        self.package = package


class DiffRequested(Message):
    """Show the diff tab, previewing the whole plan or the focused unit."""

    def __init__(self, *, whole_plan: bool) -> None:
        super().__init__()
        self.whole_plan = whole_plan


class EdgesRequested(Message):
    """Show the review tab, filtered to one unit's cross-tier edges."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit


class ApplyRequested(Message):
    """The user confirmed the apply: the app runs it, with its progress on screen."""

    def __init__(self, batch: int | None = None) -> None:
        super().__init__()
        self.batch = batch
        """Land this batch of a partly applied plan (None: every pending move)."""


class FreshPlanRequested(Message):
    """After an apply: start over with a new suggestion on the new tree."""


class SessionLoaded(Message):
    """The loading worker opened the repo."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session


class ApplyFinished(Message):
    """The apply worker carried out the plan (None: it was applied already)."""

    def __init__(self, result: ApplyResult | None) -> None:
        super().__init__()
        self.result = result


class DiffProgress(Message):
    """The diff worker rewrote `done` of the `total` files that may change."""

    def __init__(self, scope: str, done: int, total: int) -> None:
        super().__init__()
        self.scope = scope
        self.done = done
        self.total = total


class DiffReady(Message):
    """The diff worker computed the changes of `scope`."""

    def __init__(self, changeset: ChangeSet, scope: str, *, whole_plan: bool) -> None:
        super().__init__()
        self.changeset = changeset
        self.scope = scope
        self.whole_plan = whole_plan


class ReportWritten(Message):
    """The report worker wrote the migration report."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self.paths = paths


class WorkerFailed(Message):
    """A worker raised; the app shows it, unless a pane shows it in place first."""

    def __init__(self, group: str, error: BaseException) -> None:
        super().__init__()
        self.group = group
        self.error = error


class ForwardsWorkerFailures:
    """Mixed into every node that runs workers: a failed worker becomes a bubbling
    `WorkerFailed`, so one handler (the app's) shows every failure. A cancelled worker's
    failure is for work nobody waits for any more: it is dropped."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if (event.state == WorkerState.ERROR and error is not None
                and not event.worker.is_cancelled and isinstance(self, MessagePump)):
            self.post_message(WorkerFailed(event.worker.group, error))
