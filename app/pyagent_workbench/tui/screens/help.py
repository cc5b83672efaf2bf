"""Every key of the screen below, grouped by where it works, generated from the
bindings (see `pyagent_workbench.tui.keys`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from pyagent_workbench.tui.keys import Section


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "../dialogs.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close", id="help-close")]

    def __init__(self, sections: list[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help-dialog"):
            yield Label("Keys", id="title")
            with VerticalScroll(id="keys"):
                for section in self.sections:
                    yield Label(section.title, classes="keys-section")
                    for keys, what in section.lines():
                        # Two columns: a description that wraps stays in its own.
                        with Horizontal(classes="key-line"):
                            yield Label(keys, classes="keys", markup=False)
                            yield Static(what, classes="what", markup=False)
