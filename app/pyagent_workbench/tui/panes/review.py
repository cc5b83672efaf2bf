"""The Review pane: the cross-tier edges and the tier matrix, the verdicts and notes
given to them, the filter, and the source around an import."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label, Static

from pyagent_workbench.analysis import edgelist
from pyagent_workbench.display import one_cell
from pyagent_workbench.tui.dialogs import SourceScreen, TextPrompt
from pyagent_workbench.tui.literal import ControlsShown
from pyagent_workbench.tui.messages import PlanChanged
from pyagent_workbench.tui.panes import Pane
from pyagent_workbench.tui.widgets.edges import EdgeFilter, EdgeTable, TierMatrix

if TYPE_CHECKING:
    from pyagent_workbench.model.plan import Verdict
    from pyagent_workbench.session import Session


class ReviewPane(Pane):
    """Edge table and matrix, with the verdict keys."""

    KEYS_TITLE = "Review"
    DEFAULT_CSS = """
    ReviewPane #review-status, ReviewPane #edge-detail {
        width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """
    """Status and detail lines of a fixed size: updating them after each key needs no
    layout of the whole screen."""
    BINDINGS = [
        Binding("a", "verdict('accepted')", "Accept", id="accept",
                tooltip="Mark accepted (the selection, else the current row)"),
        Binding("x", "verdict('must-fix')", "Must fix", id="must-fix",
                tooltip="Mark must-fix (the selection, else the current row)"),
        Binding("A", "verdict('accepted', True)", "Accept all shown", show=False,
                id="accept-all", tooltip="Mark every edge the filter shows accepted"),
        Binding("X", "verdict('must-fix', True)", "Must-fix all shown", show=False,
                id="must-fix-all", tooltip="Mark every edge the filter shows must-fix"),
        Binding("u", "verdict('', False)", "Clear", show=False, id="clear-verdict",
                tooltip="Clear the verdict"),
        Binding("N", "verdict_with_note", "Note", show=False, id="note",
                tooltip="Verdict with a note"),
        Binding("o", "open_source", "Source", id="source",
                tooltip="Open the source around the import"),
        Binding("slash", "filter_text", "Filter", id="filter", tooltip="Filter by text"),
        Binding("f", "toggle_unreviewed", "Unreviewed", show=False, id="unreviewed",
                tooltip="Only unreviewed edges (toggle)"),
        Binding("w", "toggle_filter('upward_only')", "Upward", show=False, id="upward-only",
                tooltip="Only upward edges (toggle)"),
        Binding("y", "toggle_filter('cycle_only')", "In a cycle", show=False, id="cycle-only",
                tooltip="Only edges inside a tier cycle (toggle)"),
        Binding("t", "toggle_unit", "This unit", show=False, id="unit-only",
                tooltip="Only the edges of the current edge's unit (toggle)"),
        Binding("c", "clear_filter", "Clear filter", show=False, id="clear-filter",
                tooltip="Show every cross-tier edge"),
        Binding("S", "next_sort", "Sort", show=False, id="sort",
                tooltip="Sort by tier pair, direction (upward first), importer, verdict, "
                        "file order (cycles)"),
        Binding("g", "toggle_grouping", "Group", show=False, id="group",
                tooltip="Group the edges by tier pair, with each pair's count (toggle)"),
    ]

    def __init__(self, session: Session, *, id: str) -> None:
        super().__init__(session, id=id)
        self.stale = True
        """The plan changed since the table was built (it is rebuilt when shown)."""

    def compose(self) -> ComposeResult:
        yield Label("", id="review-status", markup=False)  # holds the filter typed
        yield Input(placeholder="filter edges (Enter to apply, Esc to close)",
                    id="edge-filter", classes="-hidden", highlighter=ControlsShown())
        yield EdgeTable(id="edges")
        yield Static("", id="edge-detail", markup=False)  # holds source text
        yield TierMatrix(id="matrix")

    def sync(self, *, verdicts_only: bool = False) -> None:
        """Bring the table and the matrix up to date (only when in sight)."""
        self.stale = False
        self.query_one(EdgeTable).sync(self.session, verdicts_only=verdicts_only)
        self.query_one(TierMatrix).sync(self.session)

    def show_unit(self, unit: str) -> None:
        self._set_filter(EdgeFilter(unit=unit))

    def _set_filter(self, edge_filter: EdgeFilter) -> None:
        table = self.query_one(EdgeTable)
        table.selected.clear()
        table.sync(self.session, edge_filter)
        table.focus()

    # -- what the table shows ----------------------------------------------------------------

    @on(EdgeTable.Shown)
    def edges_shown(self) -> None:
        table = self.query_one(EdgeTable)
        pairs = self.session.view.edge_pairs()
        reviewed = sum(1 for edges in pairs.values() if edges[0].review is not None)
        selected = f" · {len(table.selected)} selected" if table.selected else ""
        order = f" · by {edgelist.SORTS[table.order]}" if table.order != "file" else ""
        grouped = (f" · {len(edgelist.pair_counts(table.rows_shown))} tier pairs"
                   if table.grouped else "")
        self.query_one("#review-status", Label).update(
            f"{len(table.rows_shown)} imports shown ({one_cell(table.filter.describe())})"
            f"{order}{grouped}{selected} · {reviewed}/{len(pairs)} edges reviewed · "
            f"a/x: accept/must-fix · A/X: all shown", layout=False)
        self._show_edge_detail()

    @on(EdgeTable.RowHighlighted)
    def _show_edge_detail(self) -> None:
        edge = self.query_one(EdgeTable).current()
        detail = self.query_one("#edge-detail", Static)
        if edge is None:
            detail.update("", layout=False)
            return
        note = f" · note: {edge.review.note}" if edge.review and edge.review.note else ""
        # The source line and the note come from the repo and the plan file: a `[/]`
        # would be markup (an error), an escape sequence would reach the terminal.
        cycle = " · in a tier cycle" if edge.in_cycle else ""
        detail.update(one_cell(
            f"{edge.path}:{edge.line}  {edge.text.strip()}  "
            f"({edge.importer_tier} → {edge.imported_tier}, {edge.direction}{cycle})"
            f"{note}"), layout=False)

    @on(TierMatrix.CellChosen)
    def matrix_cell(self, message: TierMatrix.CellChosen) -> None:
        self._set_filter(EdgeFilter(tiers=message.tiers))
        self.query_one(TierMatrix).focus()

    # -- verdicts ----------------------------------------------------------------------------

    def _verdict_targets(self, everything: bool) -> list[tuple[str, str]]:
        """The focused matrix cell's edges, else the table's (see `EdgeTable.targets`)."""
        if isinstance(self.screen.focused, TierMatrix):
            cell = self.screen.focused.chosen_cell()
            if cell is None:
                return []
            return sorted({e.key for e in self.session.edges()
                           if (e.importer_tier, e.imported_tier) == cell})
        return self.query_one(EdgeTable).targets(everything=everything)

    def action_verdict(self, verdict: str, everything: bool = False) -> None:
        targets = self._verdict_targets(everything)
        if not targets:
            self.notify("No edge here to review", severity="warning")
            return
        self._judge(targets, cast("Verdict | None", verdict or None), "",
                    advance=bool(verdict) and not everything)

    def _judge(self, targets: list[tuple[str, str]], verdict: Verdict | None,
               note: str, *, advance: bool = True) -> None:
        """Give the verdict; the table then moves on to the next unreviewed edge (when
        the verdict came from it), so reviewing costs one key per edge."""
        count = self.session.review(targets, verdict, note)
        table = self.query_one(EdgeTable)
        table.selected.clear()
        table.advance_pending = advance and not isinstance(self.screen.focused, TierMatrix)
        self.post_message(PlanChanged(f"reviewed {count} edges", verdicts_only=True))
        self.notify(f"{count} edge{'s' if count != 1 else ''} marked {verdict or 'unreviewed'}",
                    timeout=2)

    def action_verdict_with_note(self) -> None:
        targets = self._verdict_targets(False)
        if not targets:
            return

        def chosen(note: str | None) -> None:
            if note is not None:
                current = self.session.plan.review_for(*targets[0])
                verdict: Verdict = current.verdict if current else "accepted"
                self._judge(targets, verdict, note)

        self.app.push_screen(TextPrompt(
            f"Note for {len(targets)} edge{'s' if len(targets) > 1 else ''}",
            help_text="Kept in the plan's [[reviews]] (accepted unless already must-fix)."),
            chosen)

    def action_open_source(self) -> None:
        edge = self.query_one(EdgeTable).current()
        if edge is not None:
            self.app.push_screen(SourceScreen(self.session.repo.root, edge.path, edge.line))

    # -- the filter --------------------------------------------------------------------------

    def action_filter_text(self) -> None:
        box = self.query_one("#edge-filter", Input)
        box.remove_class("-hidden")
        box.value = self.query_one(EdgeTable).filter.text
        box.focus()

    @on(Input.Submitted, "#edge-filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        current = self.query_one(EdgeTable).filter
        self._set_filter(replace(current, text=event.value.strip()))
        event.input.add_class("-hidden")

    def action_toggle_unreviewed(self) -> None:
        self.action_toggle_filter("unreviewed_only")

    def action_toggle_filter(self, criterion: str) -> None:
        current = self.query_one(EdgeTable).filter
        self._set_filter(current.toggled(criterion))

    def action_toggle_unit(self) -> None:
        """Narrow to the unit of the current edge's importer, or widen back."""
        table = self.query_one(EdgeTable)
        edge = table.current()
        unit = None if table.filter.unit or edge is None else (
            self.session.view.units.unit_of.get(edge.importer))
        self._set_filter(replace(table.filter, unit=unit))

    # -- order ---------------------------------------------------------------------------------

    def action_next_sort(self) -> None:
        table = self.query_one(EdgeTable)
        table.order = edgelist.next_sort(table.order)
        table.sync(self.session)

    def action_toggle_grouping(self) -> None:
        table = self.query_one(EdgeTable)
        table.grouped = not table.grouped
        table.sync(self.session)

    def action_clear_filter(self) -> None:
        self._set_filter(EdgeFilter())
