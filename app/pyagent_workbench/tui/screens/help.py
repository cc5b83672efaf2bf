"""Every key binding of the workbench, grouped by where it works."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Everywhere", [
        ("1 2 3 4", "Board, Review, Diff, Actions tabs"),
        ("ctrl+z / ctrl+y", "undo / redo the last edit"),
        ("ctrl+s", "approve the plan and export it as TOML (refused while edges are "
                   "unreviewed)"),
        ("s", "save the plan as a draft (any time)"),
        ("ctrl+p", "command palette: every action by name"),
        ("?", "this help"),
        ("ctrl+q", "quit (your draft is kept and restored next time)"),
    ]),
    ("Board", [
        ("arrows", "move between units and columns"),
        ("space", "add the unit to the selection (several units move together)"),
        ("m", "move the selected units: pick a tier (type to filter)"),
        ("mouse", "drag a unit (or the selection) onto another column"),
        ("n", "new tier"),
        ("r", "rename the unit's target name, or its tier"),
        ("d", "diff of the focused unit's move"),
        ("e", "review the edges of the focused unit"),
        ("escape", "clear the selection"),
    ]),
    ("Review", [
        ("space", "select the edge"),
        ("a / x", "mark accepted / must-fix (the selection, else the current row)"),
        ("A / X", "mark every edge the filter shows"),
        ("u", "clear the verdict"),
        ("N", "verdict with a note"),
        ("o", "open the source around the import"),
        ("/", "filter by text"),
        ("f", "only unreviewed edges (toggle)"),
        ("c", "clear the filter"),
        ("enter (matrix)", "filter the table to that tier pair; a / x then judge the cell"),
    ]),
    ("Diff", [
        ("w", "whole plan / focused unit"),
        ("up / down", "choose a file"),
    ]),
]


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close")]

    def compose(self) -> ComposeResult:
        pieces: list[tuple[str, str] | str] = []
        for title, keys in SECTIONS:
            pieces.append((f"{title}\n", "bold $text-accent"))
            for key, what in keys:
                pieces.append((f"  {key:<16}", "bold"))
                pieces.append(f"{what}\n")
            pieces.append("\n")
        with Vertical(id="dialog", classes="help-dialog"):
            yield Label("Keys", id="title")
            with VerticalScroll():
                yield Static(Content.assemble(*pieces))
