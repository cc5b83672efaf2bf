"""A problem that stops the workbench from opening, shown instead of a traceback."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label, Static


class ErrorScreen(Screen[None]):
    CSS_PATH = "error.tcss"
    BINDINGS = [Binding("q,escape", "app.quit", "Quit", id="error-quit")]

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__()
        self.message = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="error"):
            yield Label("pyagent-workbench cannot open this repo", id="title")
            yield Static(self.message, id="message")
            if self.hint:
                yield Static(self.hint, id="hint")
        yield Footer()
