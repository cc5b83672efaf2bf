"""The list of actions done (and undone): what undo and redo walk through. Actions name
units, tiers and notes, and the files left out of the analysis quote their line: all
shown as written (see `tui.literal`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from pyagent_workbench.display import printable

if TYPE_CHECKING:
    from pyagent_workbench.session import Session


class ActionLog(Static):
    DEFAULT_CSS = """
    ActionLog { padding: 0 1; height: auto; }
    """

    def show(self, session: Session) -> None:
        lines: list[tuple[str, str] | str] = [
            (f"{printable(session.origin or 'plan opened')}\n", "$text-muted")]
        for number, action in enumerate(session.done, start=1):
            lines.append(f"{number:>3}. {printable(action.description)}\n")
        for action in reversed(session.undone):
            lines.append((f"  ↶  {printable(action.description)} (undone: ctrl+y redoes it)\n",
                          "$text-muted"))
        if session.syntax_errors:
            lines.append(("\nFiles left out of the analysis:\n", "bold $text-warning"))
            for problem in session.syntax_errors:
                lines.append(f"  {printable(str(problem))}\n")
        self.update(Content.assemble(*lines))
