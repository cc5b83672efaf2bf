"""A problem that stops the workbench from opening, shown instead of a traceback.

The title stays in view however long the message (a plan with thirty problems), the
message scrolls, only quitting is offered, and the process exits with status 2 like
the command line's errors, so a script that opens the workbench can tell."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from pyagent_workbench.tui.literal import literal
from pyagent_workbench.tui.widgets.footer import KeysFirstFooter

EXIT_STATUS = 2
"""As `errors.WorkbenchError.exit_status`: the workbench could not do what was asked."""


class ErrorScreen(Screen[None]):
    CSS_PATH = "error.tcss"
    AUTO_FOCUS = "#message-scroll"
    BINDINGS = [Binding("q,escape", "quit", "Quit", id="error-quit",
                        tooltip="Quit (exit status 2)")]

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__()
        self.message = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="error"):
            yield Label("pyagent-workbench cannot open this repo", id="title")
            with VerticalScroll(id="message-scroll"):
                yield Static(literal(self.message), id="message")
            if self.hint:
                yield Static(literal(self.hint), id="hint")
        yield KeysFirstFooter()

    def action_quit(self) -> None:
        self.app.exit(return_code=EXIT_STATUS)
