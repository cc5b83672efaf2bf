"""The board: one column per tier plus "stays"; each unit a row you drag (or move with
keys) onto another column.

A column draws only the rows in view (Textual's line API), so a board of a thousand
units stays as quick as one of ten. Textual has no drag and drop: a column captures
the mouse on button down, the board finds the column under the pointer with
`Screen.get_widget_at` while it moves, and drops on button up. The keyboard path
(`m`, then pick a tier) posts the same `MoveRequested`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.containers import HorizontalScroll
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from pyagent_workbench.display import one_cell
from pyagent_workbench.tui.literal import literal
from pyagent_workbench.tui.messages import MoveRequested, UnitFocused

if TYPE_CHECKING:
    from pyagent_workbench.session import Session, UnitInfo

STAYS = "stays"
UNITS = Binding.Group("move between the units of a column")
COLUMNS = Binding.Group("move between columns")
AUTO_SCROLL_EDGE = 4
"""How near (cells) the board's left or right edge a drag makes it scroll."""
AUTO_SCROLL_CELLS = 6
COMPACT_MIN_WIDTH = 8
AUTO_SCROLL_EVERY = 0.05
"""Seconds between two auto-scroll steps."""


def card_text(info: UnitInfo, width: int, selected: bool, *, compact: bool = False) -> str:
    """One unit's row: its (target) name, module count and cross-tier edge count; compact,
    the name alone (the zoomed-out board has narrow columns)."""
    current = info.name.rpartition(".")[2]
    label = one_cell(info.short if info.short == current else f"{current}→{info.short}")
    if compact:
        name = label if len(label) <= width else label[: max(1, width - 1)] + "…"
        return name.ljust(width)
    counts = f"{info.modules}m ⇄{info.cross_edges}"
    name = ("■ " if selected else "") + label
    room = max(4, width - len(counts) - 3)
    if len(name) > room:
        name = name[: max(1, room - 1)] + "…"
    return f" {name.ljust(room)} {counts} "


def next_column(sizes: list[int], index: int, step: int) -> int | None:
    """The index of the next column with units `step` away from `index` (empty ones are
    skipped), or None at the end of the board."""
    index += step
    while 0 <= index < len(sizes):
        if sizes[index]:
            return index
        index += step
    return None


def edge_step(x: int, left: int, right: int) -> int:
    """-1 or 1 when `x` is within `AUTO_SCROLL_EDGE` cells of the left or right edge of
    [left, right), else 0."""
    if x < left + AUTO_SCROLL_EDGE:
        return -1
    if x >= right - AUTO_SCROLL_EDGE:
        return 1
    return 0


def compact_width(available: int, columns: int) -> int:
    """Zoomed out: a column's width (with its one-cell gap) when `columns` share
    `available` cells, never under `COMPACT_MIN_WIDTH`."""
    return max(COMPACT_MIN_WIDTH, available // max(1, columns) - 1)


def compact_title(container: str, tier: str | None, width: int) -> str:
    """A zoomed-out column's title: the tier's name without its container's name in
    front, cut from the left (tiers of one container differ at the end; the container is
    in the board's title)."""
    name = tier or STAYS
    short = container.rpartition(".")[2]
    if name.startswith(short) and len(name) > len(short) + 1:
        name = name[len(short):].lstrip("_.")
    room = max(2, width - 2)
    return name if len(name) <= room else "…" + name[-(room - 1):]


def container_order(session: Session) -> list[str]:
    """The plan's containers in its order, then any other the analysis found: the board
    and the tree list them alike."""
    return list(dict.fromkeys([*(session.plan.containers or []), *session.containers]))


def container_layouts(containers: list[str], tiers_for: Callable[[str], list[str]],
                      infos: dict[str, UnitInfo]) -> dict[str, list[str | None]]:
    """Container -> its columns ("stays" first, then its tiers), for every container with
    units or tiers: the plan's containers in its order, then the others."""
    holding = {info.container for info in infos.values()}
    layouts = {c: [None, *tiers_for(c)] for c in dict.fromkeys([*containers, *sorted(holding)])}
    return {c: tiers for c, tiers in layouts.items() if c in holding or len(tiers) > 1}


def set_border_text(widget: Widget, *, title: str | None = None,
                    subtitle: str | None = None) -> None:
    """Set a border's title and/or subtitle when the text changes. Textual repaints the
    whole widget at every set, even of the same text: after each move the board (most of
    the screen) and every column were painted again for titles that had not changed.
    The text (tier and package names) is shown as written, never read as markup."""
    shown: dict[str, str] = widget.__dict__.setdefault("_border_texts", {})
    for name, text in (("border_title", title), ("border_subtitle", subtitle)):
        if text is not None and shown.get(name) != text:
            shown[name] = text
            setattr(widget, name, literal(text))


class TierColumn(ScrollView, can_focus=True):
    """A tier's column (or the "stays" column): a title and one row per unit."""

    COMPONENT_CLASSES = {
        "tier-column--cursor", "tier-column--selected", "tier-column--dragging",
        "tier-column--row",
    }

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="unit-up", group=UNITS),
        Binding("down", "cursor(1)", "Down", show=False, id="unit-down", group=UNITS),
        Binding("pageup", "cursor(-10)", "Page up", show=False, id="unit-page-up",
                group=UNITS),
        Binding("pagedown", "cursor(10)", "Page down", show=False, id="unit-page-down",
                group=UNITS),
        Binding("home", "cursor(-100000)", "First", show=False, id="unit-first", group=UNITS),
        Binding("end", "cursor(100000)", "Last", show=False, id="unit-last", group=UNITS),
        Binding("left", "column(-1)", "Left", show=False, id="column-left", group=COLUMNS),
        Binding("right", "column(1)", "Right", show=False, id="column-right", group=COLUMNS),
    ]

    DEFAULT_CSS = """
    TierColumn {
        width: 28;
        min-width: 20;
        height: 1fr;
        border: round $foreground 30%;
        border-title-color: $text-accent;
        border-subtitle-color: $text-muted;
        margin: 0 1 0 0;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 0;
        overflow-x: hidden;
    }
    TierColumn:focus { border: round $accent; }
    TierColumn.-stays { border: round $foreground 15%; border-title-color: $text-muted; }
    TierColumn.-stays:focus { border: round $accent; }
    TierColumn.-drop-target { border: heavy $accent; background: $accent 15%; }
    TierColumn > .tier-column--row { color: $foreground; }
    TierColumn > .tier-column--cursor { background: $accent 40%; text-style: bold; }
    TierColumn > .tier-column--selected { background: $primary 30%; }
    TierColumn > .tier-column--dragging { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, init=False, repaint=False)

    def __init__(self, container: str, tier: str | None, *, compact: bool = False,
                 shown: bool = True) -> None:
        super().__init__(classes=" ".join(
            name for name, wanted in (("-stays", tier is None), ("-compact", compact))
            if wanted))
        self.display = shown
        self.container = container
        self.tier = tier
        # The tier first: a narrow column cuts its title at the end.
        self.full_title = f"{tier or STAYS} · {container.rpartition('.')[2]}"
        set_border_text(self, title=self.full_title)
        self.units: list[str] = []
        self.infos: dict[str, UnitInfo] = {}
        self.selected: set[str] = set()
        self.dragging: set[str] = set()
        self.compact = compact
        self.fitted: int | None = None
        """The width the zoomed-out board gave the column (`None`: its own)."""
        self._blank_style: Style | None = None
        """The column's own style, for the rows below its last unit (`rich_style` walks
        every ancestor: a few hundred microseconds a row, every frame)."""

    # -- content ----------------------------------------------------------------------------

    def set_compact(self, compact: bool) -> None:
        """Zoomed out (or not): narrow, one name a card."""
        if compact != self.compact:
            self.compact = compact
            self.set_class(compact, "-compact")
            self.refresh()

    def show(self, units: list[str], infos: dict[str, UnitInfo]) -> None:
        if units == self.units and all(infos[u] == self.infos.get(u) for u in units):
            return  # nothing to draw again (most columns, after most edits)
        current = self.current_unit()
        self.units = units
        self.infos = infos
        self.selected &= set(units)
        self.virtual_size = Size(0, len(units))  # no width: see on_resize
        if current in units:
            self.cursor = units.index(current)
        else:
            self.cursor = min(self.cursor, max(0, len(units) - 1))
        self.refresh()

    def current_unit(self) -> str | None:
        if not self.units:
            return None
        return self.units[min(self.cursor, len(self.units) - 1)]

    def render_line(self, y: int) -> Strip:
        row = y + self.scroll_offset.y
        width = self.size.width
        if row >= len(self.units):
            if self._blank_style is None:
                self._blank_style = self.rich_style
            return Strip.blank(width, self._blank_style)
        unit = self.units[row]
        info = self.infos[unit]
        text = card_text(info, width, unit in self.selected, compact=self.compact)
        style = self.get_component_rich_style("tier-column--row")
        if unit in self.selected:
            style += self.get_component_rich_style("tier-column--selected")
        if unit in self.dragging:
            style += self.get_component_rich_style("tier-column--dragging")
        if row == self.cursor and self.has_focus:
            style += self.get_component_rich_style("tier-column--cursor")
        return Strip([Segment(text[:width].ljust(width), style)]).simplify()

    def notify_style_update(self) -> None:
        self._blank_style = None
        super().notify_style_update()

    def on_resize(self) -> None:
        """The virtual size has no width (a column never scrolls sideways), so a new
        width does not change it: changing it asks for a layout of the whole screen, a
        second frame for every zoom and container switch."""
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old - self.scroll_offset.y)
        self.refresh_line(new - self.scroll_offset.y)
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, immediate=True)
        if self.has_focus:
            self.post_message(UnitFocused(self.current_unit()))

    def on_focus(self) -> None:
        self.refresh()
        self.post_message(UnitFocused(self.current_unit()))

    def on_blur(self) -> None:
        self.refresh()

    def action_cursor(self, step: int) -> None:
        if self.units:
            self.cursor = max(0, min(len(self.units) - 1, self.cursor + step))

    def action_column(self, step: int) -> None:
        """Left and Right belong to the board: a column never scrolls sideways."""
        self.board.move_column(self, step)

    def row_of(self, unit: str) -> int | None:
        return self.units.index(unit) if unit in self.units else None

    def unit_at(self, y: int) -> str | None:
        """The unit on the row at widget-relative `y`."""
        row = y + self.scroll_offset.y
        return self.units[row] if 0 <= row < len(self.units) else None

    # -- mouse: drag and drop ---------------------------------------------------------------

    @property
    def board(self) -> Board:
        return next(a for a in self.ancestors if isinstance(a, Board))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        offset = event.get_content_offset(self)
        unit = self.unit_at(offset.y) if offset is not None else None
        if unit is None:
            return
        event.stop()
        self.focus()
        self.cursor = self.units.index(unit)
        self.board.start_drag(self, unit, event)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.board.dragging:
            event.stop()
            self.board.drag_over(event.screen_x, event.screen_y)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self.board.dragging:
            event.stop()
            self.board.end_drag(shift=event.shift or event.ctrl)


class Board(HorizontalScroll):
    """All columns, side by side; owns the drag state and moves between columns."""

    BINDINGS = [
        Binding("space", "toggle_select", "Select", id="select",
                tooltip="Add the unit to the selection (several units move together)"),
        Binding("escape", "clear_selection", "Clear selection", show=False,
                id="clear-selection", tooltip="Clear the selection"),
    ]

    DEFAULT_CSS = """
    Board {
        height: 1fr;
        padding: 0 0 0 1;
        /* Always there: a scrollbar that comes and goes with the zoom or the container
           changes the columns' height, a second layout and frame of the whole board. */
        overflow-x: scroll;
        border-top: hkey $foreground 20%;
        border-title-color: $text-accent;
        border-title-align: left;
    }
    Board > TierColumn.-compact {
        min-width: 0;
        border: none;
        border-top: hkey $foreground 30%;
        border-subtitle-color: $text-muted;
        margin: 0 1 0 0;
        scrollbar-size-vertical: 0;
    }
    Board > TierColumn.-compact:focus { border: none; border-top: hkey $accent; }
    Board > TierColumn.-compact.-drop-target { border: none; border-top: heavy $accent; }
    """

    dragging: list[str] | None = None
    _drag_column: TierColumn | None = None
    _drag_moved = False
    _drop_column: TierColumn | None = None
    _drag_origin: tuple[int, int] = (0, 0)
    _drag_point: tuple[int, int] = (0, 0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.container: str | None = None
        """The container being restructured: only its columns are on display."""
        self.compact = False
        """Zoomed out. Hidden columns are brought to it when their container is shown:
        restyling every container's columns cost a zoom 60 ms on Django."""
        self._layouts: dict[str, list[str | None]] = {}
        self._all: dict[str, dict[str | None, TierColumn]] = {}

    def on_mount(self) -> None:
        self._auto_scroll = self.set_interval(AUTO_SCROLL_EVERY, self._auto_scroll_tick,
                                              pause=True)

    @property
    def _layout(self) -> list[str | None]:
        return self._layouts.get(self.container or "", [])

    @property
    def _columns(self) -> dict[str | None, TierColumn]:
        return self._all.get(self.container or "", {})

    # -- building ---------------------------------------------------------------------------

    def sync(self, session: Session, *, follow_tier: str | None = None) -> None:
        """Show the session's plan: new columns when tiers changed, else new rows.
        `follow_tier`: the focused column's tier under its new name (a tier renamed)."""
        board = session.board()
        infos = {unit: session.unit_info(unit) for unit in session.units()}
        layouts = container_layouts(container_order(session), session.tiers_for, infos)
        stays: dict[str, list[str]] = {container: [] for container in layouts}
        for unit in board.get(None, []):
            stays[infos[unit].container].append(unit)
        if layouts != self._layouts:
            focused = self.focused_unit()
            focused_column = self.focused_column()
            self._layouts = layouts
            self.remove_children()
            if self.container not in layouts:
                self.container = next(iter(layouts), None)
            self._all = {container: {tier: TierColumn(container, tier, compact=self.compact,
                                                      shown=container == self.container)
                                     for tier in tiers}
                         for container, tiers in layouts.items()}
            self.mount_all(self._every_column())
            self._fit_columns()
            if focused:
                self.call_after_refresh(self.focus_unit, focused)
            elif focused_column is not None:  # an empty column: its tier's new column
                self.call_after_refresh(self._focus_tier, follow_tier or focused_column.tier)
        for container, columns in self._all.items():
            for tier, column in columns.items():
                units = stays[container] if tier is None else board.get(tier, [])
                set_border_text(column, subtitle=self._subtitle(session, tier, len(units)))
                column.show(units, infos)
        self._update_title()

    def _subtitle(self, session: Session, tier: str | None, count: int) -> str:
        info = session.plan.tier(tier) if tier is not None else None
        layer = f"L{info.layer} · " if info and info.layer is not None else ""
        return f"{layer}{count} units"

    def _display_container(self, previous: str | None) -> None:
        """Hide the previous container's columns, show this one's (zoomed as the board)."""
        for column in self._all.get(previous or "", {}).values():
            column.display = False
        for column in self._columns.values():
            column.set_compact(self.compact)
            column.display = True

    def _update_title(self) -> None:
        """The board's title says which container it shows and how many others there are."""
        container = self.container
        if container is None:
            set_border_text(self, title="")
            return
        stays = self._columns[None].units if None in self._columns else []
        others = len(self._layouts) - 1
        switch = f" · {others} other container{'s' if others != 1 else ''} ([ ])"
        set_border_text(self, title=f"{container} · {len(self._layout) - 1} tiers · "
                                    f"{len(stays)} stay{switch if others else ''}")

    def toggle_compact(self) -> None:
        """Zoom out: narrow columns sharing the width, one name a card."""
        self.compact = not self.compact
        for column in self._columns.values():
            column.set_compact(self.compact)
        self._fit_columns()
        focused = self.screen.focused
        if isinstance(focused, TierColumn):
            self.call_after_refresh(self._scroll_into_view, focused)

    def _fit_columns(self) -> None:
        """Zoomed out, the shown columns share the board's width (down to a minimum)."""
        width = compact_width(self.scrollable_content_region.width, len(self._layout))
        for column in self._columns.values():
            fitted = width if column.compact else None
            if fitted != column.fitted:  # setting a width, even the same, asks for a layout
                column.fitted = fitted
                column.styles.width = fitted
            set_border_text(column, title=(
                compact_title(column.container, column.tier, width) if column.compact
                else column.full_title))

    def show_container(self, container: str) -> None:
        """Put one container's columns on display (the selection is dropped: it could
        hold units no longer in sight)."""
        if container == self.container or container not in self._layouts:
            return
        self.action_clear_selection()
        self.cancel_drag()
        previous, self.container = self.container, container
        self._display_container(previous)
        self._fit_columns()
        self._update_title()
        self.scroll_to(x=0, animate=False, immediate=True)

    def switch_container(self, step: int) -> None:
        """The next (or previous) container, its first unit focused."""
        containers = list(self._layouts)
        if not containers:
            return
        index = containers.index(self.container) if self.container in containers else 0
        self.show_container(containers[(index + step) % len(containers)])
        self.action_focus_first()

    def reveal(self, unit: str) -> TierColumn | None:
        """Show the unit's container and put the cursor on it, without taking the focus."""
        column = self.column_of(unit)
        if column is None:
            return None
        self.show_container(column.container)
        column.cursor = column.units.index(unit)
        self._scroll_into_view(column)
        self.call_after_refresh(self._scroll_into_view, column)
        return column

    # -- reading ----------------------------------------------------------------------------

    def column(self, tier: str | None) -> TierColumn | None:
        """A tier's column (tier names are unique); `None`: the shown container's stays."""
        if tier is None:
            return self._columns.get(None)
        return next((cs[tier] for cs in self._all.values() if tier in cs), None)

    def column_of(self, unit: str) -> TierColumn | None:
        return next((c for cs in self._all.values() for c in cs.values() if unit in c.units),
                    None)

    def shown(self) -> dict[str | None, list[str]]:
        """Tier -> the units its column shows."""
        return {tier: list(column.units) for tier, column in self._columns.items()}

    def unit_offset(self, unit: str) -> tuple[TierColumn, tuple[int, int]]:
        """Where a unit's row is (column, offset inside it), scrolling it into view."""
        column = self.reveal(unit)
        assert column is not None, unit
        row = column.units.index(unit)
        self.scroll_to_widget(column, animate=False, immediate=True)
        column.scroll_to_region(Region(0, row, 1, 1), animate=False, immediate=True)
        return column, (3, row - column.scroll_offset.y + 1)

    def focused_unit(self) -> str | None:
        column = self.focused_column()
        return column.current_unit() if column is not None else None

    def focused_column(self) -> TierColumn | None:
        focused = self.screen.focused if self.is_attached else None
        return focused if isinstance(focused, TierColumn) else None

    def selection(self) -> list[str]:
        """The selected units, or the focused one when nothing is selected."""
        chosen = [u for c in self._columns.values() for u in c.units if u in c.selected]
        if chosen:
            return chosen
        unit = self.focused_unit()
        return [unit] if unit else []

    def selected_count(self) -> int:
        return sum(len(c.selected) for c in self._columns.values())

    def focus_unit(self, unit: str) -> None:
        column = self.reveal(unit)
        if column is not None:
            self._focus_column(column)

    def _focus_tier(self, tier: str | None) -> None:
        """Focus a tier's column, or the first unit when the tier is gone."""
        column = self.column(tier)
        if column is not None and column.container == self.container:
            self._focus_column(column)
        else:
            self.action_focus_first()

    def _focus_column(self, column: TierColumn) -> None:
        """Focus now, not after the next refresh (as `Widget.focus` does): the next key
        press must find the focus where this one left it, or fast presses are lost."""
        self.screen.set_focus(column, scroll_visible=False)
        self._scroll_into_view(column)
        # A column just put on display has no size until the next layout.
        self.call_after_refresh(self._scroll_into_view, column)

    def _scroll_into_view(self, column: TierColumn) -> None:
        self.scroll_to_widget(column, animate=False, immediate=True)
        column.scroll_to_region(Region(0, column.cursor, 1, 1), animate=False, immediate=True)

    def on_resize(self) -> None:
        """After a resize the focused column may be off-screen: bring it back."""
        self._fit_columns()
        focused = self.screen.focused if self.is_attached else None
        if isinstance(focused, TierColumn) and focused in self.children:
            self.call_after_refresh(self._scroll_into_view, focused)

    # -- keyboard ---------------------------------------------------------------------------

    def move_column(self, column: TierColumn, step: int) -> None:
        """Focus the next column with units that way, on the same screen row."""
        columns = [self._columns[t] for t in self._layout]
        index = next_column([len(c.units) for c in columns], columns.index(column), step)
        if index is None:
            return
        target = columns[index]
        row = column.cursor - column.scroll_offset.y
        target.cursor = min(target.scroll_offset.y + row, len(target.units) - 1)
        self._focus_column(target)

    def action_focus_first(self) -> None:
        for tier in self._layout:
            column = self._columns[tier]
            if column.units:
                self._focus_column(column)
                return

    def action_toggle_select(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, TierColumn):
            unit = focused.current_unit()
            if unit is not None:
                focused.selected ^= {unit}
                focused.refresh()

    def action_clear_selection(self) -> None:
        for column in self._every_column():
            if column.selected:
                column.selected.clear()
                column.refresh()

    # -- mouse drag and drop ----------------------------------------------------------------

    def start_drag(self, column: TierColumn, unit: str, event: events.MouseDown) -> None:
        units = self.selection() if unit in column.selected else [unit]
        self.dragging = units
        self._drag_column = column
        self._drag_moved = False
        self._drag_origin = (event.screen_x, event.screen_y)
        column.capture_mouse()

    def drag_over(self, x: int, y: int) -> None:
        if (x, y) != self._drag_origin and not self._drag_moved:
            self._drag_moved = True
            for column in self._columns.values():
                column.dragging = set(self.dragging or []) & set(column.units)
                if column.dragging:
                    column.refresh()
        self._drag_point = (x, y)
        if self._edge_step(x):
            self._auto_scroll.resume()
        self._update_drop_target()

    def _edge_step(self, x: int) -> int:
        region = self.region
        return edge_step(x, region.x, region.right)

    def _auto_scroll_tick(self) -> None:
        """While a drag rests near the left or right edge, the board scrolls that way,
        so a drag reaches columns off-screen."""
        step = self._edge_step(self._drag_point[0]) if self.dragging else 0
        if not step:
            self._auto_scroll.pause()
            return
        self.scroll_relative(x=step * AUTO_SCROLL_CELLS, animate=False, immediate=True)
        self._update_drop_target()

    def _update_drop_target(self) -> None:
        target = self._column_at(*self._drag_point)
        if target is not self._drop_column:
            if self._drop_column is not None:
                self._drop_column.remove_class("-drop-target")
            self._drop_column = target
            if target is not None:
                target.add_class("-drop-target")

    def end_drag(self, *, shift: bool = False) -> None:
        source, units, target = self._drag_column, self.dragging or [], self._drop_column
        moved = self._drag_moved
        self.cancel_drag()
        if source is None:
            return
        if not moved:
            if shift:
                self.action_toggle_select()
            return
        if target is not None and any(u not in target.units for u in units):
            self.post_message(MoveRequested(units, target.tier))

    def cancel_drag(self) -> None:
        if self._drag_column is not None:
            self._drag_column.release_mouse()
        for column in self._every_column():
            if column.dragging:
                column.dragging = set()
                column.refresh()
        if self._drop_column is not None:
            self._drop_column.remove_class("-drop-target")
        self._auto_scroll.pause()
        self.dragging = None
        self._drag_column = None
        self._drop_column = None
        self._drag_moved = False

    def _every_column(self) -> list[TierColumn]:
        return [c for columns in self._all.values() for c in columns.values()]

    def _column_at(self, x: int, y: int) -> TierColumn | None:
        try:
            widget, _ = self.screen.get_widget_at(x, y)
        except Exception:
            return None
        node: Widget | None = widget
        while node is not None and not isinstance(node, TierColumn):
            node = node.parent if isinstance(node.parent, Widget) else None
        return node
