"""The board: one column per tier plus "stays", each unit a card you drag (or move with
keys) onto another column.

Textual has no drag and drop: a card captures the mouse on button down, finds the
column under the pointer with `Screen.get_widget_at` while it moves, and drops on
button up. The keyboard path (`m`, then pick a tier) posts the same `MoveRequested`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from pyagent_workbench.tui.messages import MoveRequested, UnitFocused

if TYPE_CHECKING:
    from pyagent_workbench.session import Session, UnitInfo

STAYS = "stays"


class UnitCard(Static, can_focus=True):
    """One unit: its (target) name, module count and cross-tier edge count."""

    DEFAULT_CSS = """
    UnitCard {
        height: 1;
        width: 1fr;
        padding: 0 1;
        color: $foreground;
    }
    UnitCard:hover { background: $boost; }
    UnitCard:focus { background: $accent 40%; text-style: bold; }
    UnitCard.-selected { background: $primary 30%; }
    UnitCard.-selected:focus { background: $primary 60%; }
    UnitCard.-dragging { text-style: italic; color: $text-muted; }
    """

    selected: reactive[bool] = reactive(False)

    def __init__(self, info: UnitInfo) -> None:
        super().__init__()
        self.info = info
        self.tooltip = f"{info.name}\n{info.modules} modules, {info.cross_edges} cross-tier edges"

    def update_info(self, info: UnitInfo) -> None:
        self.info = info
        self.tooltip = f"{info.name}\n{info.modules} modules, {info.cross_edges} cross-tier edges"
        self.refresh()

    def render(self) -> str:
        info = self.info
        mark = "■ " if self.selected else ""
        counts = f"{info.modules}m ⇄{info.cross_edges}"
        current = info.name.rpartition(".")[2]
        label = info.short if info.short == current else f"{current}→{info.short}"
        width = max(8, self.size.width - 2 if self.size.width else 22)
        name = mark + label
        room = width - len(counts) - 1
        if len(name) > room:
            name = name[: max(1, room - 1)] + "…"
        return f"{name.ljust(room)} {counts}"

    def watch_selected(self, selected: bool) -> None:
        self.set_class(selected, "-selected")

    @property
    def board(self) -> Board:
        return next(a for a in self.ancestors if isinstance(a, Board))

    def on_focus(self) -> None:
        self.post_message(UnitFocused(self.info.name))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        event.stop()
        self.focus()
        self.board.start_drag(self, event)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.board.dragging:
            event.stop()
            self.board.drag_over(event.screen_x, event.screen_y)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self.board.dragging:
            event.stop()
            self.board.end_drag(shift=event.shift or event.ctrl)


class TierColumn(Vertical):
    """A tier's column (or the "stays" column): a title and its unit cards."""

    DEFAULT_CSS = """
    TierColumn {
        width: 28;
        min-width: 20;
        height: 1fr;
        border: round $foreground 30%;
        border-title-color: $text-accent;
        border-subtitle-color: $text-muted;
        margin: 0 1 0 0;
    }
    TierColumn.-stays { border: round $foreground 15%; border-title-color: $text-muted; }
    TierColumn.-drop-target { border: heavy $accent; background: $accent 15%; }
    TierColumn > VerticalScroll { height: 1fr; scrollbar-size-vertical: 1; }
    TierColumn > .column-empty { color: $text-muted; padding: 0 1; }
    """

    def __init__(self, tier: str | None, subtitle: str, cards: list[UnitCard]) -> None:
        super().__init__(classes="-stays" if tier is None else "")
        self.tier = tier
        self.border_title = tier or STAYS
        self.border_subtitle = subtitle
        self._initial = cards

    def compose(self) -> ComposeResult:
        yield VerticalScroll(*self._initial)



class Board(HorizontalScroll):
    """All columns, side by side; owns the drag state and keyboard navigation."""

    BINDINGS = [
        Binding("up", "focus_card(0, -1)", "Up", show=False),
        Binding("down", "focus_card(0, 1)", "Down", show=False),
        Binding("left", "focus_card(-1, 0)", "Left", show=False),
        Binding("right", "focus_card(1, 0)", "Right", show=False),
        Binding("space", "toggle_select", "Select", id="select",
                tooltip="Add the focused unit to (or remove it from) the selection"),
        Binding("escape", "clear_selection", "Clear selection", show=False),
    ]

    DEFAULT_CSS = """
    Board { height: 1fr; padding: 0 0 0 1; }
    """

    dragging: list[str] | None = None
    _drag_card: UnitCard | None = None
    _drag_moved = False
    _drop_column: TierColumn | None = None
    _drag_origin: tuple[int, int] = (0, 0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._layout: list[str | None] = []
        self._cards: dict[str, UnitCard] = {}
        self._columns: dict[str | None, TierColumn] = {}
        self._shown: dict[str | None, list[str]] = {}
        """The units each column shows, in order (cards being removed are not in it)."""

    # -- building ------------------------------------------------------------------------

    def sync(self, session: Session) -> None:
        """Show the session's plan: rebuild columns when tiers changed, else move cards."""
        board = session.board()
        layout = [None, *[t for t in board if t is not None]]
        focused = self.screen.focused if self.is_mounted else None
        focused_unit = focused.info.name if isinstance(focused, UnitCard) else None
        selected = {u for u, c in self._cards.items() if c.selected}
        if layout != self._layout:
            self._layout = layout
            self.remove_children()
            self._cards = {}
            self._columns = {
                tier: TierColumn(tier, self._subtitle(session, tier),
                                 self._make_cards(board.get(tier, []), session, selected))
                for tier in layout
            }
            self.mount_all(list(self._columns.values()))
            self._shown = {tier: list(board.get(tier, [])) for tier in layout}
        else:
            for tier, column in self._columns.items():
                wanted = board.get(tier, [])
                column.border_subtitle = self._subtitle(session, tier)
                if self._shown.get(tier) == wanted:
                    for unit in wanted:
                        self._cards[unit].update_info(session.unit_info(unit))
                    continue
                for unit in self._shown.get(tier, []):
                    card = self._cards.pop(unit, None)
                    if card is not None and card.parent is not None:
                        card.remove()
                self._shown[tier] = list(wanted)
                cards = self._make_cards(wanted, session, selected)
                if cards:
                    column.query_one(VerticalScroll).mount_all(cards)
        if focused_unit:
            self.call_after_refresh(self.focus_unit, focused_unit)

    def _make_cards(self, units: list[str], session: Session,
                    selected: set[str]) -> list[UnitCard]:
        cards = []
        for unit in units:
            card = UnitCard(session.unit_info(unit))
            card.selected = unit in selected
            cards.append(card)
            self._cards[unit] = card
        return cards

    def _subtitle(self, session: Session, tier: str | None) -> str:
        count = sum(1 for t in session.view.metrics.assignment.values() if t == tier)
        if tier is None:
            return f"{count} units"
        info = session.plan.tier(tier)
        layer = f"L{info.layer} · " if info and info.layer is not None else ""
        return f"{layer}{count} units"

    # -- reading -------------------------------------------------------------------------

    def card(self, unit: str) -> UnitCard | None:
        return self._cards.get(unit)

    def column(self, tier: str | None) -> TierColumn | None:
        return self._columns.get(tier)

    def selection(self) -> list[str]:
        """The selected units, or the focused one when nothing is selected."""
        chosen = [u for u, c in self._cards.items() if c.selected]
        if chosen:
            return chosen
        focused = self.screen.focused
        return [focused.info.name] if isinstance(focused, UnitCard) else []

    def selected_count(self) -> int:
        return sum(1 for card in self._cards.values() if card.selected)

    def focus_unit(self, unit: str) -> None:
        card = self.card(unit)
        if card is not None:
            card.focus()
            card.scroll_visible(animate=False)

    # -- keyboard --------------------------------------------------------------------------

    def action_focus_card(self, dx: int, dy: int) -> None:
        columns = [self._shown.get(tier, []) for tier in self._layout]
        focused = self.screen.focused
        if not isinstance(focused, UnitCard) or focused.info.name not in self._cards:
            for units in columns:
                if units:
                    self.focus_unit(units[0])
                    return
            return
        unit = focused.info.name
        ci = next(i for i, units in enumerate(columns) if unit in units)
        ri = columns[ci].index(unit)
        if dy:
            units = columns[ci]
            self.focus_unit(units[max(0, min(len(units) - 1, ri + dy))])
            return
        index = ci + dx
        while 0 <= index < len(columns):
            if columns[index]:
                self.focus_unit(columns[index][min(ri, len(columns[index]) - 1)])
                return
            index += dx

    def action_toggle_select(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, UnitCard):
            focused.selected = not focused.selected

    def action_clear_selection(self) -> None:
        for card in self._cards.values():
            card.selected = False

    # -- mouse drag and drop ----------------------------------------------------------------

    def start_drag(self, card: UnitCard, event: events.MouseDown) -> None:
        units = self.selection() if card.selected else [card.info.name]
        self.dragging = units
        self._drag_card = card
        self._drag_moved = False
        self._drag_origin = (event.screen_x, event.screen_y)
        card.capture_mouse()

    def drag_over(self, x: int, y: int) -> None:
        if (x, y) != self._drag_origin:
            self._drag_moved = True
            if self._drag_card is not None:
                self._drag_card.add_class("-dragging")
        column = self._column_at(x, y)
        if column is not self._drop_column:
            if self._drop_column is not None:
                self._drop_column.remove_class("-drop-target")
            self._drop_column = column
            if column is not None:
                column.add_class("-drop-target")

    def end_drag(self, *, shift: bool = False) -> None:
        card, units, column = self._drag_card, self.dragging or [], self._drop_column
        moved = self._drag_moved
        self.cancel_drag()
        if card is None:
            return
        if not moved:
            if shift:
                card.selected = not card.selected
            return
        if column is not None and any(
                self.app_session().view.metrics.assignment.get(u) != column.tier for u in units):
            self.post_message(MoveRequested(units, column.tier))

    def cancel_drag(self) -> None:
        if self._drag_card is not None:
            self._drag_card.remove_class("-dragging")
            self._drag_card.release_mouse()
        if self._drop_column is not None:
            self._drop_column.remove_class("-drop-target")
        self.dragging = None
        self._drag_card = None
        self._drop_column = None
        self._drag_moved = False

    def _column_at(self, x: int, y: int) -> TierColumn | None:
        try:
            widget, _ = self.screen.get_widget_at(x, y)
        except Exception:
            return None
        node: Widget | None = widget
        while node is not None and not isinstance(node, TierColumn):
            node = node.parent if isinstance(node.parent, Widget) else None
        return node

    def app_session(self) -> Session:
        return cast("Session", self.app.session)  # type: ignore[attr-defined]
