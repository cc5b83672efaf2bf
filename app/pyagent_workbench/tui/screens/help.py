"""Every key of the screen below, grouped by where it works, generated from the
bindings (see `pyagent_workbench.tui.keys`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from pyagent_workbench.tui.keys import Section

KEYS_WIDTH = 16


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "../dialogs.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close", id="help-close")]

    def __init__(self, sections: list[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        pieces: list[tuple[str, str] | str] = []
        for section in self.sections:
            pieces.append((f"{section.title}\n", "bold $text-accent"))
            for keys, what in section.lines():
                if len(keys) >= KEYS_WIDTH:  # a long group of keys gets a line of its own
                    keys = f"{keys}\n{'':<{KEYS_WIDTH}}"
                pieces.append((f"  {keys:<{KEYS_WIDTH}}", "bold"))
                pieces.append(f"{what}\n")
            pieces.append("\n")
        with Vertical(id="dialog", classes="help-dialog"):
            yield Label("Keys", id="title")
            with VerticalScroll():
                yield Static(Content.assemble(*pieces), id="keys")
