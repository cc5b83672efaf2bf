"""Cross-tier review: the table of every cross-tier import, and the tier-by-tier matrix.

A review judges an (importer, imported) module pair; the table lists every import
statement, so a pair with several statements shows several rows with one verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

if TYPE_CHECKING:
    from pyagent_workbench.analysis.planview import CrossEdge
    from pyagent_workbench.session import Session

VERDICT_STYLE = {"accepted": "green", "must-fix": "bold red", None: "yellow"}
DIRECTION_MARK = {"down": "↓", "up": "↑", "sideways": "→"}


@dataclass(frozen=True)
class EdgeFilter:
    tiers: tuple[str, str] | None = None
    unit: str | None = None
    text: str = ""
    unreviewed_only: bool = False

    def describe(self) -> str:
        parts = []
        if self.tiers:
            parts.append(f"{self.tiers[0]} → {self.tiers[1]}")
        if self.unit:
            parts.append(f"unit {self.unit.rpartition('.')[2]}")
        if self.text:
            parts.append(f'"{self.text}"')
        if self.unreviewed_only:
            parts.append("unreviewed")
        return ", ".join(parts) or "all edges"

    def keeps(self, edge: CrossEdge, unit_of: dict[str, str]) -> bool:
        if self.tiers and (edge.importer_tier, edge.imported_tier) != self.tiers:
            return False
        if self.unit and self.unit not in (unit_of.get(edge.importer),
                                           unit_of.get(edge.imported)):
            return False
        if self.text and self.text.lower() not in (
                f"{edge.importer} {edge.imported} {edge.path} {edge.text}".lower()):
            return False
        return not (self.unreviewed_only and edge.review is not None)


class EdgeTable(DataTable[Text | str]):
    """Every cross-tier import statement the filter keeps."""

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

    def on_mount(self) -> None:
        self.add_columns("", "verdict", "importer", "imported", "file:line", "import",
                         "tiers", "dir", "cycle")

    def sync(self, session: Session, edge_filter: EdgeFilter | None = None) -> None:
        if edge_filter is not None:
            self.filter = edge_filter
        unit_of = session.view.units.unit_of
        keep = [e for e in session.edges() if self.filter.keeps(e, unit_of)]
        cursor = self.cursor_row
        self.clear()
        self.rows_shown = keep
        for index, edge in enumerate(keep):
            verdict = edge.verdict
            self.add_row(
                Text("■" if edge.key in self.selected else " ", style="bold"),
                Text(verdict or "unreviewed", style=VERDICT_STYLE[verdict]),
                edge.importer,
                edge.imported,
                f"{edge.path}:{edge.line}",
                edge.text.strip(),
                f"{edge.importer_tier}→{edge.imported_tier}",
                Text(DIRECTION_MARK[edge.direction] + " " + edge.direction,
                     style="bold red" if edge.direction == "up" else ""),
                Text("cycle" if edge.in_cycle else "", style="yellow"),
                key=str(index),
            )
        if keep:
            self.move_cursor(row=min(cursor, len(keep) - 1), animate=False)
        self.post_message(self.Shown())

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

    def action_toggle_row(self) -> None:
        edge = self.current()
        if edge is None:
            return
        self.selected ^= {edge.key}
        for row, shown in enumerate(self.rows_shown):
            if shown.key == edge.key:
                mark = "■" if edge.key in self.selected else " "
                self.update_cell_at(Coordinate(row, 0), Text(mark, style="bold"))
        self.post_message(self.Shown())


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

    def sync(self, session: Session) -> None:
        cells = session.matrix()
        tiers = session.tiers_for()
        cycles = {t for cycle in session.view.tier_cycles() for t in cycle.tiers}
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
                direction = session.view.tiermap.direction(row_tier, col_tier)
                style = ""
                if count and direction == "up":
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
