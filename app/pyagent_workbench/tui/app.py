"""The workbench application: loads the repo in a worker, then shows the workbench (or,
on a repo whose plan was applied, what the apply did).

`pyagent-workbench [PATH] [--plan PLAN]` runs this. The app holds the session (the
headless core's state) and hands it down to the screens; they talk back with messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.session import Session
from pyagent_workbench.tui.dialogs import MessageScreen
from pyagent_workbench.tui.keys import key_sections, palette_keys
from pyagent_workbench.tui.messages import (
    ApplyFinished,
    ApplyRequested,
    ForwardsWorkerFailures,
    FreshPlanRequested,
    SessionLoaded,
    WorkerFailed,
)
from pyagent_workbench.tui.screens.applied import AppliedScreen
from pyagent_workbench.tui.screens.error import ErrorScreen
from pyagent_workbench.tui.screens.help import HelpScreen
from pyagent_workbench.tui.screens.loading import LoadingScreen
from pyagent_workbench.tui.screens.workbench import WorkbenchScreen

WORKER_FAILURES = {
    "apply": "Apply failed; the repo is as it was",
    "diff": "The plan cannot be previewed",
    "report": "The report was not written",
}
"""The title a failure of each worker group is shown under (loading has its screen)."""


class WorkbenchApp(ForwardsWorkerFailures, App[None]):
    TITLE = "pyagent-workbench"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+z", "screen.undo", "Undo", id="undo", priority=True,
                tooltip="Undo the last edit"),
        Binding("ctrl+y", "screen.redo", "Redo", id="redo", priority=True,
                tooltip="Redo the last undone edit"),
        Binding("ctrl+s", "screen.approve", "Approve", id="approve",
                tooltip="Approve the plan and export it as TOML (refused while edges are "
                        "unreviewed)"),
        Binding("s", "screen.save_draft", "Save", id="save", show=False,
                tooltip="Save the plan as a draft (any time)"),
        Binding("question_mark", "help", "Keys", id="help", tooltip="Every key, by where "
                "it works"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True,
                tooltip="Quit (your draft is kept and restored next time)"),
    ]

    def __init__(self, repo: Path, *, plan: Path | None = None, empty: bool = False,
                 autoload: bool = True) -> None:
        super().__init__()
        self.repo_path = repo.resolve()
        self.plan_path = plan.resolve() if plan else None
        self.empty = empty
        self.autoload = autoload
        self.session: Session | None = None

    # -- loading ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(LoadingScreen(self.repo_path.name))
        if self.autoload:
            self.load()

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
        session = self.session = message.session
        if session.plan_path.is_file():  # a fresh plan's new file is the one to reopen
            self.plan_path = session.plan_path
        self._show(session)

    def _show(self, session: Session) -> None:
        """The board, or what the apply did when the tree already reflects the plan."""
        if session.applied is not None:
            self.switch_screen(AppliedScreen(session.applied, session.repo.root))
        else:
            self.switch_screen(WorkbenchScreen(session))

    @on(FreshPlanRequested)
    def fresh_plan(self) -> None:
        self.switch_screen(LoadingScreen(self.repo_path.name))
        self.load(fresh=True)

    # -- applying --------------------------------------------------------------------------

    @on(ApplyRequested)
    def start_apply(self) -> None:
        self.push_screen(LoadingScreen(f"applying to {self.repo_path.name}"))
        self.apply()

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def apply(self) -> None:
        assert self.session is not None
        screen = self.screen

        def progress(step: str, done: int, total: int) -> None:
            if isinstance(screen, LoadingScreen):
                self.call_from_thread(screen.show_progress, step, done / max(total, 1))

        self.post_message(ApplyFinished(self.session.apply(progress=progress)))

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
        lines.append("\nThe repo has its new layout: the workbench shows the plan as applied.")
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

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands, then every key of the screen by its description."""
        yield from super().get_system_commands(screen)
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
