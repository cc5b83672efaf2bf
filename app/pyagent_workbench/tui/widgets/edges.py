"""Cross-tier review: the table of every cross-tier import, and the tier-by-tier matrix.

A review judges an (importer, imported) module pair; the table lists every import
statement, so a pair with several statements shows several rows with one verdict.
Names and import lines are shown as written: a control character is one `·` cell in
the table (`display.one_cell`), the matrix's labels are Rich text, never markup.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import DataTable

from pyagent_workbench.analysis import edgelist
from pyagent_workbench.analysis.edgelist import EdgeFilter
from pyagent_workbench.display import one_cell
from pyagent_workbench.tui.literal import literal_text

if TYPE_CHECKING:
    from pyagent_workbench.analysis.planview import CrossEdge
    from pyagent_workbench.session import Session

VERDICT_STYLE = {"accepted": "green", "must-fix": "bold red", None: "yellow"}
DIRECTION_MARK = {"down": "↓", "up": "↑", "sideways": "→"}

__all__ = ["EdgeFilter", "EdgeTable", "TierMatrix"]


COLUMNS = {"dir": "dir", "tiers": "tiers", "verdict": "verdict",
           "importer": "importer", "imported": "imported", "line": "line", "import": "import"}
"""Column key -> label, in the order shown (`edgelist.column_widths` drops the last
ones first when the table is narrow)."""

CELL_PADDING = 1
"""Blank cells on each side of a column's content (as a DataTable's)."""

Piece = tuple[str, str]
"""Text and its style (Rich style syntax; "" for the row's own)."""


def _identity(edge: CrossEdge) -> tuple[str, str, str, int]:
    """What stays the same for an import statement's row whatever its verdict."""
    return (edge.importer, edge.imported, edge.path, edge.line)


class EdgeTable(ScrollView, can_focus=True):
    """Every cross-tier import statement the filter keeps, in the chosen order.

    Virtual: only the rows in sight are drawn, each when it is drawn, so a verdict, a
    filter, an order or a grouping costs the same on 50 rows as on 10,000 (a DataTable
    adds, measures and indexes every row: hundreds of milliseconds a key on Django)."""

    COMPONENT_CLASSES = {"edge-table--header", "edge-table--even-row", "edge-table--cursor"}

    BINDINGS = [
        Binding("space", "toggle_row", "Select", id="edge-select",
                tooltip="Select the edge (a / x then judge the selection)"),
        Binding("up", "cursor(-1)", "Up", show=False, id="edge-up",
                tooltip="The edge above"),
        Binding("down", "cursor(1)", "Down", show=False, id="edge-down",
                tooltip="The edge below"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="edge-page-up",
                tooltip="A page of edges up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="edge-page-down",
                tooltip="A page of edges down"),
        Binding("home", "cursor(-1000000000)", "First", show=False, id="edge-first",
                tooltip="The first edge shown"),
        Binding("end", "cursor(1000000000)", "Last", show=False, id="edge-last",
                tooltip="The last edge shown"),
    ]

    DEFAULT_CSS = """
    EdgeTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        scrollbar-size-horizontal: 0;
    }
    EdgeTable:focus { background-tint: $foreground 5%; }
    EdgeTable > .edge-table--header { text-style: bold; background: $panel; color: $foreground; }
    EdgeTable > .edge-table--even-row { background: $surface-lighten-1 50%; }
    EdgeTable:dark > .edge-table--even-row { background: $surface-darken-1 40%; }
    EdgeTable > .edge-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    EdgeTable:focus > .edge-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    cursor_row: reactive[int] = reactive(0, init=False, repaint=False)

    class Shown(Message):
        """The rows changed (count shown, selection) — the screen updates its status."""

    class RowHighlighted(Message):
        """The cursor is on another row (or the rows under it changed)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows_shown: list[CrossEdge] = []
        self.selected: set[tuple[str, str]] = set()
        self.filter = EdgeFilter()
        self.order = "file"
        self.grouped = False
        self.widths: dict[str, int] = {}
        self.root = ""
        """The package every module shown is in, left out of the cells."""
        self.advance_pending = False
        """A verdict was given here: the next sync moves to the next unreviewed edge."""
        self._group_sizes: Counter[tuple[str, str]] = Counter()
        self._laid_out_for = 0
        """The table's width when the column widths were last set (0: not in sight)."""
        self._layouts: dict[tuple[EdgeFilter, bool, int], tuple[dict[str, int], str]] = {}
        """Widths and root by filter, grouping and width, for the edges `_layouts_of`."""
        self._layouts_of: list[CrossEdge] | None = None
        self._drawn_size = Size(0, 0)
        """The size at the last resize (a tab shown again resizes to the same)."""
        self._styles: dict[str, Style] = {}
        """Rich styles by component (and "" for the table's own), until the CSS changes."""

    @property
    def row_count(self) -> int:
        return len(self.rows_shown)

    # -- the rows --------------------------------------------------------------------------

    def sync(self, session: Session, edge_filter: EdgeFilter | None = None, *,
             verdicts_only: bool = False) -> None:
        """Show the session's edges through the filter, order and grouping; the cursor
        stays on its edge when the edge is still shown, else on its row. After verdicts
        only, the columns keep their widths (no row came in; some may have gone)."""
        if edge_filter is not None:
            self.filter = edge_filter
        edges = session.edges()
        keep = edgelist.rows(edges, self.filter, self.order,
                             session.view.units.unit_of, grouped=self.grouped)
        current = self.current()
        row = self.cursor_row
        if current is not None:
            wanted = _identity(current)
            row = next((i for i, e in enumerate(keep) if _identity(e) == wanted), row)
        self.rows_shown = keep
        self._group_sizes = edgelist.pair_counts(keep) if self.grouped else Counter()
        if not (verdicts_only and self.widths):
            self._lay_out_rows(edges, keep)
        self._resize_virtual()
        if self.advance_pending:
            self.advance_pending = False
            if keep:
                found = edgelist.next_unreviewed(keep, min(max(row, 0), len(keep) - 1))
                row = row if found is None else found
        self._move_to(row)
        self.refresh()
        self.post_message(self.Shown())
        self.post_message(self.RowHighlighted())

    def _lay_out_rows(self, edges: list[CrossEdge], keep: list[CrossEdge]) -> None:
        """The columns' widths and the names' common root for the rows kept. They depend
        on which rows are kept, not on their order: a sort (and a filter or grouping
        shown before, over the same edges) reuses them (measuring 10,000 rows: 30 ms)."""
        if edges is not self._layouts_of:
            self._layouts_of = edges
            self._layouts.clear()
        key = (self.filter, self.grouped, self.size.width)
        if key not in self._layouts:
            widths = self._layout(keep)
            self._layouts[key] = (widths, self.root)
        self.widths, self.root = self._layouts[key]
        self._laid_out_for = self.size.width

    def _layout(self, keep: list[CrossEdge]) -> dict[str, int]:
        """Widths for the table's width (the screen's before the first layout)."""
        self._laid_out_for = self.size.width
        width = (self.size.width or self.app.size.width) - self.styles.scrollbar_size_vertical
        self.root = edgelist.common_root(
            name for e in keep for name in (e.importer, e.imported))
        root = len(self.root)
        wants = {
            "tiers": max((len(e.importer_tier) + len(e.imported_tier) + 1 for e in keep),
                         default=0) + (6 if self.grouped else 0),
            "importer": max((len(e.importer) - root for e in keep), default=0),
            "imported": max((len(e.imported) - root for e in keep), default=0),
            "line": max((len(str(e.line)) for e in keep), default=0),
            "import": max((len(e.text.strip()) for e in keep), default=0),
        }
        widths = edgelist.column_widths(
            width, {key: max(want, len(COLUMNS[key])) for key, want in wants.items()},
            padding=2 * CELL_PADDING)
        return {key: widths[key] for key in COLUMNS if key in widths}  # in COLUMNS' order

    def _resize_virtual(self) -> None:
        """One line of header, then a line a row; no width (the table never scrolls
        sideways), so that a resize does not change it and ask for another layout."""
        self.virtual_size = Size(0, len(self.rows_shown) + 1)

    def on_resize(self) -> None:
        """A new width may show other columns (a new height only needs the cursor kept
        in sight: measuring 10,000 rows costs 20 ms). Shown again at the size it had
        (its tab was hidden), the table has been drawn already: painting it again
        would cost a second frame of the pane at each tab switch."""
        if self.size == self._drawn_size:
            return
        self._drawn_size = self.size
        if self.size.width and self.size.width != self._laid_out_for:
            self.widths = self._layout(self.rows_shown)
        self._scroll_to_cursor()
        self.refresh()

    # -- the cursor ------------------------------------------------------------------------

    def _move_to(self, row: int) -> None:
        last = len(self.rows_shown) - 1
        self.cursor_row = max(0, min(row, last)) if last >= 0 else 0
        self._scroll_to_cursor()

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        """(As a DataTable's, which the panes and tests call.)"""
        self._move_to(row)

    def watch_cursor_row(self, old: int, new: int) -> None:
        top = self.scroll_offset.y - 1
        self.refresh_line(old - top)
        self.refresh_line(new - top)
        self._scroll_to_cursor()
        self.post_message(self.RowHighlighted())

    def _scroll_to_cursor(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self._move_to(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self._move_to(self.cursor_row + step * max(self.size.height - 2, 1))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = self.scroll_offset.y + offset.y - 1
        if row < len(self.rows_shown):
            self.focus()
            self._move_to(row)

    def action_toggle_row(self) -> None:
        edge = self.current()
        if edge is None:
            return
        self.selected ^= {edge.key}
        self.refresh()  # every row of that edge shows the mark
        self.post_message(self.Shown())

    # -- drawing ---------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def _style(self, component: str) -> Style:
        style = self._styles.get(component)
        if style is None:
            style = (self.rich_style if not component
                     else self.get_component_rich_style(component))
            self._styles[component] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            base = self._style("edge-table--header")
            pieces: list[list[Piece]] = [[(COLUMNS[key], "")] for key in self.widths]
            return self._strip(pieces, base, width)
        row = self.scroll_offset.y + y - 1
        if row >= len(self.rows_shown):
            return Strip.blank(width, self._style(""))
        base = self._style("")
        if row % 2:
            base += self._style("edge-table--even-row")
        if row == self.cursor_row:
            base += self._style("edge-table--cursor")
        return self._strip(self.cells(row, top=y == 1), base, width)

    def _strip(self, cells: list[list[Piece]], base: Style, width: int) -> Strip:
        pad = " " * CELL_PADDING
        segments: list[Segment] = []
        for key, pieces in zip(self.widths, cells, strict=True):
            room = self.widths[key]
            segments.append(Segment(pad, base))
            used = 0
            right = key == "line"
            if right:
                length = sum(cell_len(text) for text, _ in pieces)
                if length < room:
                    segments.append(Segment(" " * (room - length), base))
                    used = room - length
            for text, style in pieces:
                if used >= room:
                    break
                if cell_len(text) > room - used:
                    text = set_cell_size(text, room - used)
                segments.append(Segment(text, base + Style.parse(style) if style else base))
                used += cell_len(text)
            segments.append(Segment(" " * (room - used) + pad, base))
        strip = Strip(segments).simplify()
        return strip.crop_extend(0, width, base)

    def cells(self, row: int, *, top: bool = False) -> list[list[Piece]]:
        """The row's cells, each as styled pieces, in the order of `widths` (`top`: the
        first row in sight, which names its group even when the group began above)."""
        edge = self.rows_shown[row]
        root = len(self.root)
        widths = self.widths
        cells: list[list[Piece]] = [
            [("■" if edge.key in self.selected else " ", "bold"),
             (DIRECTION_MARK[edge.direction], "bold red" if edge.direction == "up" else ""),
             ("↻" if edge.in_cycle else " ", "yellow")],
            self._tiers_cell(edge, row, top),
            [(edge.verdict or "unreviewed", VERDICT_STYLE[edge.verdict])],
        ]
        if "importer" in widths:
            cells.append([(one_cell(edgelist.fit_tail(edge.importer[root:],
                                                      widths["importer"])), "")])
        if "imported" in widths:
            cells.append([(one_cell(edgelist.fit_tail(edge.imported[root:],
                                                      widths["imported"])), "")])
        if "line" in widths:
            cells.append([(str(edge.line), "")])
        if "import" in widths:
            cells.append([(one_cell(edge.text.strip()), "")])
        return cells

    def cell_text(self, row: int, column: str) -> str:
        """What a cell shows (tests read the table this way)."""
        keys = list(self.widths)
        return "".join(text for text, _ in self.cells(row)[keys.index(column)])

    def _tiers_cell(self, edge: CrossEdge, row: int, top: bool) -> list[Piece]:
        pair = (edge.importer_tier, edge.imported_tier)
        if not self.grouped:
            return [(one_cell(edgelist.fit_pair(*pair, self.widths["tiers"])), "")]
        previous = self.rows_shown[row - 1] if row else None
        continued = previous is not None and (
            previous.importer_tier, previous.imported_tier) == pair
        if continued and not top:
            return [("  ┆", "dim")]
        count = f" ({self._group_sizes[pair]})"
        return [(one_cell(edgelist.fit_pair(*pair, self.widths["tiers"] - len(count))) + count,
                 "dim" if continued else "bold")]

    # -- reading -------------------------------------------------------------------------------

    def current(self) -> CrossEdge | None:
        if not self.rows_shown or self.cursor_row < 0:
            return None
        return self.rows_shown[min(self.cursor_row, len(self.rows_shown) - 1)]

    def targets(self, *, everything: bool = False) -> list[tuple[str, str]]:
        """What a verdict applies to: all rows shown, the selection, or the current row."""
        if everything:
            return sorted({e.key for e in self.rows_shown})
        if self.selected:
            return sorted(self.selected)
        edge = self.current()
        return [edge.key] if edge else []


class TierMatrix(DataTable[Text | str]):
    """Edge counts from each tier (row) to each tier (column); upward cells red, cells
    inside a tier cycle yellow. Selecting a cell filters the table."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Filter to the cell", show=False, id="matrix-cell",
                tooltip="Filter the table to that tier pair; a / x then judge the cell"),
    ]

    class CellChosen(Message):
        def __init__(self, tiers: tuple[str, str] | None) -> None:
            super().__init__()
            self.tiers = tiers

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="cell", **kwargs)  # type: ignore[arg-type]
        self.tiers: list[str] = []
        self._shown: tuple[object, ...] = ()

    def sync(self, session: Session) -> None:
        """Rebuild when the counts, tiers or cycles changed (a verdict changes none)."""
        cells = session.matrix()
        tiers = session.tiers_for()
        cycles = session.view.cycle_tiers()
        directions = {pair: session.view.tiermap.direction(*pair) for pair in cells}
        shown = (cells, tiers, cycles, directions)
        if shown == self._shown:
            return
        self._shown = shown
        self.tiers = tiers
        cursor = self.cursor_coordinate
        self.clear(columns=True)
        self.add_column("from \\ to", key="from")
        for tier in tiers:
            self.add_column(literal_text(tier), key=tier)
        for row_tier in tiers:
            row: list[Text | str] = [literal_text(row_tier, "bold")]
            for col_tier in tiers:
                count = cells.get((row_tier, col_tier), 0)
                if row_tier == col_tier:
                    row.append(Text("·", style="dim"))
                    continue
                style = ""
                if count and directions.get((row_tier, col_tier)) == "up":
                    style = "bold red"
                elif count and row_tier in cycles and col_tier in cycles:
                    style = "yellow"
                row.append(Text(str(count) if count else "", style=style))
            self.add_row(*row, key=row_tier)
        if tiers:
            self.move_cursor(row=min(cursor.row, len(tiers) - 1),
                             column=min(max(cursor.column, 1), len(tiers)), animate=False)

    def chosen_cell(self) -> tuple[str, str] | None:
        row, column = self.cursor_coordinate
        if column == 0 or row >= len(self.tiers) or column - 1 >= len(self.tiers):
            return None
        pair = (self.tiers[row], self.tiers[column - 1])
        return None if pair[0] == pair[1] else pair

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.post_message(self.CellChosen(self.chosen_cell()))
