"""The main screen: the board, the cross-tier review, the diff preview and the action
list, with the plan's figures always in view.

The panes own their keys and logic; the screen composes them, routes their messages
(a plan edit refreshes every view, `d` and `e` switch tabs) and refreshes. The
plan-wide keys (undo, save, approve, report) are the app's; an apply is confirmed here
and run by the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import Reactive, var
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, TabbedContent, TabPane

from pyagent_workbench.display import printable
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.tui.dialogs import Confirm, MessageScreen
from pyagent_workbench.tui.messages import (
    ApplyRequested,
    DiffRequested,
    EdgesRequested,
    PlanChanged,
    RestructureRequested,
    UnitFocused,
)
from pyagent_workbench.tui.panes.board import BoardPane
from pyagent_workbench.tui.panes.diff import DiffPane
from pyagent_workbench.tui.panes.review import ReviewPane
from pyagent_workbench.tui.widgets.action_log import ActionLog
from pyagent_workbench.tui.widgets.board import Board
from pyagent_workbench.tui.widgets.edges import EdgeTable
from pyagent_workbench.tui.widgets.footer import KeysFirstFooter
from pyagent_workbench.tui.widgets.metrics_bar import MetricsBar
from pyagent_workbench.tui.widgets.module_tree import ModuleTree

if TYPE_CHECKING:
    from pyagent_workbench.session import Session

TABS = Binding.Group("Board, Review, Diff, Actions tabs")


class WorkbenchScreen(Screen[None]):
    CSS_PATH = "workbench.tcss"
    BINDINGS = [
        Binding("1", "show_tab('board')", "Show the board", show=False, id="tab-board",
                group=TABS, tooltip="Tab 1: the tiers and their units"),
        Binding("2", "show_tab('review')", "Show the review", show=False, id="tab-review",
                group=TABS, tooltip="Tab 2: the cross-tier edges to judge"),
        Binding("3", "show_tab('diff')", "Show the diff", show=False, id="tab-diff",
                group=TABS, tooltip="Tab 3: the changes the plan makes"),
        Binding("4", "show_tab('actions')", "Show the actions", show=False, id="tab-actions",
                group=TABS, tooltip="Tab 4: what undo and redo walk through"),
        Binding("D", "diff_whole", "Diff of the whole plan", show=False, id="diff-whole",
                tooltip="Preview every change of the plan"),
        Binding("ctrl+r", "apply", "Apply plan", show=False, id="apply",
                tooltip="Move the files and rewrite the imports, then verify"),
    ]

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """Textual's, without its repaint of the whole screen at every focus change (a full
    frame of the 200x60 screen: 20-60 ms a key on a large board); the widgets that gain
    and lose the focus repaint themselves."""
    title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
    sub_title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
    """Textual's, without the same repaint: the header watches them and redraws itself."""

    focused_unit: var[str | None] = var(None, init=False)
    """The unit last focused on the board or in the tree; the panes are bound to it."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="⛁")
        yield MetricsBar(id="metrics")
        with TabbedContent(initial="board", id="tabs"):
            with TabPane("Board", id="board"), Horizontal():
                yield ModuleTree(id="tree")
                yield BoardPane(self.session, id="board-pane").data_bind(
                    WorkbenchScreen.focused_unit)
            with TabPane("Review", id="review"):
                yield ReviewPane(self.session, id="review-pane")
            with TabPane("Diff", id="diff"):
                yield DiffPane(self.session, id="diff-pane").data_bind(
                    WorkbenchScreen.focused_unit)
            with TabPane("Actions", id="actions"), VerticalScroll():
                yield ActionLog(id="action-log")
        yield KeysFirstFooter()

    def on_mount(self) -> None:
        self.title = printable(f"pyagent-workbench · {self.session.repo.root.name}")
        self.refresh_views()
        self.call_after_refresh(self.query_one(Board).action_focus_first)
        if self.session.origin:
            self.notify(self.session.origin, timeout=4)
        if self.session.syntax_errors:
            self.notify(
                "\n".join(str(p) for p in self.session.syntax_errors[:5]),
                title=f"{len(self.session.syntax_errors)} files left out of the analysis",
                severity="warning", timeout=10)

    # -- refreshing ----------------------------------------------------------------------------

    def refresh_views(self, *, verdicts_only: bool = False) -> None:
        """Views in sight refresh now; the others when their tab is shown (a table of
        thousands of edges need not be rebuilt for every move on the board). After
        verdicts only, what shows units and files (board, tree, diff) is left as it is."""
        session = self.session
        active = self.query_one(TabbedContent).active
        self.query_one(MetricsBar).show(session.figures())
        if not verdicts_only:
            self.query_one(BoardPane).sync()
            self.query_one(ModuleTree).sync(session)
        review = self.query_one(ReviewPane)
        review.stale = True
        if active == "review":
            review.sync(verdicts_only=verdicts_only)
        self.query_one(ActionLog).show(session)
        saved = "" if session.plan_path.is_file() else ", not saved yet"
        self.sub_title = printable(f"{session.plan_path.name} ({session.standing()}{saved})")
        if verdicts_only:
            return
        diff = self.query_one(DiffPane)
        diff.invalidate()
        if active == "diff":
            diff.compute()

    @on(PlanChanged)
    def plan_changed(self, message: PlanChanged | None = None) -> None:
        """After every edit: the draft is saved (nothing is lost on a crash), views refresh."""
        self.session.autosave()
        self.refresh_views(verdicts_only=message is not None and message.verdicts_only)

    # -- routing -------------------------------------------------------------------------------

    @on(UnitFocused)
    def unit_focused(self, message: UnitFocused) -> None:
        self.focused_unit = message.unit
        tree = self.query_one(ModuleTree)
        # The screen's focus, not `tree.has_focus`: a click on the board takes the focus
        # before the tree's Blur event is handled.
        if message.unit is not None and self.focused is not tree:
            tree.follow(message.unit)  # the board went elsewhere: ], [, /, a click or a drag

    @on(RestructureRequested)
    def restructure_requested(self, message: RestructureRequested) -> None:
        """A package left as it is, chosen in the tree: restructure it, once confirmed."""
        package = message.package
        candidate = next((c for c in self.session.candidates() if c.name == package), None)
        if candidate is None:
            return
        body = (f"Its {candidate.children} children become units, grouped into suggested "
                f"tiers on a board of their own ({candidate.sibling_imports} imports "
                f"between them). ctrl+z undoes it.")

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.session.restructure(package)
            except WorkbenchError as error:
                self.notify(str(error), severity="error")
                return
            self.post_message(PlanChanged(f"restructured {package}"))
            self.call_after_refresh(self._show_container, package)

        self.app.push_screen(Confirm(f"Restructure {package}?", body, yes="Restructure"),
                             confirmed)

    def _show_container(self, package: str) -> None:
        board = self.query_one(Board)
        board.show_container(package)
        board.action_focus_first()

    @on(DiffRequested)
    def diff_requested(self, message: DiffRequested) -> None:
        self.query_one(DiffPane).show_scope(whole_plan=message.whole_plan)
        self.action_show_tab("diff")

    @on(EdgesRequested)
    def edges_requested(self, message: EdgesRequested) -> None:
        self.action_show_tab("review")
        self.query_one(ReviewPane).show_unit(message.unit)

    @on(TabbedContent.TabActivated)
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._show_pane(event.pane.id)

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self._show_pane(tab)

    def _show_pane(self, tab: str | None) -> None:
        """Bring a pane up to date as it comes into view, and move the focus into it: a
        focused widget left behind in a hidden pane would switch the tabs back to it."""
        if tab == "review" and self.query_one(ReviewPane).stale:
            self.query_one(ReviewPane).sync()
        focused = self.focused
        if not (focused is not None and tab and any(a.id == tab for a in focused.ancestors)):
            self._focus_pane(tab)
        if tab == "diff" and self.query_one(DiffPane).stale:
            self.query_one(DiffPane).compute()

    def _focus_pane(self, tab: str | None) -> None:
        if tab == "board":
            board = self.query_one(Board)
            if self.focused_unit:
                board.focus_unit(self.focused_unit)
            else:
                board.action_focus_first()
        elif tab == "review":
            self.query_one(EdgeTable).focus()
        elif tab == "diff":
            self.query_one("#diff-files").focus()
        elif tab == "actions":
            self.set_focus(None)

    def action_diff_whole(self) -> None:
        self.post_message(DiffRequested(whole_plan=True))

    # -- applying ------------------------------------------------------------------------------

    def action_apply(self) -> None:
        """Check and confirm here; the app runs the apply, with its progress on screen."""
        standing = self.session.standing()
        if standing != "approved":
            self.app.push_screen(MessageScreen(
                "Approve the plan first",
                f"The plan is {standing}. Apply carries out an approved plan: review every "
                f"cross-tier edge (Review tab, 2), then approve it with ctrl+s.", error=True))
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.post_message(ApplyRequested())

        self.app.push_screen(Confirm(
            "Apply the plan to the repo?",
            f"This moves files and rewrites imports in {self.session.repo.root} "
            f"(about {self.session.figures()['files_touched']} files), through a journal: "
            f"any failure rolls back. Then verify imports every module (this runs the repo's "
            f"code).", yes="Apply"), confirmed)
