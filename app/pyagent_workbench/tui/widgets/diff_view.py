"""The diff preview: the files a move (or the whole plan) touches, narrowed by a filter
on their paths, and each file's unified diff as the apply engine computes it, with its
hunks to step through (across the files the filter shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pyagent_workbench.display import printable
from pyagent_workbench.rewrite.diff import render_change, render_summary
from pyagent_workbench.tui.literal import ControlsShown, literal
from pyagent_workbench.tui.widgets.diff_text import DiffText, Hunk

if TYPE_CHECKING:
    from pyagent_workbench.rewrite.engine import ChangeSet, FileChange

KIND_MARK = {"move": "R", "rewrite": "M", "create": "A", "facade": "F"}


def matches(change: FileChange, needle: str) -> bool:
    """The file's path before or after the plan contains the text (any case)."""
    paths = (change.new_path, change.old_path or "", *change.merged_from)
    return any(needle in path.lower() for path in paths)


def file_label(change: FileChange) -> Content:
    """The file's name before its folder: a long folder is what gets cut. A package
    carries any file, named anyhow: the names are shown as written."""
    folder, _, name = change.new_path.rpartition("/")
    return Content.assemble(f"{KIND_MARK[change.kind]} {printable(name)}",
                            (f"  {printable(folder)}/" if folder else "", "$text-muted"))


def may_have_hunks(change: FileChange) -> bool:
    """Whether the file's diff can hold a hunk, known without rendering it (a rename
    that changes nothing has none)."""
    return change.new_bytes != (change.old_bytes or b"")


class FileList(OptionList):
    """The files of the diff. `OptionList` measures every option again at each resize,
    and a tab shown again is resized: 140 ms for the 9,851 files of a large plan at each
    switch to the Diff tab. At the width it measured them for, the measures stand."""

    _measured_width: int | None = None

    def _on_resize(self, event: events.Resize) -> None:  # type: ignore[override]
        width = event.size.width
        if width == self._measured_width or not width:  # shown again, or hidden
            event.prevent_default()  # OptionList's own handler drops the measures
            return
        self._measured_width = width


class FileFilter(Input):
    """The `/` box over the file list: typing narrows it, enter keeps the filter and goes
    back to the list, esc clears it."""

    DEFAULT_CSS = """
    FileFilter.-textual-compact { padding: 0 2; }
    FileFilter.-hidden { display: none; }
    """
    BINDINGS = [Binding("escape", "clear", "Clear the filter", id="diff-filter-clear",
                        show=False,
                        tooltip="In the filter box: clear the filter, every file shows again")]

    class Cleared(Message):
        """The filter was cleared and closed."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(placeholder="filter files by path (enter: keep, esc: clear)",
                         compact=True, highlighter=ControlsShown(),
                         **kwargs)  # type: ignore[arg-type]

    def action_clear(self) -> None:
        self.value = ""
        self.add_class("-hidden")
        self.post_message(self.Cleared())


class DiffView(Horizontal):
    DEFAULT_CSS = """
    DiffView { height: 1fr; }
    DiffView > #diff-side { width: 38%; min-width: 24; height: 1fr; }
    DiffView #diff-files { height: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    DiffView > VerticalScroll { width: 1fr; height: 1fr; padding: 0 1; }
    DiffView #diff-text { width: 1fr; }  /* a message wraps: an error names long paths */
    DiffView .-hidden { display: none; }
    """

    class Moved(Message):
        """The file, the hunk or the files shown changed (for the status line)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.changeset: ChangeSet | None = None
        self.shown: list[int] = []
        """The changes the filter lets through (indexes into the change set)."""
        self.current: int | None = None
        """The change whose diff is shown."""
        self.filter_text = ""
        self.last_path: str | None = None
        """The path of the file shown last (kept while a new preview is computed)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="diff-side"):
            yield FileFilter(id="diff-filter", classes="-hidden")
            yield FileList(id="diff-files")
        with VerticalScroll(id="diff-scroll"):
            yield Static(id="diff-text")
        yield DiffText(id="diff-lines", classes="-hidden")

    # -- what is shown -------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.changeset = None
        self.shown = []
        self.current = None
        self.query_one(OptionList).clear_options()
        self._note(text)

    def show(self, changeset: ChangeSet) -> None:
        """Show a new change set, at the file shown last if it is in it (a preview
        computed again after an edit stays where it was)."""
        self.changeset = changeset
        paths = [change.new_path for change in changeset.changes]
        self.current = paths.index(self.last_path) if self.last_path in paths else None
        self.query_one(DiffText).add_class("-hidden")  # the old text is no longer this file's
        if not changeset.changes:
            self.shown = []
            self.query_one(OptionList).clear_options()
            self._note("Nothing to change.")
            return
        self._list_files()

    def _note(self, text: str) -> None:
        """A message in place of the diff (an error may quote the repository)."""
        self.query_one("#diff-text", Static).update(literal(text))
        self.query_one("#diff-scroll").remove_class("-hidden")
        self.query_one(DiffText).add_class("-hidden")
        self.post_message(self.Moved())

    def _list_files(self) -> None:
        """List the files the filter lets through; keep the one shown if it still is."""
        assert self.changeset is not None
        changes = self.changeset.changes
        needle = self.filter_text.strip().lower()
        self.shown = [i for i, change in enumerate(changes) if matches(change, needle)]
        files = self.query_one(OptionList)
        files.clear_options()
        files.add_options([Option(file_label(changes[i]), id=str(i)) for i in self.shown])
        if not self.shown:
            self.current = None
            self._note(f"No file's path contains '{self.filter_text.strip()}' "
                       f"(esc: clear the filter).")
            return
        index = self.current if self.current in self.shown else self.shown[0]
        self._show_file(index)

    def _show_file(self, index: int, hunk: int | None = None) -> None:
        """Show a change's diff (its first or last hunk marked when `hunk` is 0 or -1)."""
        assert self.changeset is not None
        changes = self.changeset.changes
        diff_text = self.query_one(DiffText)
        changed = index != self.current or diff_text.has_class("-hidden")
        self.current = index  # before the list's highlight event: it finds nothing to do
        self.last_path = changes[index].new_path
        files = self.query_one(OptionList)
        position = self.shown.index(index)
        if files.highlighted != position:
            files.highlighted = position
        if changed:
            text = render_change(changes[index])
            if index == len(changes) - 1:
                text += render_summary(self.changeset)
            diff_text.show(text, changes[index].new_path)
            self.query_one("#diff-scroll").add_class("-hidden")
            diff_text.remove_class("-hidden")
        if hunk is not None and diff_text.hunks:
            diff_text.go_to_hunk(hunk % len(diff_text.hunks))
        self.post_message(self.Moved())

    @on(OptionList.OptionHighlighted, "#diff-files")
    def file_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and int(event.option.id) != self.current:
            self._show_file(int(event.option.id))

    # -- the filter ----------------------------------------------------------------------------

    def start_filter(self) -> None:
        box = self.query_one(FileFilter)
        box.remove_class("-hidden")
        self.screen.set_focus(box)  # now: the keys typed next must land in the box

    def clear_filter(self) -> None:
        box = self.query_one(FileFilter)
        box.value = ""
        box.add_class("-hidden")
        self.set_filter("")

    def set_filter(self, text: str) -> None:
        if text == self.filter_text:
            return
        self.filter_text = text
        if self.changeset is not None and self.changeset.changes:
            self._list_files()
        else:
            self.post_message(self.Moved())

    @on(Input.Changed, "#diff-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.set_filter(event.value)

    @on(Input.Submitted, "#diff-filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.clear_filter()
        self.screen.set_focus(self.query_one(OptionList))

    @on(FileFilter.Cleared)
    def filter_cleared(self) -> None:
        self.set_filter("")
        self.screen.set_focus(self.query_one(OptionList))

    # -- hunks ---------------------------------------------------------------------------------

    def current_change(self) -> FileChange | None:
        if self.changeset is None or self.current is None:
            return None
        return self.changeset.changes[self.current]

    def current_hunk(self) -> Hunk | None:
        """The hunk `n`/`p` went to, else the file's first (None for a file without)."""
        diff_text = self.query_one(DiffText)
        if self.current_change() is None or not diff_text.hunks:
            return None
        return diff_text.hunks[diff_text.hunk or 0]

    def step_hunk(self, step: int) -> bool:
        """Go to the next (1) or previous (-1) hunk: past the file's last (or first) one,
        to the next file shown that has one. False when there is none that way."""
        diff_text = self.query_one(DiffText)
        if self.current is None:
            return False
        # No hunk marked yet (the file's top): its first hunk is the next, none before.
        target = (min(step, 0) if diff_text.hunk is None else diff_text.hunk + step)
        if 0 <= target < len(diff_text.hunks):
            diff_text.go_to_hunk(target)
            self.post_message(self.Moved())
            return True
        return self._hunk_in_another_file(step)

    def _hunk_in_another_file(self, step: int) -> bool:
        assert self.changeset is not None and self.current is not None
        changes = self.changeset.changes
        start, start_hunk = self.current, self.query_one(DiffText).hunk
        position = self.shown.index(start)
        following = (self.shown[position + 1:] if step > 0
                     else list(reversed(self.shown[:position])))
        for index in following:
            if may_have_hunks(changes[index]):
                self._show_file(index, hunk=0 if step > 0 else -1)
                if self.query_one(DiffText).hunks:
                    return True
        if self.current != start:  # only files without a hunk that way (binary ones)
            self._show_file(start, hunk=start_hunk)
        return False
