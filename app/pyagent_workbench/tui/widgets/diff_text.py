"""One file's unified diff, drawn line by line (Textual's line API) and highlighted only
where it is in sight: added and removed lines on a green or red ground with their code
highlighted, hunk headers in the primary colour, file headers bold.

Highlighting a 3,000-line diff at once takes ~120 ms (Pygments); a block of lines takes
a few ms, and only the blocks on screen are highlighted, so a diff of any size shows at
once and scrolls without a pause. The hunks are parsed from the text: the `@@` line each
starts at and the line of its first change in the old and the new file, for `n`/`p` and
the editor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from rich.cells import cell_len
from textual.content import Content
from textual.geometry import Size
from textual.highlight import HighlightTheme, TokenType, guess_language, highlight
from textual.scroll_view import ScrollView
from textual.strip import Strip

from pyagent_workbench.display import printable

LineKind = Literal["file", "hunk", "added", "removed", "context", "note", "text"]

HUNK_HEADER = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
FILE_HEADERS = ("diff --git", "--- ", "+++ ", "rename ", "similarity ", "new file",
                "merged from", "Binary files")
BLOCK = 64
"""Lines highlighted together (the code in a block is lexed as one text, so a
docstring or a bracket spanning lines reads right)."""


class DiffCodeTheme(HighlightTheme):
    """Code colours that leave green and red to the added and removed lines: keywords in
    the accent, module paths (what a move rewrites) in the primary colour. Pygments'
    token types are tuples of names (`Token.Name.Namespace == ("Name", "Namespace")`)."""

    STYLES: dict[TokenType, str] = {
        ("Comment",): "$text-muted italic",
        ("Keyword",): "bold $text-accent",
        ("Keyword", "Constant"): "$text-accent",
        ("Operator", "Word"): "bold $text-accent",
        ("Name", "Namespace"): "$text-primary",
        ("Name", "Class"): "bold",
        ("Name", "Function"): "bold",
        ("Name", "Decorator"): "$text-primary",
        ("Name", "Builtin"): "italic",
        ("Literal", "String"): "$text-warning",
        ("Literal", "String", "Doc"): "$text-warning italic",
        ("Literal", "Number"): "$text-warning",
    }


@dataclass(frozen=True)
class Hunk:
    line: int
    """Where its `@@` line is in the diff text (0-based)."""
    old_line: int
    """Its first changed line, numbered in the file before the plan (1-based)."""
    new_line: int
    """Its first changed line, numbered in the file after the plan (1-based)."""


@dataclass(frozen=True)
class ParsedDiff:
    lines: list[str]
    kinds: list[LineKind]
    hunks: list[Hunk]


class _HunkReader:
    """Follows one hunk's line counts, so a removed line reading `--- x` or an added
    one reading `+++ y` is not taken for a file header."""

    def __init__(self, header: re.Match[str], at: int) -> None:
        old_start, old_count, new_start, new_count = header.groups()
        self.at = at
        self.old = int(old_start)
        self.new = int(new_start)
        self.old_left = 1 if old_count is None else int(old_count)
        self.new_left = 1 if new_count is None else int(new_count)
        if self.old_left == 0:  # an empty side starts after line 0: the change is line 1
            self.old += 1
        if self.new_left == 0:
            self.new += 1
        self.first_change: Hunk | None = None

    @property
    def open(self) -> bool:
        return self.old_left > 0 or self.new_left > 0

    def read(self, line: str) -> LineKind | None:
        """The line's kind, or None when it is not a line of this hunk."""
        marker = line[:1]
        if marker in ("+", "-") and self.first_change is None:
            self.first_change = Hunk(self.at, max(self.old, 1), max(self.new, 1))
        if marker == " " and self.old_left and self.new_left:
            self.old, self.new = self.old + 1, self.new + 1
            self.old_left, self.new_left = self.old_left - 1, self.new_left - 1
            return "context"
        if marker == "-" and self.old_left:
            self.old, self.old_left = self.old + 1, self.old_left - 1
            return "removed"
        if marker == "+" and self.new_left:
            self.new, self.new_left = self.new + 1, self.new_left - 1
            return "added"
        return None

    def hunk(self) -> Hunk:
        return self.first_change or Hunk(self.at, max(self.old, 1), max(self.new, 1))


def parse_diff(text: str) -> ParsedDiff:
    """Each line's kind and the hunks of a diff as `render_change` writes it (the
    summary after the last file's diff is plain text). The lines are kept as shown:
    a file's control characters escaped (an escape sequence in a comment would reach
    the terminal)."""
    # Lines end at "\n" only, as in the patch (`splitlines` also cuts at a form feed).
    lines = [printable(line.removesuffix("\r").expandtabs(8))
             for line in text.removesuffix("\n").split("\n")] if text else []
    kinds: list[LineKind] = []
    hunks: list[Hunk] = []
    reader: _HunkReader | None = None
    for index, line in enumerate(lines):
        kind = reader.read(line) if reader is not None and reader.open else None
        if kind is None:
            if reader is not None:
                hunks.append(reader.hunk())
                reader = None
            header = HUNK_HEADER.match(line)
            if header is not None:
                reader = _HunkReader(header, index)
                kind = "hunk"
            elif line.startswith("\\"):
                kind = "note"
            elif line.startswith(FILE_HEADERS):
                kind = "file"
            else:
                kind = "text"
        kinds.append(kind)
    if reader is not None:
        hunks.append(reader.hunk())
    return ParsedDiff(lines, kinds, hunks)


def language_for(path: str) -> str:
    """The language of a file by its name alone (guessing from the code takes longer
    than highlighting it); plain text when the name says nothing."""
    if PurePosixPath(path).suffix in (".py", ".pyi"):
        return "python"
    language = guess_language("", path)
    return "text" if language == "default" else language


def highlight_lines(code: list[str], language: str) -> list[Content]:
    """Lines of code highlighted as one text, split back into lines."""
    if not code:
        return []
    pieces = highlight("\n".join(code), language=language, theme=DiffCodeTheme).split(
        "\n", allow_blank=True)
    if len(pieces) < len(code):  # a trailing empty line is dropped by the highlighter
        pieces += [Content(line) for line in code[len(pieces):]]
    return pieces[:len(code)]


class DiffText(ScrollView, can_focus=True):
    """The diff of one file; `hunk` is the hunk `n`/`p` went to (its header is marked)."""

    COMPONENT_CLASSES = {
        "diff-text--file", "diff-text--hunk", "diff-text--hunk-current",
        "diff-text--added", "diff-text--removed", "diff-text--note",
    }
    DEFAULT_CSS = """
    DiffText { height: 1fr; width: 1fr; padding: 0 0 0 1; }
    DiffText > .diff-text--file { text-style: bold; }
    DiffText > .diff-text--hunk { color: $text-primary; }
    DiffText > .diff-text--hunk-current {
        color: $text; background: $primary-muted; text-style: bold;
    }
    DiffText > .diff-text--added { background: $success-muted; }
    DiffText > .diff-text--removed { background: $error-muted; }
    DiffText > .diff-text--note { color: $text-muted; text-style: italic; }
    """
    MARKS = {"added": ("+", "bold $text-success"), "removed": ("-", "bold $text-error")}
    LINE_CLASSES: dict[LineKind, str] = {
        "file": "diff-text--file", "hunk": "diff-text--hunk",
        "added": "diff-text--added", "removed": "diff-text--removed",
        "note": "diff-text--note",
    }

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.diff = parse_diff("")
        self.language = "text"
        self.hunk: int | None = None
        self._code: dict[int, Content] = {}
        """Highlighted lines of code, by index (filled a block at a time)."""
        self._blocks: set[int] = set()

    @property
    def hunks(self) -> list[Hunk]:
        return self.diff.hunks

    def show(self, text: str, path: str) -> None:
        """Show a new diff from its top (nothing is highlighted until drawn)."""
        self.diff = parse_diff(text)
        self.language = language_for(path)
        self.hunk = None
        self._code.clear()
        self._blocks.clear()
        width = max((cell_len(line) for line in self.diff.lines), default=0)
        self.virtual_size = Size(width, len(self.diff.lines))
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def go_to_hunk(self, index: int) -> None:
        """Mark the hunk and scroll its header to the top (as near as the end allows)."""
        self.hunk = index
        self.scroll_to(0, self.hunks[index].line, animate=False, immediate=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= len(self.diff.lines):
            return Strip.blank(width, self.rich_style)
        kind = self.diff.kinds[index]
        component = self.LINE_CLASSES.get(kind)
        if kind == "hunk" and self.hunk is not None and self.hunks[self.hunk].line == index:
            component = "diff-text--hunk-current"
        style = (self.get_visual_style(component) if component is not None
                 else self.visual_style)
        segments = self._content(index).render_segments(style)
        strip = Strip(segments).crop_extend(scroll_x, scroll_x + width, style.rich_style)
        return strip.apply_offsets(scroll_x, index)

    def _content(self, index: int) -> Content:
        kind = self.diff.kinds[index]
        line = self.diff.lines[index]
        if kind not in ("added", "removed", "context"):
            return Content(line)
        if index not in self._code:
            self._highlight_block(index // BLOCK)
        code = self._code.get(index, Content(line[1:]))
        mark, mark_style = self.MARKS.get(kind, (" ", ""))
        return Content.assemble((mark, mark_style), code)

    def _highlight_block(self, block: int) -> None:
        """Highlight a block's code: the lines after the change (context and added) as
        one text, the removed lines as another, so each side lexes as it reads."""
        if block in self._blocks:
            return
        self._blocks.add(block)
        indexes = range(block * BLOCK, min((block + 1) * BLOCK, len(self.diff.lines)))
        kinds = self.diff.kinds
        for side in (("context", "added"), ("removed",)):
            chosen = [i for i in indexes if kinds[i] in side]
            code = [self.diff.lines[i][1:] for i in chosen]
            self._code.update(zip(chosen, highlight_lines(code, self.language), strict=True))
