"""Cross-tier review: the table of every cross-tier import, and the tier-by-tier matrix.

A review judges an (importer, imported) module pair; the table lists every import
statement, so a pair with several statements shows several rows with one verdict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from pyagent_workbench.analysis import edgelist
from pyagent_workbench.analysis.edgelist import EdgeFilter

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


_MOST_REMOVED = 64
"""More rows gone than this and the table is rebuilt: DataTable's `remove_row` reindexes
every row, so a filter dropping 8,800 of 9,552 rows one by one took three minutes."""


def _identity(edge: CrossEdge) -> CrossEdge:
    """The edge without its review: a row whose identity stays only needs its cells."""
    return replace(edge, review=None)


class EdgeTable(DataTable[Text | str]):
    """Every cross-tier import statement the filter keeps, in the chosen order.

    A verdict or a selection updates cells in place and a filter that only drops rows
    removes them: rebuilding hundreds of rows (and measuring every cell) costs a
    noticeable pause per key."""

    BINDINGS = [
        Binding("space", "toggle_row", "Select", id="edge-select",
                tooltip="Select the edge (a / x then judge the selection)"),
    ]

    class Shown(Message):
        """The rows changed (count shown, selection) — the screen updates its status."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.rows_shown: list[CrossEdge] = []
        self.selected: set[tuple[str, str]] = set()
        self.filter = EdgeFilter()
        self.order = "file"
        self.grouped = False
        self.rebuilds = 0
        """How many times every row was added again (the tests watch it)."""
        self.widths: dict[str, int] = {}
        self.root = ""
        """The package every module shown is in, left out of the cells."""
        self.advance_pending = False
        """A verdict was given here: the next sync moves to the next unreviewed edge."""
        self._row_keys: list[str] = []
        self._next_key = 0
        self._group_sizes: Counter[tuple[str, str]] = Counter()

    def sync(self, session: Session, edge_filter: EdgeFilter | None = None) -> None:
        if edge_filter is not None:
            self.filter = edge_filter
        keep = edgelist.rows(session.edges(), self.filter, self.order,
                             session.view.units.unit_of, grouped=self.grouped)
        if not self._update_in_place(keep):
            self._rebuild(keep)
        if self.advance_pending:
            self.advance_pending = False
            row = edgelist.next_unreviewed(self.rows_shown, max(self.cursor_row, 0))
            if row is not None:
                self.move_cursor(row=row, animate=False)
        self.post_message(self.Shown())

    # -- in place ------------------------------------------------------------------------------

    def _update_in_place(self, keep: list[CrossEdge]) -> bool:
        """Drop the rows no longer kept and update the verdicts that changed, when the
        rows kept are the ones shown, in the same order; else False (rebuild)."""
        if not self.columns or (self.grouped and (
                edgelist.pair_counts(keep) != self._group_sizes)):
            return False
        wanted = [_identity(e) for e in keep]
        kept_rows: list[int] = []
        position = 0
        for row, edge in enumerate(self.rows_shown):
            if position < len(wanted) and _identity(edge) == wanted[position]:
                kept_rows.append(row)
                position += 1
        if position < len(wanted):
            return False
        gone = set(range(len(self.rows_shown))) - set(kept_rows)
        if len(gone) > _MOST_REMOVED:
            return False  # each removal reindexes the table: rebuilding the rest is cheaper
        for row in sorted(gone, reverse=True):
            self.remove_row(self._row_keys[row])
        old = [self.rows_shown[row] for row in kept_rows]
        self._row_keys = [self._row_keys[row] for row in kept_rows]
        self.rows_shown = keep
        for key, before, after in zip(self._row_keys, old, keep, strict=True):
            if before.review != after.review:
                self.update_cell(key, "verdict", self._verdict_cell(after))
        return True

    def action_toggle_row(self) -> None:
        edge = self.current()
        if edge is None:
            return
        self.selected ^= {edge.key}
        for key, shown in zip(self._row_keys, self.rows_shown, strict=True):
            if shown.key == edge.key:
                self.update_cell(key, "dir", self._dir_cell(shown))
        self.post_message(self.Shown())

    # -- rebuilding ----------------------------------------------------------------------------

    def _rebuild(self, keep: list[CrossEdge]) -> None:
        self.rebuilds += 1
        cursor = self.cursor_row
        self.widths = self._layout(keep)
        self.clear(columns=True)
        for key, label in COLUMNS.items():
            if key in self.widths:
                self.add_column(label, width=self.widths[key], key=key)
        self.rows_shown = keep
        self._group_sizes = edgelist.pair_counts(keep) if self.grouped else Counter()
        self._row_keys = []
        previous: tuple[str, str] | None = None
        for edge in keep:
            pair = (edge.importer_tier, edge.imported_tier)
            key = str(self._next_key)
            self._next_key += 1
            self._row_keys.append(key)
            self.add_row(*self._cells(edge, first_of_group=pair != previous), key=key)
            previous = pair
        if keep:
            self.move_cursor(row=min(max(cursor, 0), len(keep) - 1), animate=False)

    def _layout(self, keep: list[CrossEdge]) -> dict[str, int]:
        """Widths for the table's width (the screen's before the first layout)."""
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
        return edgelist.column_widths(
            width, {key: max(want, len(COLUMNS[key])) for key, want in wants.items()})

    def on_resize(self) -> None:
        """A new width may show other columns: rebuild only when the layout changes."""
        if self.size.width and self.columns and self._layout(self.rows_shown) != self.widths:
            self._rebuild(self.rows_shown)

    def _cells(self, edge: CrossEdge, *, first_of_group: bool) -> list[Text | str]:
        widths = self.widths
        root = len(self.root)
        cells: list[Text | str] = [
            self._dir_cell(edge),
            self._tiers_cell(edge, first_of_group),
            self._verdict_cell(edge),
        ]
        if "importer" in widths:
            cells.append(edgelist.fit_tail(edge.importer[root:], widths["importer"]))
        if "imported" in widths:
            cells.append(edgelist.fit_tail(edge.imported[root:], widths["imported"]))
        if "line" in widths:
            cells.append(Text(str(edge.line), justify="right"))
        if "import" in widths:
            cells.append(edge.text.strip())
        return cells

    def _tiers_cell(self, edge: CrossEdge, first_of_group: bool) -> Text | str:
        pair = (edge.importer_tier, edge.imported_tier)
        if not self.grouped:
            return edgelist.fit_pair(*pair, self.widths["tiers"])
        if not first_of_group:
            return Text("  ┆", style="dim")
        count = f" ({self._group_sizes[pair]})"
        return Text(edgelist.fit_pair(*pair, self.widths["tiers"] - len(count)) + count,
                    style="bold")

    def _dir_cell(self, edge: CrossEdge) -> Text:
        """The selection mark, the direction, and ↻ inside a tier cycle: three cells."""
        return Text.assemble(
            ("■" if edge.key in self.selected else " ", "bold"),
            (DIRECTION_MARK[edge.direction], "bold red" if edge.direction == "up" else ""),
            ("↻" if edge.in_cycle else " ", "yellow"))

    @staticmethod
    def _verdict_cell(edge: CrossEdge) -> Text:
        return Text(edge.verdict or "unreviewed", style=VERDICT_STYLE[edge.verdict])

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
        cycles = {t for cycle in session.view.tier_cycles() for t in cycle.tiers}
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
            self.add_column(tier, key=tier)
        for row_tier in tiers:
            row: list[Text | str] = [Text(row_tier, style="bold")]
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
