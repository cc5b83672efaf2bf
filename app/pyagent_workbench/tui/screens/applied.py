"""What the workbench shows on a repo whose plan was applied: the plan, what moved and
verify's verdict, instead of a board that no longer matches the tree. From here, `n`
starts a new plan on the new layout. Names, paths and verify's report (import errors
raised by the repository's code) are shown as written (see `tui.literal`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Static

from pyagent_workbench.display import printable
from pyagent_workbench.tui.dialogs import Confirm
from pyagent_workbench.tui.literal import literal, literal_text
from pyagent_workbench.tui.messages import ApplyRequested, FreshPlanRequested
from pyagent_workbench.tui.paths import shown_path
from pyagent_workbench.tui.widgets.footer import KeysFirstFooter

if TYPE_CHECKING:
    from pyagent_workbench.application.opening import AppliedPlan

VERIFY: dict[bool | None, tuple[str, str]] = {
    True: ("Verify found no problems", "-ok"),
    False: ("Verify found problems", "-problems"),
    None: ("Verify has not run since the apply", ""),
}
"""Verify's result (None: it did not run) as a heading and the heading's style class."""


class AppliedScreen(Screen[None]):
    CSS_PATH = "applied.tcss"
    BINDINGS = [
        Binding("a", "land_next", "Land next batch", id="land-next",
                tooltip="Apply the next batch of a partly applied plan (the pending moves "
                        "when it records no batches)"),
        Binding("n", "new_plan", "New plan", id="new-plan",
                tooltip="Start a new plan: a fresh suggestion on the new layout"),
        Binding("q", "app.quit", "Quit", id="applied-quit"),
    ]

    def __init__(self, applied: AppliedPlan, root: Path) -> None:
        super().__init__()
        self.applied = applied
        self.root = root

    def compose(self) -> ComposeResult:
        applied = self.applied
        yield Header(show_clock=False, icon="⛁")
        with Vertical(id="applied"):
            partial = applied.state != "all"
            yield Label("Plan partly applied" if partial else "Plan applied", id="title")
            landed = sum(source in applied.landed for source, _ in applied.moves)
            state = ("every move" if not partial
                     else f"{landed} of its {len(applied.moves)} moves")
            yield Static(Content.assemble(
                ("plan ", "$text-muted"),
                literal(shown_path(applied.plan_path, self.root), "bold"),
                (f" · applied {state}", "$text-muted")), id="plan")
            if partial:
                yield Static(Content.assemble(
                    ("Land the rest a batch at a time: ", "$text-muted"), ("a", "bold"),
                    (" here, or from a shell: ", "$text-muted"),
                    literal(self._next_command(), "bold")), id="next")
            yield Label(f"{len(applied.moves)} moves", classes="heading")
            yield DataTable(id="moves", cursor_type="row", zebra_stripes=True)
            verdict, style = VERIFY[applied.verify_ok]
            yield Label(verdict, id="verify-title", classes=style)
            with VerticalScroll(id="verify"):
                yield Static(literal(applied.verify_text or "(no report)"), id="verify-text")
        yield KeysFirstFooter()

    def on_mount(self) -> None:
        self.title = printable(f"pyagent-workbench · {self.root.name}")
        self.sub_title = printable(f"{self.applied.plan_path.name} (applied)")
        moves = self.query_one("#moves", DataTable)
        applied = self.applied
        if applied.state == "all":
            moves.add_columns("from", "to")
            moves.add_rows([(literal_text(old), literal_text(new))
                            for old, new in applied.moves])
        else:
            moves.add_columns("from", "to", "batch", "state")
            moves.add_rows([
                (literal_text(old), literal_text(new), str(applied.batches.get(old, "")),
                 "landed" if old in applied.landed else "pending")
                for old, new in applied.moves])
        moves.focus()

    def _next_command(self) -> str:
        plan = shown_path(self.applied.plan_path, self.root)
        batch = self.applied.next_batch
        part = f" --batch {batch}" if batch is not None else ""
        return f"pyagent-workbench apply {plan}{part} --commit"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "land_next":
            return self.applied.state != "all"  # nothing left to land: no key shown
        return True

    def action_land_next(self) -> None:
        """Confirm, then the app applies the next batch as `apply PLAN --batch N` does."""
        batch = self.applied.next_batch
        what = f"batch {batch}" if batch is not None else "the pending moves"
        moves = [source for source, _ in self.applied.moves if source not in self.applied.landed
                 and (batch is None or self.applied.batches.get(source) == batch)]

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.post_message(ApplyRequested(batch))

        self.app.push_screen(Confirm(
            f"Land {what}?",
            f"This applies {len(moves)} more moves of the plan to {self.root} (moves, "
            f"rewrites and facades, through a journal: any failure rolls back), records them "
            f"in the plan, then verify imports every module (this runs the repo's code). "
            f"Everything is staged; commit it as one pull request.", yes="Apply"), confirmed)

    def action_new_plan(self) -> None:
        self.post_message(FreshPlanRequested())
