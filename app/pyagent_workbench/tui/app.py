"""The workbench application: loads the repo in a worker, then shows the workbench (or,
on a repo whose plan was applied, what the apply did).

`pyagent-workbench [PATH] [--plan PLAN]` runs this. The app holds the session (the
headless core's state) and hands it down to the screens; they talk back with messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from pyagent_workbench.display import printable
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.rewrite.workers import start_fork_server
from pyagent_workbench.session import Session
from pyagent_workbench.tui.collector import IdleCollector
from pyagent_workbench.tui.dialogs import Confirm, MessageScreen, TextPrompt
from pyagent_workbench.tui.keys import key_sections, palette_keys
from pyagent_workbench.tui.messages import (
    ApplyFinished,
    ApplyRequested,
    ForwardsWorkerFailures,
    FreshPlanRequested,
    ReportWritten,
    SessionLoaded,
    WorkerFailed,
)
from pyagent_workbench.tui.paths import shown_path
from pyagent_workbench.tui.screens.applied import AppliedScreen
from pyagent_workbench.tui.screens.error import ErrorScreen
from pyagent_workbench.tui.screens.help import HelpScreen, LegendScreen
from pyagent_workbench.tui.screens.loading import LoadingScreen
from pyagent_workbench.tui.screens.workbench import WorkbenchScreen

PLAN_ACTIONS = frozenset({"undo", "redo", "save_draft", "approve", "export_report",
                          "discard_draft"})
"""The app's actions on the plan being edited (they act on the workbench screen)."""

WORKER_FAILURES = {
    "apply": "Apply failed; the repo is as it was",
    "diff": "The plan cannot be previewed",
    "report": "The report was not written",
}
"""The title a failure of each worker group is shown under (loading has its screen)."""

COLLECT_CHECK_EVERY = 0.25
"""Seconds between two looks at whether a full garbage collection is due and may run."""


class WorkbenchApp(ForwardsWorkerFailures, App[None]):
    TITLE = "pyagent-workbench"
    # The dialogs' sheet from the start: read when the first dialog opens, it restyles
    # every widget of the app (70 ms on a large board, at the first move).
    CSS_PATH = ["app.tcss", "dialogs.tcss"]
    BINDINGS = [
        Binding("ctrl+z", "undo", "Undo", id="undo", priority=True,
                tooltip="Undo the last edit"),
        Binding("ctrl+y", "redo", "Redo", id="redo", priority=True,
                tooltip="Redo the last undone edit"),
        Binding("ctrl+s", "approve", "Approve", id="approve",
                tooltip="Approve the plan and export it as TOML (refused while edges are "
                        "unreviewed)"),
        Binding("s", "save_draft", "Save", id="save", show=False,
                tooltip="Save the plan as a draft (any time)"),
        Binding("question_mark", "help", "Keys", id="help", tooltip="Every key, by where "
                "it works"),
        Binding("ctrl+l", "legend", "Legend", show=False, id="legend",
                tooltip="What the cards, figures, marks and colours mean"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True,
                tooltip="Quit (your draft is kept and restored next time)"),
        Binding("ctrl+e", "export_report", "Export report", show=False, id="export-report",
                tooltip="Write the migration report (Markdown + SVG) beside the plan"),
        Binding("ctrl+o", "open_plan", "Open plan…", show=False, id="open-plan",
                tooltip="Open another plan file of this repo (your work stays as a draft)"),
        Binding("ctrl+n", "new_plan", "New plan", show=False, id="new-plan",
                tooltip="Start a new plan from the suggestion, in a file of its own (your "
                        "work stays as a draft)"),
        Binding("ctrl+d", "discard_draft", "Discard draft", show=False, id="discard-draft",
                tooltip="Drop the unsaved changes and reopen the plan as its file holds it"),
    ]

    def __init__(self, repo: Path, *, plan: Path | None = None, empty: bool = False,
                 autoload: bool = True) -> None:
        super().__init__()
        start_fork_server()  # before Textual captures stderr: diffs on every core
        self.repo_path = repo.resolve()
        self.plan_path = plan.resolve() if plan else None
        self.empty = empty
        self.autoload = autoload
        self.session: Session | None = None
        self.collector = IdleCollector()
        """Full garbage collections wait for a pause in the input (see its module)."""

    # -- loading ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.collector.start()
        self.set_interval(COLLECT_CHECK_EVERY, self.collector.tick)
        self.push_screen(LoadingScreen(self.repo_path.name))
        if self.autoload:
            self.load()

    def on_unmount(self) -> None:
        self.collector.stop()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification (the app's, a screen's, a widget's) shows its text as
        written: they name modules, files, notes, what was typed and errors, from the
        repository or the plan (see `tui.literal`). None of ours is markup, so `markup`
        is not read: a widget's `notify` asks for markup unless told otherwise."""
        super().notify(printable(message), title=printable(title), severity=severity,
                       timeout=timeout, markup=False)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.touched()
        await super().on_event(event)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self, *, fresh: bool = False) -> None:
        loading = self.screen

        def progress(step: str, fraction: float) -> None:
            if isinstance(loading, LoadingScreen):
                self.call_from_thread(loading.show_progress, step, fraction)

        if fresh:
            session = Session.open(self.repo_path, fresh=True, progress=progress)
        else:
            session = Session.open(self.repo_path, plan_path=self.plan_path,
                                   empty=self.empty, progress=progress)
        self.post_message(SessionLoaded(session))

    @on(SessionLoaded)
    def session_loaded(self, message: SessionLoaded) -> None:
        self.session = message.session
        self.collector.settled()
        self._show(message.session)
        self.call_after_refresh(self.import_rewrite)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def import_rewrite(self) -> None:
        """The rewrite's modules (libcst: a quarter of a second), imported once the board
        is up, so that the first unit's preview does not wait for them."""
        import pyagent_workbench.rewrite.statements  # noqa: F401

    def _show(self, session: Session) -> None:
        """The board, or what the apply did when the tree already reflects the plan."""
        if session.applied is not None:
            self.switch_screen(AppliedScreen(session.applied, session.repo.root))
        else:
            self.switch_screen(WorkbenchScreen(session))

    @on(FreshPlanRequested)
    def fresh_plan(self) -> None:
        self._reopen(fresh=True)

    def _reopen(self, *, plan_path: Path | None = None, fresh: bool = False) -> None:
        """Load again (another plan, or a new one); unsaved work is kept as a draft."""
        if self.session is not None:
            self.session.autosave()
        if plan_path is not None:
            self.plan_path = plan_path
        self.empty = False
        self.collector.release()
        self.switch_screen(LoadingScreen(self.repo_path.name))
        self.load(fresh=fresh)

    def action_new_plan(self) -> None:
        self._reopen(fresh=True)

    def action_open_plan(self) -> None:
        def chosen(answer: str | None) -> None:
            if not answer:
                return
            path = Path(answer).expanduser()
            path = (path if path.is_absolute() else self.repo_path / path).resolve()
            if not path.is_file():
                self.notify(f"no plan file at {path}", severity="error")
                return
            self._reopen(plan_path=path)

        current = self.session.plan_path.name if self.session is not None else ""
        self.push_screen(TextPrompt(
            "Open plan", value=current, placeholder="plan file (TOML), relative to the repo",
            help_text="Your unsaved work on this plan stays as a draft and comes back "
                      "when you open it again."), chosen)

    def action_discard_draft(self) -> None:
        session = self.session
        if session is None:
            return
        if not session.unsaved:
            self.notify("Nothing to discard: the plan file holds every change")
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            session.discard_draft()
            self.session = None  # nothing left to autosave
            saved = session.plan_path if session.plan_path.is_file() else None
            self._reopen(plan_path=saved)

        self.push_screen(Confirm(
            "Discard your unsaved changes?",
            f"The changes made since {session.plan_path.name} was last saved are dropped, "
            f"and the plan reopens as its file holds it"
            + ("" if session.plan_path.is_file() else " (it was never saved: a new "
               "suggestion)") + ".", yes="Discard"), confirmed)

    # -- the plan as a whole ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The plan's keys exist only while a plan is open and not yet applied (not while
        loading, nor on the error screen, nor once applied)."""
        if action in PLAN_ACTIONS:
            return self.session is not None and self.session.applied is None
        return True

    def _workbench(self) -> WorkbenchScreen | None:
        """The workbench, when it is in view: the plan's keys act on its plan."""
        return self.screen if isinstance(self.screen, WorkbenchScreen) else None

    def action_undo(self) -> None:
        if (workbench := self._workbench()) is not None:
            self._walked(workbench, workbench.session.undo(), "Undid", "undo")

    def action_redo(self) -> None:
        if (workbench := self._workbench()) is not None:
            self._walked(workbench, workbench.session.redo(), "Redid", "redo")

    def _walked(self, workbench: WorkbenchScreen, done: str | None, verb: str,
                what: str) -> None:
        if done is None:
            self.notify(f"Nothing to {what}", timeout=2)
            return
        workbench.plan_changed()
        self.notify(f"{verb}: {done}", timeout=2)

    def action_save_draft(self) -> None:
        if (workbench := self._workbench()) is not None:
            try:
                path = workbench.session.save()
            except (WorkbenchError, OSError) as error:
                self.notify(str(error), severity="error")
                return
            self.notify(f"Plan saved to {path.name} ({workbench.session.plan.status})",
                        timeout=3)
            workbench.refresh_views()

    def action_approve(self) -> None:
        workbench = self._workbench()
        if workbench is None:
            return
        session = workbench.session
        approval = session.approval()
        if not approval.ok:
            self.push_screen(MessageScreen(
                "Approval refused", f"{approval.message}.\n\nReview tab (2): a accepts, x marks "
                f"must-fix; A / X judge every edge the filter shows.", error=True))
            return

        def chosen(path: str | None) -> None:
            if path:
                self._approve(workbench, Path(path))

        self.push_screen(TextPrompt(
            "Approve and export the plan", value=shown_path(session.plan_path,
                                                            session.repo.root),
            help_text="Writes the plan as TOML with status \"approved\". Apply it with ctrl+r "
                      "(or from the command palette), or with `pyagent-workbench apply`."),
            chosen)

    def _approve(self, workbench: WorkbenchScreen, path: Path) -> None:
        session = workbench.session
        try:
            written = session.approve(path if path.is_absolute() else session.repo.root / path)
        except (WorkbenchError, OSError) as error:
            self.notify(str(error), severity="error")
            return
        workbench.plan_changed()
        self.notify(f"Approved and exported to {written.name}", timeout=4)
        if self.is_web:  # in a browser, the file also downloads
            self.deliver_text(written, save_filename=written.name)

    def action_export_report(self) -> None:
        if (workbench := self._workbench()) is not None:
            self.notify("Writing the report…", timeout=2)
            self.write_report(workbench.session)

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def write_report(self, session: Session) -> None:
        try:
            written = session.export_report()
        except (WorkbenchError, OSError) as error:  # e.g. a link in the report's place
            self.call_from_thread(self.notify, f"No report written: {error}",
                                  severity="error")
            return
        self.post_message(ReportWritten(written))

    @on(ReportWritten)
    def report_written(self, message: ReportWritten) -> None:
        self.notify("Report written: " + ", ".join(p.name for p in message.paths), timeout=5)
        if self.is_web:
            for path in message.paths:
                self.deliver_text(path, save_filename=path.name)

    # -- applying --------------------------------------------------------------------------

    @on(ApplyRequested)
    def start_apply(self, message: ApplyRequested) -> None:
        assert self.session is not None
        part = f"batch {message.batch} " if message.batch is not None else ""
        self.push_screen(LoadingScreen(f"applying {part}to {self.repo_path.name}"))
        self.apply(self.session, message.batch)

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def apply(self, session: Session, batch: int | None = None) -> None:
        screen = self.screen

        def progress(step: str, done: int, total: int) -> None:
            if isinstance(screen, LoadingScreen):
                self.call_from_thread(screen.show_progress, step, done / max(total, 1))

        self.post_message(ApplyFinished(session.apply(progress=progress, batch=batch)))

    @on(ApplyFinished)
    def apply_finished(self, message: ApplyFinished) -> None:
        """Show what the apply did; closing it shows the plan as applied."""
        self.pop_screen()
        session, result = self.session, message.result
        assert session is not None
        if result is None:
            self._show(session)
            return
        summary = result.changeset.summary
        lines = [f"{summary.files_moved} files moved, {summary.files_rewritten} rewritten, "
                 f"{summary.imports_changed} import statements and {summary.strings_changed} "
                 f"strings changed, {summary.facades} facades."]
        if result.verify is not None:
            lines.append(result.verify.render())
        if session.applied is not None and session.applied.state == "partial":
            lines.append("\nThe workbench shows which moves have landed, and the next batch.")
        else:
            lines.append("\nThe repo has its new layout: the workbench shows the plan as "
                         "applied.")
        ok = result.verify is None or result.verify.ok
        self.push_screen(MessageScreen("Applied" if ok else "Applied, but verify found problems",
                                       "\n".join(lines), error=not ok),
                         lambda _: self._show(session))

    # -- failures --------------------------------------------------------------------------

    @on(WorkerFailed)
    def worker_failed(self, message: WorkerFailed) -> None:
        """Every worker's failure ends here: loading shows the error screen, a failed
        apply a message in place of its progress, the others a notification."""
        error = message.error
        text = str(error) if isinstance(error, WorkbenchError) else (
            f"{type(error).__name__}: {error}")
        hint = _hint(text) if isinstance(error, WorkbenchError) else (
            "This is a bug in pyagent-workbench; please report it.")
        if message.group == "load":
            self.switch_screen(ErrorScreen(text, hint))
        elif message.group == "apply":
            self.pop_screen()
            self.push_screen(MessageScreen(WORKER_FAILURES["apply"], text, error=True))
        else:
            self.notify(text, title=WORKER_FAILURES.get(message.group, ""), severity="error")

    # -- keys ------------------------------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen(key_sections(self.screen)))

    def action_legend(self) -> None:
        if isinstance(self.screen, LegendScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(LegendScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands (but its own "Keys": ours lists every key), then every key
        of the screen by its description."""
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command
        for key in palette_keys(screen):
            yield SystemCommand(key.binding.description, f"{key.help} ({key.keys})",
                                partial(self.run_action, key.binding.action, key.node))


def _hint(message: str) -> str:
    if "no Python package found" in message:
        return ("Open the folder that holds your package (or its src/ layout), or name the "
                "packages in the plan's [repo] table.")
    if "plan" in message:
        return "Fix the plan file and open the workbench again."
    return ""
