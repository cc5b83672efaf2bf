"""The board: one column per tier plus "stays"; each unit a row you drag (or move with
keys) onto another column.

One widget draws every column of the shown container, and only the rows in sight
(Textual's line API): a frame of the board is its own lines, whether the container has
three tiers or thirty, and a zoom or a container switch restyles nothing. Textual has no
drag and drop: the board captures the mouse on button down, finds the column under the
pointer while it moves, and drops on button up. The keyboard path (`m`, then pick a
tier) posts the same `MoveRequested`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
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
COLUMN_WIDTH = 28
"""A column's width (its border included), zoomed in."""
GAP = 1
"""Blank cells after each column."""
WHEEL_ROWS = 3
"""Rows a column scrolls for one notch of the mouse wheel."""
AUTO_SCROLL_EVERY = 0.05
"""Seconds between two auto-scroll steps."""


def clip(text: str, width: int) -> str:
    """`text` in at most `width` cells, cut at its end with "…" when longer (a name in
    a wide script takes two cells a character)."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…" if width > 0 else ""


def clip_start(text: str, width: int) -> str:
    """`text` in at most `width` cells, cut at its start with "…" when longer."""
    if cell_len(text) <= width:
        return text
    kept: list[str] = []
    used = 0
    for char in reversed(text):
        used += cell_len(char)
        if used > width - 1:
            break
        kept.append(char)
    return "…" + "".join(reversed(kept)) if width > 0 else ""


def card_text(info: UnitInfo, width: int, selected: bool, *, compact: bool = False) -> str:
    """One unit's row, exactly `width` cells: its (target) name, module count and
    cross-tier edge count; compact, the name alone (the zoomed-out board has narrow
    columns)."""
    current = info.name.rpartition(".")[2]
    label = one_cell(info.short if info.short == current else f"{current}→{info.short}")
    if compact:
        return set_cell_size(clip(label, width), width)
    counts = f"{info.modules}m ⇄{info.cross_edges}"
    room = max(4, width - cell_len(counts) - 3)
    name = clip(("■ " if selected else "") + label, room)
    return set_cell_size(f" {set_cell_size(name, room)} {counts} ", width)


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
    return clip_start(one_cell(name), max(2, width - 2))


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


class TierColumn:
    """A tier's column (or the "stays" column) on the board: its units, cursor, selection
    and the first row in sight. Not a widget: the board draws every column itself, so a
    frame of the board is one widget's lines (a widget a column cost the compositor a
    strip per column per line, and a restyle of every column at each zoom)."""

    def __init__(self, container: str, tier: str | None) -> None:
        self.container = container
        self.tier = tier
        # The tier first: a narrow column cuts its title at the end.
        self.full_title = one_cell(f"{tier or STAYS} · {container.rpartition('.')[2]}")
        self.subtitle = ""
        self.units: list[str] = []
        self.infos: dict[str, UnitInfo] = {}
        self.selected: set[str] = set()
        self.dragging: set[str] = set()
        self.cursor = 0
        self.top = 0
        """The first row in sight (the column scrolls on its own)."""

    def __repr__(self) -> str:
        return f"TierColumn({self.container!r}, {self.tier!r}, {len(self.units)} units)"

    def show(self, units: list[str], infos: dict[str, UnitInfo]) -> bool:
        """Take the column's units; False when nothing it draws changed (most columns,
        after most edits)."""
        if units == self.units and all(infos[u] == self.infos.get(u) for u in units):
            return False
        current = self.current_unit()
        self.units = units
        self.infos = infos
        self.selected &= set(units)
        if current in units:
            self.cursor = units.index(current)
        else:
            self.cursor = min(self.cursor, max(0, len(units) - 1))
        return True

    def current_unit(self) -> str | None:
        if not self.units:
            return None
        return self.units[min(self.cursor, len(self.units) - 1)]

    def scroll_to_cursor(self, rows: int) -> None:
        """Bring the cursor's row into the `rows` in sight."""
        if self.cursor < self.top:
            self.top = self.cursor
        elif rows > 0 and self.cursor >= self.top + rows:
            self.top = self.cursor - rows + 1
        self.clamp(rows)

    def clamp(self, rows: int) -> None:
        self.top = max(0, min(self.top, len(self.units) - max(1, rows)))


class Placed(NamedTuple):
    """A shown column and where the board draws it (x in the board's scrollable width)."""

    column: TierColumn
    x: int
    width: int

    @property
    def right(self) -> int:
        return self.x + self.width


BOX = {"round": "╭─╮│╰╯", "heavy": "┏━┓┃┗┛"}
"""Top-left, horizontal, top-right, vertical, bottom-left, bottom-right."""
COMPACT_TOP = {"round": "▔", "heavy": "━"}


class Board(ScrollView, can_focus=True):
    """The shown container's columns, side by side, drawn by this one widget: it owns the
    cursor (a column and a row in it), the selection and the drag. Only the board scrolls
    sideways; each column scrolls up and down on its own."""

    COMPONENT_CLASSES = {
        "board--border", "board--border-stays", "board--border-focus", "board--drop",
        "board--title", "board--title-stays", "board--subtitle", "board--row",
        "board--cursor", "board--selected", "board--dragging", "board--drop-row",
        "board--scrollbar", "board--scrollbar-thumb",
    }

    BINDINGS = [
        Binding("space", "toggle_select", "Select", id="select",
                tooltip="Add the unit to the selection (several units move together)"),
        Binding("escape", "clear_selection", "Clear selection", show=False,
                id="clear-selection", tooltip="Clear the selection"),
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
    Board {
        height: 1fr;
        padding: 0 0 0 1;
        /* Always there: a scrollbar that comes and goes with the zoom or the container
           changes the board's height, a second layout and frame. */
        overflow-x: scroll;
        overflow-y: hidden;
        border-top: hkey $foreground 20%;
        border-title-color: $text-accent;
        border-title-align: left;
    }
    Board > .board--border { color: $foreground 30%; }
    Board > .board--border-stays { color: $foreground 15%; }
    Board > .board--border-focus { color: $accent; }
    Board > .board--drop { color: $accent; background: $accent 15%; }
    Board > .board--title { color: $text-accent; }
    Board > .board--title-stays { color: $text-muted; }
    Board > .board--subtitle { color: $text-muted; }
    Board > .board--row { color: $foreground; }
    Board > .board--cursor { background: $accent 40%; text-style: bold; }
    Board > .board--selected { background: $primary 30%; }
    Board > .board--dragging { color: $text-muted; text-style: italic; }
    Board > .board--drop-row { background: $accent 15%; }
    Board > .board--scrollbar { background: $scrollbar-background; }
    Board > .board--scrollbar-thumb { background: $scrollbar; }
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
        """Zoomed out: narrow columns sharing the width, one name a card."""
        self._layouts: dict[str, list[str | None]] = {}
        self._all: dict[str, dict[str | None, TierColumn]] = {}
        self._current: TierColumn | None = None
        """The column the cursor is in (shown with the focus)."""
        self._posted: str | None = None
        """The unit last announced as focused (`UnitFocused`)."""
        self._placed: list[Placed] | None = None
        self._palette: dict[str, Style] = {}

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
        """Show the session's plan: new columns when tiers changed, else new rows (only the
        columns that changed are drawn again). `follow_tier`: the focused column's tier
        under its new name (a tier renamed)."""
        board = session.board()
        infos = {unit: session.unit_info(unit) for unit in session.units()}
        layouts = container_layouts(container_order(session), session.tiers_for, infos)
        stays: dict[str, list[str]] = {container: [] for container in layouts}
        for unit in board.get(None, []):
            stays[infos[unit].container].append(unit)
        rebuilt = layouts != self._layouts
        kept: str | None = None
        old_tier: str | None = None
        if rebuilt:
            current = self._current
            kept = current.current_unit() if current is not None else None
            old_tier = current.tier if current is not None else None
            self._layouts = layouts
            if self.container not in layouts:
                self.container = next(iter(layouts), None)
            self._all = {container: {tier: TierColumn(container, tier) for tier in tiers}
                         for container, tiers in layouts.items()}
            self._current = None
            self._placed = None
        changed = []
        for container, columns in self._all.items():
            for tier, column in columns.items():
                units = stays[container] if tier is None else board.get(tier, [])
                subtitle = one_cell(self._subtitle(session, tier, len(units)))
                if column.show(units, infos) or subtitle != column.subtitle:
                    column.subtitle = subtitle
                    changed.append(column)
        if rebuilt:
            self._update_virtual_size()
            if kept is not None:
                self.focus_unit(kept, take_focus=False)
            else:  # an empty column: its tier's new column
                self._focus_tier(follow_tier or old_tier, take_focus=False)
            self.refresh()
        else:
            for column in changed:
                column.clamp(self._rows())
                self._refresh_column(column)
        self._update_title()

    def _subtitle(self, session: Session, tier: str | None, count: int) -> str:
        info = session.plan.tier(tier) if tier is not None else None
        layer = f"L{info.layer} · " if info and info.layer is not None else ""
        return f"{layer}{count} units"

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
        """Zoom out: narrow columns sharing the width, one name a card (and back)."""
        self.compact = not self.compact
        self._relayout()

    def show_container(self, container: str) -> None:
        """Put one container's columns on display (the selection is dropped: it could
        hold units no longer in sight)."""
        if container == self.container or container not in self._layouts:
            return
        self.action_clear_selection()
        self.cancel_drag()
        self.container = container
        self._placed = None
        if self._current is not None and self._current.container != container:
            self._current = None
        self._update_virtual_size()
        self._update_title()
        self.scroll_to(x=0, animate=False, immediate=True)
        self.refresh()

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
        self._set_cursor(column, column.units.index(unit))
        return column

    # -- geometry ---------------------------------------------------------------------------

    def _view(self) -> Size:
        """The size of what is in sight (the horizontal scrollbar apart)."""
        return self.scrollable_content_region.size

    def _rows(self) -> int:
        """How many units a column shows at once."""
        return max(0, self._view().height - (1 if self.compact else 2))

    def placed(self) -> list[Placed]:
        """The shown container's columns and their places, left to right."""
        if self._placed is None:
            columns = [self._columns[tier] for tier in self._layout]
            width = (compact_width(self._view().width, len(columns)) if self.compact
                     else COLUMN_WIDTH)
            self._placed = [Placed(column, index * (width + GAP), width)
                            for index, column in enumerate(columns)]
        return self._placed

    def _place_of(self, column: TierColumn) -> Placed | None:
        return next((p for p in self.placed() if p.column is column), None)

    def _update_virtual_size(self) -> None:
        """The width of every shown column. Set without a layout of the screen (only the
        board scrolls sideways, and its scrollbar is always there)."""
        placed = self.placed()
        size = Size(placed[-1].right + GAP if placed else 0, 0)
        if size != self.virtual_size:
            self.set_reactive(Board.virtual_size, size)
            self._scroll_update(size)

    def column_region(self, column: TierColumn) -> Region:
        """Where a shown column is on the screen (it may be out of sight)."""
        place = self._place_of(column)
        assert place is not None, column
        content = self.scrollable_content_region
        return Region(content.x + place.x - round(self.scroll_x), content.y, place.width,
                      content.height)

    def _refresh_column(self, column: TierColumn, row: int | None = None) -> None:
        """Draw one column again, or one of its rows (regions are relative to the
        content, as `Widget.refresh` takes them)."""
        place = self._place_of(column)
        if place is None:
            return
        x = place.x - round(self.scroll_x)
        if row is None:
            self.refresh(Region(x, 0, place.width, self._view().height))
        else:
            line = row - column.top
            if 0 <= line < self._rows():  # below the title, both zoomed in and out
                self.refresh(Region(x, 1 + line, place.width, 1))

    def _scroll_to_column(self, column: TierColumn) -> None:
        """Scroll sideways until the column is in sight."""
        place = self._place_of(column)
        if place is None:
            return
        width = self._view().width
        left = round(self.scroll_x)
        if place.x < left:
            self.scroll_to(x=place.x, animate=False, immediate=True)
        elif place.right > left + width:
            self.scroll_to(x=min(place.x, place.right + GAP - width), animate=False,
                           immediate=True)

    def on_resize(self) -> None:
        self._relayout()

    def _relayout(self) -> None:
        """Place the columns again (zoomed out, their widths follow the board's), the
        cursor's column and each column's cursor row kept in sight."""
        self._placed = None
        self._update_virtual_size()
        rows = self._rows()
        for column in self._columns.values():
            column.scroll_to_cursor(rows)
        if self._current is not None:
            self._scroll_to_column(self._current)
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._palette = {}
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        style = self._palette.get(name)
        if style is None:
            style = (self.rich_style if name == "blank"
                     else self.get_component_rich_style(f"board--{name}"))
            self._palette[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        blank = self._style("blank")
        left = round(self.scroll_x)
        view = self._view()
        segments: list[Segment] = []
        start = None
        cursor = self._current if self._focused() else None
        for place in self.placed():
            if place.right + GAP <= left:
                continue
            if place.x >= left + view.width:
                break
            if start is None:
                start = place.x
            segments.extend(self._column_line(place, y, view.height, place.column is cursor))
            segments.append(Segment(" " * GAP, blank))
        if start is None:
            return Strip.blank(width, blank)
        strip = Strip(segments).crop(left - start, left - start + width)
        return strip.extend_cell_length(width, blank)

    def _column_line(self, place: Placed, y: int, height: int,
                     focused: bool) -> list[Segment]:
        """Line `y` of a column; `focused`: the column has the board's cursor and focus."""
        column, width = place.column, place.width
        dropping = column is self._drop_column
        box = BOX["heavy" if dropping else "round"]
        edge = self._style("drop" if dropping else "border-focus" if focused
                           else "border-stays" if column.tier is None and not self.compact
                           else "border")
        title_style = self._style("title-stays" if column.tier is None else "title")
        if self.compact:
            if y == 0:
                title = compact_title(column.container, column.tier, width)
                top = COMPACT_TOP["heavy" if dropping else "round"]
                return [Segment(top, edge), Segment(title, title_style),
                        Segment(top * (width - 1 - cell_len(title)), edge)]
            return [self._card(column, y - 1 + column.top, width, dropping, focused)]
        inner = width - 2
        if y == 0:
            title = column.full_title
            title = clip(title, inner - 4)  # one cut short keeps a line after it
            return [Segment(box[0] + box[1] + " ", edge), Segment(title, title_style),
                    Segment(" " + box[1] * (inner - 3 - cell_len(title)) + box[2], edge)]
        if y == height - 1:
            subtitle = column.subtitle
            subtitle = clip(subtitle, inner - 4)
            return [Segment(box[4] + box[1] * (inner - 3 - cell_len(subtitle)) + " ", edge),
                    Segment(subtitle, self._style("subtitle")),
                    Segment(" " + box[1] + box[5], edge)]
        rows = height - 2
        overflow = len(column.units) > rows
        row = y - 1 + column.top
        line = [Segment(box[3], edge),
                self._card(column, row, inner - (1 if overflow else 0), dropping, focused)]
        if overflow:
            line.append(self._scrollbar_cell(column, y - 1, rows))
        line.append(Segment(box[3], edge))
        return line

    def _card(self, column: TierColumn, row: int, width: int, dropping: bool,
              focused: bool) -> Segment:
        if row >= len(column.units):
            return Segment(" " * width, self._style("drop-row" if dropping else "blank"))
        unit = column.units[row]
        selected = unit in column.selected
        text = card_text(column.infos[unit], width, selected, compact=self.compact)
        style = self._style("row")
        if dropping:
            style += self._style("drop-row")
        if selected:
            style += self._style("selected")
        if unit in column.dragging:
            style += self._style("dragging")
        if focused and row == column.cursor:
            style += self._style("cursor")
        return Segment(text, style)  # `card_text` fills the width exactly

    def _scrollbar_cell(self, column: TierColumn, line: int, rows: int) -> Segment:
        """One cell of a column's own scrollbar: its thumb spans the rows in sight."""
        total = len(column.units)
        size = max(1, round(rows * rows / total))
        start = min(rows - size, round(column.top * rows / total))
        thumb = start <= line < start + size
        return Segment(" ", self._style("scrollbar-thumb" if thumb else "scrollbar"))

    # -- reading ----------------------------------------------------------------------------

    def column(self, tier: str | None) -> TierColumn | None:
        """A tier's column (tier names are unique); `None`: the shown container's stays."""
        if tier is None:
            return self._columns.get(None)
        return next((cs[tier] for cs in self._all.values() if tier in cs), None)

    def column_of(self, unit: str) -> TierColumn | None:
        return next((c for cs in self._all.values() for c in cs.values() if unit in c.units),
                    None)

    def shown_columns(self) -> list[TierColumn]:
        """The shown container's columns, left to right."""
        return [place.column for place in self.placed()]

    def shown(self) -> dict[str | None, list[str]]:
        """Tier -> the units its column shows."""
        return {tier: list(column.units) for tier, column in self._columns.items()}

    def unit_offset(self, unit: str) -> tuple[Board, tuple[int, int]]:
        """Where a unit's row is (this widget, the offset inside it), scrolling it into
        view: what a mouse press on the unit needs."""
        column = self.reveal(unit)
        assert column is not None, unit
        self._scroll_to_column(column)
        return self, self.column_offset(column, column.units.index(unit) - column.top)

    def column_offset(self, column: TierColumn, line: int = 2) -> tuple[int, int]:
        """An offset inside this widget on a shown column, `line` rows below its title
        (scrolling the column into sight first)."""
        self._scroll_to_column(column)
        region = self.column_region(column)
        return (region.x - self.region.x + 3, region.y - self.region.y + 1 + line)

    @property
    def drop_target(self) -> TierColumn | None:
        """The column a drag would drop onto now."""
        return self._drop_column

    def focused_unit(self) -> str | None:
        column = self.focused_column()
        return column.current_unit() if column is not None else None

    def focused_column(self) -> TierColumn | None:
        """The cursor's column, when the board has the focus."""
        return self._current if self._focused() else None

    def _focused(self) -> bool:
        """Whether the screen's focus is here. Not `has_focus`: Textual sets that when the
        Focus event is handled, after this widget's own handler and after the keys
        already queued behind `set_focus`."""
        return self.is_attached and self.screen.focused is self

    def selection(self) -> list[str]:
        """The selected units, or the focused one when nothing is selected."""
        chosen = [u for c in self._columns.values() for u in c.units if u in c.selected]
        if chosen:
            return chosen
        unit = self.focused_unit()
        return [unit] if unit else []

    def selected_count(self) -> int:
        return sum(len(c.selected) for c in self._columns.values())

    # -- the cursor and the focus -----------------------------------------------------------

    def _set_cursor(self, column: TierColumn, row: int) -> None:
        """Put the cursor on a row of a shown column, in sight; say which unit has it."""
        previous = self._current
        if previous is not None and previous is not column:
            self._refresh_column(previous)  # its border loses the focus colour
        elif previous is column:
            self._refresh_column(column, column.cursor)
        self._current = column
        column.cursor = max(0, min(row, len(column.units) - 1))
        top = column.top
        column.scroll_to_cursor(self._rows())
        if column.top != top or previous is not column:
            self._refresh_column(column)
        else:
            self._refresh_column(column, column.cursor)
        self._scroll_to_column(column)
        self._announce()

    def _announce(self) -> None:
        if self._focused() and self._current is not None:
            unit = self._current.current_unit()
            if unit != self._posted:
                self._posted = unit
                self.post_message(UnitFocused(unit))

    def focus_unit(self, unit: str, *, take_focus: bool = True) -> None:
        column = self.reveal(unit)
        if column is not None and take_focus:
            self._take_focus()

    def focus_column(self, column: TierColumn) -> None:
        """Focus a shown column (an empty one too: a tier just made)."""
        self._set_cursor(column, column.cursor)
        self._take_focus()

    def _focus_tier(self, tier: str | None, *, take_focus: bool = True) -> None:
        """Put the cursor in a tier's column, or on the first unit when the tier is gone."""
        column = self.column(tier)
        if column is not None and column.container == self.container:
            self._set_cursor(column, column.cursor)
            if take_focus:
                self._take_focus()
        else:
            self.action_focus_first(take_focus=take_focus)

    def _take_focus(self) -> None:
        """Focus now, not after the next refresh (as `Widget.focus` does): the next key
        press must find the focus where this one left it, or fast presses are lost."""
        if self.is_attached and not self._focused():
            self.screen.set_focus(self, scroll_visible=False)

    def on_focus(self) -> None:
        self._posted = None
        if self._current is not None:
            self._refresh_column(self._current)  # its border and cursor
        self._announce()

    def on_blur(self) -> None:
        if self._current is not None:
            self._refresh_column(self._current)

    # -- keyboard ---------------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        column = self._current
        if column is not None and column.units:
            self._set_cursor(column, column.cursor + step)

    def action_column(self, step: int) -> None:
        """Focus the next column with units that way, on the same screen row."""
        columns = self.shown_columns()
        column = self._current
        if column is None or column not in columns:
            self.action_focus_first()
            return
        index = next_column([len(c.units) for c in columns], columns.index(column), step)
        if index is None:
            return
        target = columns[index]
        self._set_cursor(target, target.top + column.cursor - column.top)

    def action_focus_first(self, *, take_focus: bool = True) -> None:
        for column in self.shown_columns():
            if column.units:
                self._set_cursor(column, column.cursor)
                break
        else:
            columns = self.shown_columns()
            if columns:
                self._set_cursor(columns[0], 0)
        if take_focus:
            self._take_focus()

    def action_toggle_select(self) -> None:
        column = self.focused_column()
        unit = column.current_unit() if column is not None else None
        if column is not None and unit is not None:
            column.selected ^= {unit}
            self._refresh_column(column, column.cursor)

    def action_clear_selection(self) -> None:
        for column in self._every_column():
            if column.selected:
                column.selected.clear()
                self._refresh_column(column)

    # -- mouse: clicks, wheel, drag and drop ------------------------------------------------

    def _at(self, x: int, y: int) -> tuple[TierColumn, int | None] | None:
        """The shown column at screen (x, y), with the row of the unit there (or None)."""
        content = self.scrollable_content_region
        if not content.contains(x, y):
            return None
        virtual = x - content.x + round(self.scroll_x)
        place = next((p for p in self.placed() if p.x <= virtual < p.right), None)
        if place is None:
            return None
        line = y - content.y - 1
        rows = self._rows()
        column = place.column
        row = column.top + line
        return column, (row if 0 <= line < rows and row < len(column.units) else None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        hit = self._at(event.screen_x, event.screen_y)
        if hit is None:
            return
        event.stop()
        column, row = hit
        self._take_focus()
        self._set_cursor(column, column.cursor if row is None else row)
        if row is not None:
            self.start_drag(column, column.units[row], event)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.dragging:
            event.stop()
            self.drag_over(event.screen_x, event.screen_y)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self.dragging:
            event.stop()
            self.end_drag(shift=event.shift or event.ctrl)

    def _wheel(self, event: events.MouseScrollDown | events.MouseScrollUp, step: int) -> None:
        """The wheel scrolls the column under the pointer (its cursor stays put)."""
        hit = self._at(event.screen_x, event.screen_y)
        if hit is None:
            return
        event.stop()
        event.prevent_default()
        column = hit[0]
        top = column.top
        column.top += step * WHEEL_ROWS
        column.clamp(self._rows())
        if column.top != top:
            self._refresh_column(column)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._wheel(event, 1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._wheel(event, -1)

    def start_drag(self, column: TierColumn, unit: str, event: events.MouseDown) -> None:
        units = self.selection() if unit in column.selected else [unit]
        self.dragging = units
        self._drag_column = column
        self._drag_moved = False
        self._drag_origin = (event.screen_x, event.screen_y)
        self.capture_mouse()

    def drag_over(self, x: int, y: int) -> None:
        if (x, y) != self._drag_origin and not self._drag_moved:
            self._drag_moved = True
            for column in self._columns.values():
                column.dragging = set(self.dragging or []) & set(column.units)
                if column.dragging:
                    self._refresh_column(column)
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
        hit = self._at(*self._drag_point)
        target = hit[0] if hit is not None else None
        if target is not self._drop_column:
            previous, self._drop_column = self._drop_column, target
            for column in (previous, target):
                if column is not None:
                    self._refresh_column(column)

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
            self.release_mouse()
        for column in self._every_column():
            if column.dragging:
                column.dragging = set()
                self._refresh_column(column)
        if self._drop_column is not None:
            self._refresh_column(self._drop_column)
        self._auto_scroll.pause()
        self.dragging = None
        self._drag_column = None
        self._drop_column = None
        self._drag_moved = False

    def _every_column(self) -> list[TierColumn]:
        return [c for columns in self._all.values() for c in columns.values()]
