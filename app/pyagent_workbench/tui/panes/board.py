"""The Board pane: the tier columns and the edits made on them (move, new tier,
rename); `d` and `e` ask the screen for the unit's diff or edges."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import var
from textual.widgets import Input, Label

from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.tui.dialogs import STAYS_OPTION, Confirm, TextPrompt, TierPicker
from pyagent_workbench.tui.literal import ControlsShown, literal
from pyagent_workbench.tui.messages import (
    DiffRequested,
    EdgesRequested,
    MoveRequested,
    PlanChanged,
)
from pyagent_workbench.tui.panes import Pane
from pyagent_workbench.tui.widgets.board import Board

if TYPE_CHECKING:
    from pyagent_workbench.session import Session


def find_unit(units: list[str], text: str) -> str | None:
    """The first unit whose dotted name contains `text` (any case); a match on the last
    part of the name first, so "apps_01" finds big.apps.apps_010 before any big.apps.*."""
    needle = text.strip().lower()
    if not needle:
        return None
    by_last = (u for u in units if needle in u.rpartition(".")[2].lower())
    anywhere = (u for u in units if needle in u.lower())
    return next(by_last, None) or next(anywhere, None)


class UnitSearch(Input):
    """The board's `/` prompt: typing jumps to a unit, Enter stays there, Esc goes back."""

    DEFAULT_CSS = """
    UnitSearch { padding: 0 1; }
    UnitSearch.-hidden { display: none; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="board-search-cancel",
                        tooltip="Close the search and go back to the unit focused before")]

    class Cancelled(Message):
        def __init__(self, unit: str | None) -> None:
            super().__init__()
            self.unit = unit

    def __init__(self, **kwargs: object) -> None:
        super().__init__(placeholder="find a unit: type part of its name, enter to stay",
                         compact=True, highlighter=ControlsShown(),
                         **kwargs)  # type: ignore[arg-type]
        self._before: str | None = None

    def start(self, unit: str | None) -> None:
        self._before = unit
        self.value = ""
        self.remove_class("-hidden")
        self.screen.set_focus(self)  # now: the keys typed next must land here

    def stop(self) -> None:
        self.add_class("-hidden")

    def action_cancel(self) -> None:
        self.stop()
        self.post_message(self.Cancelled(self._before))


MOVE_PICKER = "move-picker"
"""The name the move picker is installed under (it is kept between moves)."""


class BoardPane(Pane):
    """The board with its keys: they work whenever a tier column has focus."""

    KEYS_TITLE = "Board"
    BINDINGS = [
        Binding("m", "move", "Move to…", id="move",
                tooltip="Move the selected units: pick a tier (type to filter)"),
        Binding("n", "new_tier", "New tier", id="new-tier",
                tooltip="Add a tier to the focused unit's container"),
        Binding("r", "rename", "Rename", id="rename",
                tooltip="Rename the unit's target name, or its tier"),
        Binding("X", "delete_tier", "Delete tier", show=False, id="delete-tier",
                tooltip="Delete the focused column's tier: its units go back to stays"),
        Binding("M", "merge_tier", "Merge tier into…", show=False, id="merge-tier",
                tooltip="Merge the focused column's tier into another of its container"),
        Binding("less_than_sign", "shift_tier(1)", "Tier a layer up", show=False,
                id="tier-up", tooltip="Move the focused column's tier one layer up (its "
                                      "column one place left)"),
        Binding("greater_than_sign", "shift_tier(-1)", "Tier a layer down", show=False,
                id="tier-down", tooltip="Move the focused column's tier one layer down (its "
                                        "column one place right)"),
        Binding("T", "resuggest", "Re-suggest tiers…", show=False, id="resuggest",
                tooltip="Suggest this container's tiers again, as the number of tiers you "
                        "give (replaces its tiers and moves; ctrl+z undoes)"),
        Binding("d", "diff_unit", "Diff", id="diff-unit",
                tooltip="Diff of the focused unit's move"),
        Binding("e", "review_unit", "Edges", id="review-unit", show=False,
                tooltip="Review the edges of the focused unit"),
        Binding("left_square_bracket", "switch_container(-1)", "Previous container",
                show=False, id="container-previous",
                tooltip="Show the previous container's tiers on the board"),
        Binding("right_square_bracket", "switch_container(1)", "Next container",
                show=False, id="container-next",
                tooltip="Show the next container's tiers on the board"),
        Binding("z", "zoom", "Zoom out", show=False, id="zoom",
                tooltip="Zoom out (narrow columns, names only) or back in"),
        # A priority binding runs before the keys typed next are handed out: they reach
        # the search box even when typed in one burst.
        Binding("slash", "search", "Find a unit", id="board-search", priority=True, show=False,
                tooltip="Jump to the first unit whose name contains the text typed"),
    ]

    focused_unit: var[str | None] = var(None, init=False)
    """The screen's focused unit (bound to it): what n, r, d and e act on."""

    def __init__(self, session: Session, *, id: str) -> None:
        super().__init__(session, id=id)
        self._follow: str | None = None
        """A unit just moved: the cursor follows it once the board shows its new place."""
        self._follow_tier: str | None = None
        """A tier just renamed: an empty column's focus follows it to its new name."""

    def compose(self) -> ComposeResult:
        yield Board(id="board-columns")
        yield UnitSearch(id="board-find", classes="-hidden")
        yield Label("", id="board-hint")

    def sync(self) -> None:
        board = self.query_one(Board)
        board.sync(self.session, follow_tier=self._follow_tier)
        self._follow_tier = None
        if self._follow is not None:
            board.focus_unit(self._follow)
            self._follow = None
        self.update_hint()

    def watch_focused_unit(self, unit: str | None) -> None:
        """A unit chosen elsewhere (the tree) brings its container onto the board; one
        focused on the board is already there (and a late message must not switch back)."""
        board = self.query_one(Board)
        if unit is not None and self.screen.focused is not board:
            board.reveal(unit)
        self.update_hint()

    def action_switch_container(self, step: int) -> None:
        self.query_one(Board).switch_container(step)

    def action_zoom(self) -> None:
        self.query_one(Board).toggle_compact()

    # -- search --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the search box is open, `/` is text typed into it."""
        if action == "search":
            return self.query_one(UnitSearch).has_class("-hidden")
        return True

    def action_search(self) -> None:
        search = self.query_one(UnitSearch)
        search.start(self.query_one(Board).focused_unit())

    @on(Input.Changed, "#board-find")
    def search_changed(self, event: Input.Changed) -> None:
        unit = find_unit(self.session.units(), event.value)
        if unit is not None:
            self.query_one(Board).reveal(unit)

    @on(Input.Submitted, "#board-find")
    def search_submitted(self, event: Input.Submitted) -> None:
        self.query_one(UnitSearch).stop()
        unit = find_unit(self.session.units(), event.value)
        if unit is None:
            self.notify(f"No unit named like '{event.value}'", severity="warning")
        self._end_search(unit)

    @on(UnitSearch.Cancelled)
    def search_cancelled(self, event: UnitSearch.Cancelled) -> None:
        self._end_search(event.unit)

    def _end_search(self, unit: str | None) -> None:
        board = self.query_one(Board)
        if unit is not None:
            board.focus_unit(unit)
        else:
            board.action_focus_first()

    def update_hint(self) -> None:
        board = self.query_one(Board)
        selected = board.selection()
        count = board.selected_count()
        hint = (f"{count} selected · m: move · drag onto a column · esc: clear"
                if count else "space: select · m: move to a tier · drag a unit onto a column · "
                              "n: new tier · r: rename · ?: keys")
        if selected and not count:
            info = self.session.unit_info(selected[0])
            where = f"→ {info.target}" if info.target else "stays where it is"
            hint = f"{info.name} {where} · {hint}"
        self.query_one("#board-hint", Label).update(literal(hint), layout=False)  # each arrow

    def _edit(self, change: Callable[[], object], description: str) -> bool:
        """Run one session edit; an edit the plan refuses is shown, not raised."""
        try:
            change()
        except WorkbenchError as error:
            self.notify(str(error), severity="error")
            return False
        self.post_message(PlanChanged(description))
        return True

    # -- moving units ------------------------------------------------------------------------

    @on(MoveRequested)
    def move_units(self, message: MoveRequested) -> None:
        message.stop()
        impact = self.session.move_impact(message.units, [message.tier])[message.tier]
        where = message.tier or "stays"
        if self._edit(lambda: self.session.move_units(message.units, message.tier),
                      f"moved to {where}"):
            self.query_one(Board).action_clear_selection()
            self._follow = message.units[0] if message.units else None
            self.notify(str(impact), title=f"Moved to {where}", timeout=3)

    def action_move(self) -> None:
        units = self.query_one(Board).selection()
        if not units:
            self.notify("Focus or select a unit first", severity="warning")
            return
        containers = {self.session.unit_info(u).container for u in units}
        names = [n for c in sorted(containers) for n in self.session.tiers_for(c)]
        tiers = []
        for name in names:
            tier = self.session.plan.tier(name)
            assert tier is not None
            layer = f"L{tier.layer} · " if tier.layer is not None else ""
            tiers.append((name, f"{layer}{tier.package}"))
        impacts = {tier: impact.short()
                   for tier, impact in self.session.move_impact(units, [*names, None]).items()}

        def chosen(result: str | None) -> None:
            if result is not None:
                tier = None if result == STAYS_OPTION else result
                self.post_message(MoveRequested(units, tier))

        self.app.push_screen(self._move_picker(tiers, units, impacts), chosen)

    def _move_picker(self, tiers: list[tuple[str, str]], units: list[str],
                     impacts: dict[str | None, str]) -> TierPicker:
        """One move picker for the app's life, shown again at each move (see
        `TierPicker.reuse`: the move is the board's commonest flow)."""
        app = self.app
        if not app.is_screen_installed(MOVE_PICKER):
            picker = TierPicker(tiers, units, impacts=impacts)
            app.install_screen(picker, MOVE_PICKER)
            return picker
        kept = app.get_screen(MOVE_PICKER)
        assert isinstance(kept, TierPicker)
        if kept in app.screen_stack:  # open already: never from its own keys
            return TierPicker(tiers, units, impacts=impacts)
        return kept.reuse(tiers, units, impacts=impacts)

    # -- tiers and names -----------------------------------------------------------------------

    def action_new_tier(self) -> None:
        containers = self.session.containers
        container = containers[0]
        if self.focused_unit:
            container = self.session.unit_info(self.focused_unit).container
        if container not in containers and containers:
            container = containers[0]

        def chosen(name: str | None) -> None:
            if name:
                self._edit(lambda: self.session.new_tier(name.strip(), container),
                           f"new tier {name}")

        self.app.push_screen(TextPrompt(
            f"New tier in {container}", placeholder="name (a Python identifier)",
            help_text=f"Its package will be {container}.<name>; move units into it with m "
                      f"or by dragging.",
            refusal=lambda name: self.session.new_tier_refusal(name, container)), chosen)

    def _focused_tier(self) -> str | None:
        """The tier of the focused column; a warning when it is "stays" or none."""
        column = self.query_one(Board).focused_column()
        if column is None or column.tier is None:
            self.notify("Focus a tier's column first (not stays)", severity="warning")
            return None
        return column.tier

    def action_delete_tier(self) -> None:
        tier = self._focused_tier()
        if tier is None:
            return
        count = len(self.query_one(Board).shown().get(tier, []))

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._edit(lambda: self.session.delete_tier(tier), f"deleted tier {tier}")

        back = (f"Its {count} unit{'s go' if count != 1 else ' goes'} back to stays. "
                if count else "It holds no unit. ")
        self.app.push_screen(Confirm(f"Delete tier '{tier}'?", f"{back}ctrl+z undoes it.",
                                     yes="Delete"), confirmed)

    def action_merge_tier(self) -> None:
        tier = self._focused_tier()
        if tier is None:
            return
        container = self.query_one(Board).container
        others = [t for t in self.session.tiers_for(container) if t != tier]
        if not others:
            self.notify(f"'{tier}' is the only tier of its container", severity="warning")
            return
        shown = self.query_one(Board).shown()
        choices = [(t, f"{len(shown.get(t, []))} units") for t in others]

        def chosen(into: str | None) -> None:
            if into:
                self._edit(lambda: self.session.merge_tiers(tier, into),
                           f"merged tier {tier} into {into}")

        self.app.push_screen(TierPicker(choices, shown.get(tier, []),
                                        title=f"Merge '{tier}' into…"), chosen)

    def action_shift_tier(self, step: int) -> None:
        tier = self._focused_tier()
        if tier is not None:
            self._edit(lambda: self.session.shift_tier(tier, step),
                       f"{tier} a layer {'up' if step > 0 else 'down'}")

    def action_resuggest(self) -> None:
        board = self.query_one(Board)
        container = board.container
        if container is None:
            return
        current = len(self.session.tiers_for(container))
        units = len([u for u in self.session.units()
                     if self.session.unit_info(u).container == container])

        def chosen(text: str | None) -> None:
            if text is None:
                return
            if not text.strip().isdigit():
                self.notify(f"'{text}' is not a number of tiers", severity="error")
                return
            tiers = int(text)
            self.notify(f"Suggesting {tiers} tiers for {container}…", timeout=2)
            self._edit(lambda: self.session.resuggest(container, tiers),
                       f"re-suggested {container}")

        self.app.push_screen(TextPrompt(
            f"Re-suggest the tiers of {container}", value=str(current or 3),
            help_text=f"How many tiers (1 to {units})? Its tiers and moves are replaced by "
                      f"a fresh suggestion from the import graph; the other containers "
                      f"stay as they are. ctrl+z undoes it."), chosen)

    def action_rename(self) -> None:
        unit = self.focused_unit
        column = self.query_one(Board).focused_column()
        if unit is None and column is not None and column.tier is not None:
            self._prompt_rename_tier(column.tier)  # an empty tier's column
            return
        if unit is None:
            self.notify("Focus a unit first", severity="warning")
            return
        info = self.session.unit_info(unit)
        tier = info.tier
        if tier is None:
            self.notify("Move the unit to a tier first; then its target name can change",
                        severity="warning")
            return

        def rename_unit(name: str | None) -> None:
            if name:
                self._edit(lambda: self.session.rename_unit(unit, name.strip()),
                           f"renamed {info.short}")

        def which(answer: str | None) -> None:
            if answer == "tier":
                self._prompt_rename_tier(tier)
            elif answer == "unit":
                self.app.push_screen(TextPrompt(
                    f"Target name of {unit}", value=info.short,
                    help_text="The module keeps its place in the tier under this name "
                              "(e.g. speculative_v2 -> speculative).",
                    refusal=lambda name: self.session.rename_unit_refusal(unit, name)),
                    rename_unit)

        self.app.push_screen(TierPicker(
            [("unit", f"rename {info.short} (its target name)"),
             ("tier", f"rename the tier '{tier}'")], [unit], title="Rename…"), which)

    def _prompt_rename_tier(self, tier: str) -> None:
        def renamed(name: str | None) -> None:
            if name and name.strip() != tier:
                self._follow_tier = name.strip()
                if not self._edit(lambda: self.session.rename_tier(tier, name.strip()),
                                  f"renamed tier {tier}"):
                    self._follow_tier = None

        self.app.push_screen(TextPrompt(
            f"Rename tier '{tier}'", value=tier,
            refusal=lambda name: None if name.strip() == tier
            else self.session.rename_tier_refusal(tier, name)), renamed)

    # -- the unit elsewhere --------------------------------------------------------------------

    def action_diff_unit(self) -> None:
        self.post_message(DiffRequested(whole_plan=False))

    def action_review_unit(self) -> None:
        if self.focused_unit:
            self.post_message(EdgesRequested(self.focused_unit))
