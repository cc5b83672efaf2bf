"""The diff preview: the files a move (or the whole plan) touches, and each file's
unified diff as the apply engine computes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pyagent_workbench.rewrite.diff import render_change, render_summary

if TYPE_CHECKING:
    from pyagent_workbench.rewrite.engine import ChangeSet

KIND_MARK = {"move": "R", "rewrite": "M", "create": "A", "facade": "F"}


def highlight(diff: str) -> Content:
    """Colour a unified diff with the theme's own colours (readable light and dark)."""
    pieces: list[tuple[str, str] | str] = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---", "diff --git", "rename ", "similarity", "new file",
                            "merged from")):
            pieces.append((line, "bold"))
        elif line.startswith("@@"):
            pieces.append((line, "$text-accent"))
        elif line.startswith("+"):
            pieces.append((line, "$text-success"))
        elif line.startswith("-"):
            pieces.append((line, "$text-error"))
        else:
            pieces.append(line)
    return Content.assemble(*pieces)


class DiffView(Horizontal):
    DEFAULT_CSS = """
    DiffView { height: 1fr; }
    DiffView > OptionList { width: 38%; min-width: 24; height: 1fr; }
    DiffView > VerticalScroll { width: 1fr; height: 1fr; padding: 0 1; }
    DiffView #diff-text { width: auto; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.changeset: ChangeSet | None = None

    def compose(self) -> ComposeResult:
        yield OptionList(id="diff-files")
        with VerticalScroll(id="diff-scroll"):
            yield Static(id="diff-text")

    def show_message(self, text: str) -> None:
        self.changeset = None
        self.query_one(OptionList).clear_options()
        self.query_one("#diff-text", Static).update(Content(text))

    def show(self, changeset: ChangeSet) -> None:
        self.changeset = changeset
        files = self.query_one(OptionList)
        files.clear_options()
        if not changeset.changes:
            self.query_one("#diff-text", Static).update(Content("Nothing to change."))
            return
        options = []
        for index, change in enumerate(changeset.changes):
            mark = KIND_MARK[change.kind]
            label = change.new_path
            options.append(Option(f"{mark} {label}", id=str(index)))
        files.add_options(options)
        files.highlighted = 0
        self._show_file(0)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "diff-files" and event.option.id is not None:
            self._show_file(int(event.option.id))

    def _show_file(self, index: int) -> None:
        if self.changeset is None or not self.changeset.changes:
            return
        change = self.changeset.changes[index]
        text = render_change(change)
        if index == len(self.changeset.changes) - 1 or len(self.changeset.changes) == 1:
            text += render_summary(self.changeset)
        self.query_one("#diff-text", Static).update(highlight(text))
        self.query_one(VerticalScroll).scroll_home(animate=False)
