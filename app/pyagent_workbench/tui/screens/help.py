"""Two screens to read: every key of the screen below, grouped by where it works and
generated from the bindings (see `pyagent_workbench.tui.keys`); and the legend of what
the workbench's marks, figures and colours mean."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from pyagent_workbench.tui.keys import Section

Glossary = list[tuple[str, list[tuple[str, str]]]]
"""Sections of (term, what it means), each under its title."""

LEGEND: Glossary = [
    ("Board", [
        ("name  3m ⇄2", "a unit (a module or package of the container): its modules, and "
                        "the cross-tier edges touching it"),
        ("old→new", "the unit's target name differs from its name today"),
        ("stays", "the units the plan leaves where they are"),
        ("L3", "a tier's layer: a higher layer may import a lower one"),
    ]),
    ("Figures (top bar)", [
        ("cross-tier x-tier", "import edges (module pairs) between two tiers"),
        ("upward up", "edges from a lower layer to a higher one: against the layering"),
        ("cycles cyc", "groups of tiers importing each other"),
        ("Q", "modularity of the tiers over the import graph (higher: tiers more "
              "cohesive)"),
        ("MQ", "TurboMQ: the sum over tiers of how much of their imports stay inside"),
        ("files", "files the plan moves or rewrites"),
        ("reviewed rev", "cross-tier edges with a verdict, of all"),
    ]),
    ("Review", [
        ("↓ ↑ →", "an edge's direction: down the layers, up them, or between tiers of "
                  "one layer"),
        ("↻", "the edge lies inside a tier cycle"),
        ("accepted", "kept as it is (check passes on it)"),
        ("must-fix", "to be removed before the migration ends (check fails on it)"),
        ("matrix", "edges from the row's tier to the column's; upward cells and cells "
                   "inside a tier cycle are marked in colour"),
    ]),
    ("Diff", [
        ("R", "a file moved (renamed, its history kept)"),
        ("M", "a file rewritten in place"),
        ("A", "a file created (a package's __init__.py)"),
        ("F", "a facade left at an old path"),
    ]),
]


class GlossaryScreen(ModalScreen[None]):
    """Terms and what they mean in two columns: a line that wraps keeps its indent."""

    CSS_PATH = "../dialogs.tcss"
    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close", id="glossary-close")]

    def __init__(self, title: str, sections: Glossary) -> None:
        super().__init__()
        self.title_text = title
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help-dialog"):
            yield Label(self.title_text, id="title")
            with VerticalScroll(id="keys"):
                for title, lines in self.sections:
                    yield Label(title, classes="keys-section")
                    for term, what in lines:
                        with Horizontal(classes="key-line"):
                            yield Label(term, classes="keys", markup=False)
                            yield Static(what, classes="what", markup=False)


class HelpScreen(GlossaryScreen):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close", id="help-close")]

    def __init__(self, sections: Iterable[Section]) -> None:
        super().__init__("Keys", [(s.title, list(s.lines())) for s in sections])


class LegendScreen(GlossaryScreen):
    BINDINGS = [Binding("escape,q,ctrl+l", "dismiss(None)", "Close", id="legend-close")]

    def __init__(self) -> None:
        super().__init__("Legend", LEGEND)
