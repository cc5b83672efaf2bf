"""Text from the repository or the plan, put on screen as it is written.

Module and file names, source lines, review notes, the plan's file name, error messages:
Textual reads a string handed to a Label, a Static, a border title, a tree label, a
table cell or a notification as markup (`[/]` raises and stops the workbench,
`[link=...]` makes a live link, `[@click=app.quit]` runs an action when clicked), and
draws a control character as it is (an escape sequence recolours the terminal, moves
the cursor or retitles the window; a bidirectional override makes a line read
otherwise). What the workbench shows from outside itself is handed over as Textual
`Content` or Rich `Text`, which are never parsed, with every control character and
bidirectional override escaped (`\\x1b`, `\\u202e`), or, in an input box, one `·` cell
each.
"""

from __future__ import annotations

from rich.highlighter import Highlighter
from rich.text import Text
from textual.content import Content

from pyagent_workbench.display import one_cell, printable


def literal(text: str, style: str = "") -> Content:
    """`text` for a Textual widget (Label, Static, border title, option): never read as
    markup, control characters escaped; `style` applies to all of it."""
    shown = printable(text)
    return Content.styled(shown, style) if style else Content(shown)


def literal_text(text: str, style: str = "") -> Text:
    """`text` for a widget that takes Rich text (a Tree's labels, a DataTable's cells),
    as `literal` does."""
    return Text(printable(text), style=style)


class ControlsShown(Highlighter):
    """An input box's text with each control character or bidirectional override shown
    as one `·` cell: the box's value (typed, pasted, or the plan's file name it starts
    from) is left as it is, only its drawing changes, cell for character, so that the
    cursor stays where the box puts it."""

    def highlight(self, text: Text) -> None:
        if not text.plain.isprintable():
            text.plain = one_cell(text.plain)
