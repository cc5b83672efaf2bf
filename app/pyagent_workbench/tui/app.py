"""The workbench application: loads the repo in a worker, then shows the workbench.

`pyagent-workbench [PATH] [--plan PLAN]` runs this. The app holds the session (the
headless core's state); screens and widgets only ask it and call its methods.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.session import Session
from pyagent_workbench.tui.screens.dialogs import MessageScreen
from pyagent_workbench.tui.screens.error import ErrorScreen
from pyagent_workbench.tui.screens.help import HelpScreen
from pyagent_workbench.tui.screens.loading import LoadingScreen
from pyagent_workbench.tui.screens.workbench import WorkbenchScreen

COMMANDS: list[tuple[str, str, str]] = [
    # (title, help, action on the workbench screen)
    ("Move units to a tier", "Pick a tier for the selected (or focused) units", "move"),
    ("New tier", "Add a tier to the focused unit's container", "new_tier"),
    ("Rename", "Rename the focused unit's target name, or its tier", "rename"),
    ("Undo", "Undo the last edit (ctrl+z)", "undo"),
    ("Redo", "Redo the last undone edit (ctrl+y)", "redo"),
    ("Approve and export", "Approve the plan and write it as TOML (ctrl+s)", "approve"),
    ("Save draft", "Write the plan file as it is, still a draft (s)", "save_draft"),
    ("Apply plan", "Move the files and rewrite the imports, then verify", "apply"),
    ("Export report", "Write the migration report (Markdown + SVG) beside the plan",
     "export_report"),
    ("Diff of the focused unit", "Preview the focused unit's move (d)", "diff_unit"),
    ("Diff of the whole plan", "Preview every change of the plan", "diff_whole"),
    ("Review edges of the focused unit", "Filter the review table to the unit (e)",
     "review_unit"),
    ("Accept edges", "Mark the selected edges accepted (a)", "verdict('accepted')"),
    ("Must-fix edges", "Mark the selected edges must-fix (x)", "verdict('must-fix')"),
    ("Accept every edge shown", "Mark every edge the filter shows accepted (A)",
     "verdict('accepted', True)"),
    ("Only unreviewed edges", "Toggle the review filter (f)", "toggle_unreviewed"),
    ("Clear the edge filter", "Show every cross-tier edge (c)", "clear_filter"),
    ("Show the board", "Tab 1", "show_tab('board')"),
    ("Show the review", "Tab 2", "show_tab('review')"),
    ("Show the diff", "Tab 3", "show_tab('diff')"),
    ("Show the actions", "Tab 4: what undo and redo walk through", "show_tab('actions')"),
]


class WorkbenchApp(App[None]):
    TITLE = "pyagent-workbench"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+z", "screen_action('undo')", "Undo", id="undo", priority=True),
        Binding("ctrl+y", "screen_action('redo')", "Redo", id="redo", priority=True),
        Binding("ctrl+s", "screen_action('approve')", "Approve", id="approve",
                tooltip="Approve the plan and export it as TOML"),
        Binding("s", "screen_action('save_draft')", "Save", id="save", show=False),
        Binding("question_mark", "help", "Keys", id="help"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
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
    def load(self) -> Session:
        loading = self.screen

        def progress(step: str, fraction: float) -> None:
            if isinstance(loading, LoadingScreen):
                self.call_from_thread(loading.show_progress, step, fraction)

        return Session.open(self.repo_path, plan_path=self.plan_path, empty=self.empty,
                            progress=progress)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "load":
            if event.state == WorkerState.SUCCESS and isinstance(worker.result, Session):
                self.open_session(worker.result)
            elif event.state == WorkerState.ERROR:
                self.show_error(worker.error)
        elif worker.group == "apply":
            if event.state == WorkerState.SUCCESS:
                self.apply_done(worker.result)
            elif event.state == WorkerState.ERROR:
                self.pop_screen()
                error = worker.error
                message = str(error) if isinstance(error, WorkbenchError) else (
                    f"{type(error).__name__}: {error}")
                self.push_screen(MessageScreen("Apply failed; the repo is as it was",
                                               message, error=True))

    def open_session(self, session: Session) -> None:
        self.session = session
        self.switch_screen(WorkbenchScreen(session))

    def show_error(self, error: BaseException | None) -> None:
        if isinstance(error, WorkbenchError):
            message, hint = str(error), _hint(str(error))
        else:
            message = f"{type(error).__name__}: {error}"
            hint = "This is a bug in pyagent-workbench; please report it."
        self.switch_screen(ErrorScreen(message, hint))

    # -- applying --------------------------------------------------------------------------

    def start_apply(self) -> None:
        self.push_screen(LoadingScreen(f"applying to {self.repo_path.name}"))
        self.apply_worker()

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def apply_worker(self) -> object:
        assert self.session is not None
        screen = self.screen

        def progress(step: str, done: int, total: int) -> None:
            if isinstance(screen, LoadingScreen):
                self.call_from_thread(screen.show_progress, step, done / max(total, 1))

        return self.session.apply(progress=progress)

    def apply_done(self, result: object) -> None:
        self.pop_screen()
        verify = getattr(result, "verify", None)
        changeset = getattr(result, "changeset", None)
        lines = []
        if changeset is not None:
            s = changeset.summary
            lines.append(f"{s.files_moved} files moved, {s.files_rewritten} rewritten, "
                         f"{s.imports_changed} import statements and {s.strings_changed} "
                         f"strings changed, {s.facades} facades.")
        if verify is not None:
            lines.append(verify.render())
        lines.append("\nThe repo has its new layout: the workbench reopens on it.")
        ok = verify is None or verify.ok
        self.push_screen(MessageScreen("Applied" if ok else "Applied, but verify found problems",
                                       "\n".join(lines), error=not ok), lambda _: self._reload())

    def _reload(self) -> None:
        self.push_screen(LoadingScreen(self.repo_path.name))
        self.load()

    # -- actions and commands ---------------------------------------------------------------

    async def action_screen_action(self, action: str) -> None:
        screen = self.screen
        if isinstance(screen, WorkbenchScreen):
            await screen.run_action(action)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, WorkbenchScreen):
            for title, help_text, action in COMMANDS:
                yield SystemCommand(title, help_text, partial(screen.run_action, action))
        yield SystemCommand("Keys", "Every key binding of the workbench", self.action_help)


def _hint(message: str) -> str:
    if "no Python package found" in message:
        return ("Open the folder that holds your package (or its src/ layout), or name the "
                "packages in the plan's [repo] table.")
    if "plan" in message:
        return "Fix the plan file and open the workbench again."
    return ""
