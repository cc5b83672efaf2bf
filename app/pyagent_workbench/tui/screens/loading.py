"""What the workbench shows while it reads the repo: a progress bar and the step."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, ProgressBar

from pyagent_workbench.tui.literal import literal
from pyagent_workbench.tui.widgets.footer import KeysFirstFooter


class LoadingScreen(Screen[None]):
    CSS_PATH = "loading.tcss"
    BINDINGS = [Binding("escape,ctrl+c", "app.quit", "Cancel", id="loading-cancel")]

    def __init__(self, repo_name: str) -> None:
        super().__init__()
        self.repo_name = repo_name

    def compose(self) -> ComposeResult:
        with Vertical(id="loading"):
            yield Label(literal(f"Opening {self.repo_name}"), id="title")
            yield ProgressBar(total=100, show_eta=False, id="progress")
            yield Label("starting", id="step")
        yield KeysFirstFooter()

    def show_progress(self, step: str, fraction: float) -> None:
        self.query_one(ProgressBar).update(progress=round(fraction * 100))
        self.query_one("#step", Label).update(literal(step))
