"""The main screen: the board, the cross-tier review, the diff preview and the action
list, with the plan's figures always in view. It only asks the session; every edit
is a session method, and every view refreshes from the session after it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.tui.messages import MoveRequested, PlanChanged, UnitFocused
from pyagent_workbench.tui.screens.dialogs import (
    STAYS_OPTION,
    Confirm,
    MessageScreen,
    SourceScreen,
    TextPrompt,
    TierPicker,
)
from pyagent_workbench.tui.widgets.action_log import ActionLog
from pyagent_workbench.tui.widgets.board import Board
from pyagent_workbench.tui.widgets.diff_view import DiffView
from pyagent_workbench.tui.widgets.edges import EdgeFilter, EdgeTable, TierMatrix
from pyagent_workbench.tui.widgets.metrics_bar import MetricsBar
from pyagent_workbench.tui.widgets.module_tree import ModuleTree

if TYPE_CHECKING:
    from pyagent_workbench.model.plan import Verdict
    from pyagent_workbench.rewrite.engine import ChangeSet
    from pyagent_workbench.session import Session


class BoardPane(Vertical):
    """The board with its keys: they work whenever a tier column has focus."""

    BINDINGS = [
        Binding("m", "screen.move", "Move to…", id="move",
                tooltip="Move the selected (or focused) units to a tier"),
        Binding("n", "screen.new_tier", "New tier", id="new-tier"),
        Binding("r", "screen.rename", "Rename", id="rename",
                tooltip="Rename the unit's target name, or its tier"),
        Binding("d", "screen.diff_unit", "Diff", id="diff-unit"),
        Binding("e", "screen.review_unit", "Edges", id="review-unit", show=False),
    ]


class ReviewPane(Vertical):
    """Edge table and matrix, with the verdict keys."""

    BINDINGS = [
        Binding("a", "screen.verdict('accepted')", "Accept", id="accept"),
        Binding("x", "screen.verdict('must-fix')", "Must fix", id="must-fix"),
        Binding("A", "screen.verdict('accepted', True)", "Accept all shown", show=False),
        Binding("X", "screen.verdict('must-fix', True)", "Must-fix all shown", show=False),
        Binding("u", "screen.verdict('', False)", "Clear", show=False),
        Binding("N", "screen.verdict_with_note", "Note", show=False),
        Binding("o", "screen.open_source", "Source", id="source"),
        Binding("slash", "screen.filter_text", "Filter", id="filter"),
        Binding("f", "screen.toggle_unreviewed", "Unreviewed", show=False),
        Binding("c", "screen.clear_filter", "Clear filter", show=False),
    ]


class DiffPane(Vertical):
    BINDINGS = [Binding("w", "screen.diff_scope", "Whole plan / unit", id="diff-scope")]


class WorkbenchScreen(Screen[None]):
    CSS_PATH = "workbench.tcss"
    BINDINGS = [
        Binding("1", "show_tab('board')", "Board", show=False),
        Binding("2", "show_tab('review')", "Review", show=False),
        Binding("3", "show_tab('diff')", "Diff", show=False),
        Binding("4", "show_tab('actions')", "Actions", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.focused_unit: str | None = None
        self.diff_whole_plan = True
        self._diff_stale = True
        self._review_stale = True

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="⛁")
        yield MetricsBar(id="metrics")
        with TabbedContent(initial="board", id="tabs"):
            with TabPane("Board", id="board"), Horizontal():
                yield ModuleTree(id="tree")
                with BoardPane(id="board-pane"):
                    yield Board(id="board-columns")
                    yield Label("", id="board-hint")
            with TabPane("Review", id="review"), ReviewPane(id="review-pane"):
                yield Label("", id="review-status")
                yield Input(placeholder="filter edges (Enter to apply, Esc to close)",
                            id="edge-filter", classes="-hidden")
                yield EdgeTable(id="edges")
                yield Static("", id="edge-detail")
                yield TierMatrix(id="matrix")
            with TabPane("Diff", id="diff"), DiffPane(id="diff-pane"):
                yield Label("", id="diff-status")
                yield DiffView(id="diff-view")
            with TabPane("Actions", id="actions"), VerticalScroll():
                yield ActionLog(id="action-log")
        yield Footer()

    def on_mount(self) -> None:
        plan_name = self.session.plan_path.name
        self.title = f"pyagent-workbench · {self.session.repo.root.name}"
        self.sub_title = f"{plan_name} ({self.session.plan.status})"
        self.refresh_views()
        self.call_after_refresh(self._focus_first_card)
        if self.session.origin:
            self.notify(self.session.origin, timeout=4)
        if self.session.syntax_errors:
            self.notify(
                "\n".join(str(p) for p in self.session.syntax_errors[:5]),
                title=f"{len(self.session.syntax_errors)} files left out of the analysis",
                severity="warning", timeout=10)

    def _focus_first_card(self) -> None:
        self.query_one(Board).action_focus_first()

    # -- refreshing --------------------------------------------------------------------------

    def refresh_views(self) -> None:
        """Views in sight refresh now; the others when their tab is shown (a table of
        thousands of edges need not be rebuilt for every move on the board)."""
        session = self.session
        self.query_one(MetricsBar).show(session.figures())
        self.query_one(Board).sync(session)
        self.query_one(ModuleTree).sync(session)
        self._review_stale = True
        if self.query_one(TabbedContent).active == "review":
            self._sync_review()
        self.query_one(ActionLog).show(session)
        self.sub_title = f"{session.plan_path.name} ({session.plan.status})"
        self._update_board_hint()
        self._diff_stale = True
        self.workers.cancel_group(self, "diff")
        if self.query_one(TabbedContent).active == "diff":
            self.compute_diff()

    def _update_board_hint(self) -> None:
        selected = self.query_one(Board).selection()
        count = self.query_one(Board).selected_count()
        hint = (f"{count} selected · m: move · drag onto a column · esc: clear"
                if count else "space: select · m: move to a tier · drag a unit onto a column · "
                              "n: new tier · r: rename · ?: keys")
        if selected and not count:
            info = self.session.unit_info(selected[0])
            where = f"→ {info.target}" if info.target else "stays where it is"
            hint = f"{info.name} {where} · {hint}"
        self.query_one("#board-hint", Label).update(hint)

    def changed(self, description: str) -> None:
        self.session.autosave()
        self.refresh_views()
        self.post_message(PlanChanged(description))

    # -- moving units ------------------------------------------------------------------------

    @on(MoveRequested)
    def move_units(self, message: MoveRequested) -> None:
        try:
            self.session.move_units(message.units, message.tier)
        except WorkbenchError as error:
            self.notify(str(error), severity="error")
            return
        self.query_one(Board).action_clear_selection()
        self.changed(f"moved to {message.tier or 'stays'}")
        if message.units:
            self.query_one(Board).focus_unit(message.units[0])

    @on(UnitFocused)
    def unit_focused(self, message: UnitFocused) -> None:
        self.focused_unit = message.unit
        if message.unit and isinstance(message.control, ModuleTree):
            self.query_one(Board).focus_unit(message.unit)
            self.query_one(ModuleTree).focus()
        self._update_board_hint()
        if not self.diff_whole_plan:
            self._diff_stale = True

    def action_move(self) -> None:
        units = self.query_one(Board).selection()
        if not units:
            self.notify("Focus or select a unit first", severity="warning")
            return
        tiers = []
        for name in self.session.tiers_for():
            tier = self.session.plan.tier(name)
            assert tier is not None
            layer = f"layer {tier.layer} · " if tier.layer is not None else ""
            tiers.append((name, f"{layer}{tier.package}"))

        def chosen(result: str | None) -> None:
            if result is None:
                return
            tier = None if result == STAYS_OPTION else result
            self.post_message(MoveRequested(units, tier))

        self.app.push_screen(TierPicker(tiers, units), chosen)

    def action_new_tier(self) -> None:
        containers = self.session.containers
        container = containers[0]
        if self.focused_unit:
            container = self.session.unit_info(self.focused_unit).container
        if container not in containers and containers:
            container = containers[0]

        def chosen(name: str | None) -> None:
            if not name:
                return
            try:
                self.session.new_tier(name.strip(), container)
            except WorkbenchError as error:
                self.notify(str(error), severity="error")
                return
            self.changed(f"new tier {name}")

        self.app.push_screen(TextPrompt(
            f"New tier in {container}", placeholder="name (a Python identifier)",
            help_text=f"Its package will be {container}.<name>; move units into it with m "
                      f"or by dragging."), chosen)

    def action_rename(self) -> None:
        unit = self.focused_unit
        if unit is None:
            self.notify("Focus a unit first", severity="warning")
            return
        info = self.session.unit_info(unit)

        def rename_tier(name: str | None) -> None:
            if not name or info.tier is None:
                return
            try:
                self.session.rename_tier(info.tier, name.strip())
            except WorkbenchError as error:
                self.notify(str(error), severity="error")
                return
            self.changed(f"renamed tier {info.tier}")

        def rename_unit(name: str | None) -> None:
            if not name:
                return
            try:
                self.session.rename_unit(unit, name.strip())
            except WorkbenchError as error:
                self.notify(str(error), severity="error")
                return
            self.changed(f"renamed {info.short}")

        def which(answer: str | None) -> None:
            if answer == "tier":
                self.app.push_screen(TextPrompt(
                    f"Rename tier '{info.tier}'", value=info.tier or ""), rename_tier)
            elif answer == "unit":
                self.app.push_screen(TextPrompt(
                    f"Target name of {unit}", value=info.short,
                    help_text="The module keeps its place in the tier under this name "
                              "(e.g. speculative_v2 -> speculative)."), rename_unit)

        if info.tier is None:
            self.notify("Move the unit to a tier first; then its target name can change",
                        severity="warning")
            return
        self.app.push_screen(TierPicker(
            [("unit", f"rename {info.short} (its target name)"),
             ("tier", f"rename the tier '{info.tier}'")], [unit]), which)

    def action_diff_unit(self) -> None:
        self.diff_whole_plan = False
        self.action_show_tab("diff")
        self.compute_diff()

    def action_diff_whole(self) -> None:
        self.diff_whole_plan = True
        self.action_show_tab("diff")
        self.compute_diff()

    def action_review_unit(self) -> None:
        if self.focused_unit:
            self.action_show_tab("review")
            self._set_filter(EdgeFilter(unit=self.focused_unit))

    # -- review ------------------------------------------------------------------------------

    def _set_filter(self, edge_filter: EdgeFilter) -> None:
        table = self.query_one(EdgeTable)
        table.selected.clear()
        table.sync(self.session, edge_filter)
        table.focus()

    @on(EdgeTable.Shown)
    def edges_shown(self) -> None:
        table = self.query_one(EdgeTable)
        pairs = self.session.view.edge_pairs()
        reviewed = sum(1 for edges in pairs.values() if edges[0].review is not None)
        selected = f" · {len(table.selected)} selected" if table.selected else ""
        self.query_one("#review-status", Label).update(
            f"{len(table.rows_shown)} import statements shown ({table.filter.describe()})"
            f"{selected} · {reviewed}/{len(pairs)} edges reviewed · a/x: accept/must-fix · "
            f"A/X: all shown")
        self._show_edge_detail()

    @on(EdgeTable.RowHighlighted)
    def _show_edge_detail(self) -> None:
        edge = self.query_one(EdgeTable).current()
        detail = self.query_one("#edge-detail", Static)
        if edge is None:
            detail.update("")
            return
        note = f" · note: {edge.review.note}" if edge.review and edge.review.note else ""
        detail.update(f"{edge.path}:{edge.line}  {edge.text.strip()}{note}")

    @on(TierMatrix.CellChosen)
    def matrix_cell(self, message: TierMatrix.CellChosen) -> None:
        self._set_filter(EdgeFilter(tiers=message.tiers))
        self.query_one(TierMatrix).focus()

    def _verdict_targets(self, everything: bool) -> list[tuple[str, str]]:
        focused = self.focused
        if isinstance(focused, TierMatrix):
            cell = focused.chosen_cell()
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
        self._apply_verdict(targets, cast("Verdict | None", verdict or None), "")

    def _apply_verdict(self, targets: list[tuple[str, str]], verdict: Verdict | None,
                       note: str) -> None:
        count = self.session.review(targets, verdict, note)
        self.query_one(EdgeTable).selected.clear()
        self.changed(f"reviewed {count} edges")
        self.notify(f"{count} edge{'s' if count != 1 else ''} marked {verdict or 'unreviewed'}",
                    timeout=2)

    def action_verdict_with_note(self) -> None:
        targets = self._verdict_targets(False)
        if not targets:
            return

        def chosen(note: str | None) -> None:
            if note is None:
                return
            current = self.session.plan.review_for(*targets[0])
            verdict: Verdict = current.verdict if current else "accepted"
            self._apply_verdict(targets, verdict, note)

        self.app.push_screen(TextPrompt(
            f"Note for {len(targets)} edge{'s' if len(targets) > 1 else ''}",
            help_text="Kept in the plan's [[reviews]] (accepted unless already must-fix)."),
            chosen)

    def action_open_source(self) -> None:
        edge = self.query_one(EdgeTable).current()
        if edge is not None:
            self.app.push_screen(SourceScreen(self.session.repo.root, edge.path, edge.line))

    def action_filter_text(self) -> None:
        box = self.query_one("#edge-filter", Input)
        box.remove_class("-hidden")
        box.value = self.query_one(EdgeTable).filter.text
        box.focus()

    @on(Input.Submitted, "#edge-filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        table = self.query_one(EdgeTable)
        current = table.filter
        self._set_filter(EdgeFilter(current.tiers, current.unit, event.value.strip(),
                                    current.unreviewed_only))
        event.input.add_class("-hidden")

    def action_toggle_unreviewed(self) -> None:
        current = self.query_one(EdgeTable).filter
        self._set_filter(EdgeFilter(current.tiers, current.unit, current.text,
                                    not current.unreviewed_only))

    def action_clear_filter(self) -> None:
        self._set_filter(EdgeFilter())

    # -- diff --------------------------------------------------------------------------------

    def _sync_review(self) -> None:
        self._review_stale = False
        self.query_one(EdgeTable).sync(self.session)
        self.query_one(TierMatrix).sync(self.session)

    @on(TabbedContent.TabActivated)
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "review" and self._review_stale:
            self._sync_review()
        self._focus_pane(event.pane.id)
        if event.pane.id == "diff" and self._diff_stale:
            self.compute_diff()

    def _focus_pane(self, pane: str | None) -> None:
        """Focus follows the tab: a focused widget left behind in a hidden pane would
        switch the tabs back to it."""
        focused = self.focused
        if focused is not None and pane and any(a.id == pane for a in focused.ancestors):
            return
        if pane == "board":
            board = self.query_one(Board)
            if self.focused_unit:
                board.focus_unit(self.focused_unit)
            else:
                board.action_focus_first()
        elif pane == "review":
            self.query_one(EdgeTable).focus()
        elif pane == "diff":
            self.query_one("#diff-files").focus()
        elif pane == "actions":
            self.set_focus(None)

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        if tab == "review" and self._review_stale:
            self._sync_review()
        self._focus_pane(tab)

    def action_diff_scope(self) -> None:
        self.diff_whole_plan = not self.diff_whole_plan
        self.compute_diff()

    def compute_diff(self) -> None:
        units = None
        if not self.diff_whole_plan:
            if self.focused_unit is None or self.session.plan.move_for(
                    self.focused_unit) is None:
                self.query_one(DiffView).show_message(
                    "The focused unit does not move: nothing to preview (w: whole plan).")
                self.query_one("#diff-status", Label).update("unit preview")
                return
            units = [self.focused_unit]
        scope = "the whole plan" if units is None else units[0]
        self.query_one("#diff-status", Label).update(f"computing the changes of {scope}…")
        self.query_one(DiffView).show_message("computing…")
        self._diff_stale = False
        self.diff_worker(units, scope)

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def diff_worker(self, units: list[str] | None, scope: str) -> None:
        plan = self.session.plan.copy()
        try:
            changeset = self.session.preview(units, plan=plan)
        except WorkbenchError as error:
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._diff_failed, str(error))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._diff_ready, changeset, scope, units is None)

    def _diff_ready(self, changeset: ChangeSet, scope: str, whole: bool) -> None:
        summary = changeset.summary
        self.query_one("#diff-status", Label).update(
            f"{scope}: {summary.files_moved} moved, {summary.files_rewritten} rewritten, "
            f"{summary.imports_changed} imports, {summary.strings_changed} strings, "
            f"{summary.facades} facades · w: {'focused unit' if whole else 'whole plan'}")
        self.query_one(DiffView).show(changeset)

    def _diff_failed(self, message: str) -> None:
        self.query_one("#diff-status", Label).update("the plan cannot be previewed")
        self.query_one(DiffView).show_message(message)

    # -- approving, saving, applying ----------------------------------------------------------

    def action_approve(self) -> None:
        approval = self.session.approval()
        if not approval.ok:
            self.app.push_screen(MessageScreen(
                "Approval refused", f"{approval.message}.\n\nReview tab (2): a accepts, x marks "
                f"must-fix; A / X judge every edge the filter shows.", error=True))
            return

        def chosen(path: str | None) -> None:
            if not path:
                return
            target = Path(path)
            if not target.is_absolute():
                target = self.session.repo.root / target
            try:
                written = self.session.approve(target)
            except (WorkbenchError, OSError) as error:
                self.notify(str(error), severity="error")
                return
            self.changed("approved")
            self.notify(f"Approved and exported to {written.name}", timeout=4)
            if self.app.is_web:  # in a browser, the file also downloads
                self.app.deliver_text(written, save_filename=written.name)

        default = _relative(self.session.plan_path, self.session.repo.root)
        self.app.push_screen(TextPrompt(
            "Approve and export the plan", value=default,
            help_text="Writes the plan as TOML with status \"approved\". Apply it from the "
                      "command palette, or with `pyagent-workbench apply`."), chosen)

    def action_export_report(self) -> None:
        self.notify("Writing the report…", timeout=2)
        self.report_worker()

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def report_worker(self) -> None:
        try:
            written = self.session.export_report()
        except (WorkbenchError, OSError) as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self._report_written, written)

    def _report_written(self, written: list[Path]) -> None:
        self.notify("Report written: " + ", ".join(p.name for p in written), timeout=5)
        if self.app.is_web:
            for path in written:
                self.app.deliver_text(path, save_filename=path.name)

    def action_save_draft(self) -> None:
        path = self.session.save()
        self.notify(f"Plan saved to {path.name} ({self.session.plan.status})", timeout=3)
        self.refresh_views()

    def action_undo(self) -> None:
        done = self.session.undo()
        if done is None:
            self.notify("Nothing to undo", timeout=2)
            return
        self.changed(f"undid {done}")
        self.notify(f"Undid: {done}", timeout=2)

    def action_redo(self) -> None:
        done = self.session.redo()
        if done is None:
            self.notify("Nothing to redo", timeout=2)
            return
        self.changed(f"redid {done}")
        self.notify(f"Redid: {done}", timeout=2)

    def action_apply(self) -> None:
        if self.session.plan.status != "approved":
            self.app.push_screen(MessageScreen(
                "Approve the plan first",
                "Apply carries out an approved plan: approve it with ctrl+s (every cross-tier "
                "edge must be reviewed).", error=True))
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                cast("object", self.app).start_apply()  # type: ignore[attr-defined]

        summary = self.session.figures()
        self.app.push_screen(Confirm(
            "Apply the plan to the repo?",
            f"This moves files and rewrites imports in {self.session.repo.root} "
            f"(about {summary['files_touched']} files), through a journal: any failure rolls "
            f"back. Then verify imports every module (this runs the repo's code).",
            yes="Apply"), confirmed)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
