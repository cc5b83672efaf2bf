"""The footer: the keys that work here, the key list's key first, on one line.

One widget drawing one line, where Textual's footer is a container of a widget per key:
it recomposed them (some twenty widgets mounted, styled and laid out, then a layout of
the whole screen) at every change of the keys shown, a good part of a tab switch or a
picker's opening on Django. Like Textual's, it lists the focused widget's keys, then its
ancestors', then the app's, and the command palette's key on the right; a click on a key
presses it, and hovering shows what it does. Unlike it, `? Keys` (the key that explains
all the others) comes first, so that it is the last to be cut off at 80 columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

FIRST_ACTION = "help"

PALETTE_EDGE = "▏"


@dataclass(frozen=True)
class FooterItem:
    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str

    @property
    def width(self) -> int:
        return cell_len(self.display) + 2 + cell_len(self.description) + 1


class KeysFirstFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--description",
                         "keys-footer--hover", "keys-footer--edge"}
    DEFAULT_CSS = """
    KeysFirstFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeysFirstFooter > .keys-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeysFirstFooter > .keys-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeysFirstFooter > .keys-footer--hover { background: $block-hover-background; }
    KeysFirstFooter > .keys-footer--edge { color: $foreground 20%; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: list[FooterItem] = []
        self.palette: FooterItem | None = None
        self._spans: list[tuple[int, int, FooterItem]] = []
        """Where each item drawn is: [start, end) columns."""
        self._hover: FooterItem | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.call_after_refresh(self.bindings_changed, self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Redraw the line when the keys it shows changed (no layout: it is one line)."""
        if not self.is_attached or screen is not self.screen:
            return
        items: list[FooterItem] = []
        actions: set[str] = set()
        palette: FooterItem | None = None
        app = self.app
        for _node, binding, enabled, tooltip in screen.active_bindings.values():
            item = FooterItem(binding.key, app.get_key_display(binding), binding.description,
                              enabled, tooltip or binding.tooltip or binding.description)
            if binding.key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = item
            elif binding.show and binding.action not in actions:
                actions.add(binding.action)
                if binding.action == FIRST_ACTION:
                    items.insert(0, item)
                else:
                    items.append(item)
        if (items, palette) != (self.items, self.palette):
            self.items, self.palette = items, palette
            self.refresh()

    # -- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        key_style = base + self.get_component_rich_style("keys-footer--key")
        description_style = base + self.get_component_rich_style("keys-footer--description")
        hover = self.get_component_rich_style("keys-footer--hover")
        palette = self.palette
        right = palette.width if palette is not None else 0  # the edge instead of a blank
        segments: list[Segment] = []
        spans: list[tuple[int, int, FooterItem]] = []
        x = 0
        for item in self.items:
            room = width - right - x
            if room <= 0:
                break
            start = x
            x += self._item(segments, item, key_style, description_style, hover, room)
            spans.append((start, x, item))
        if x < width - right:
            segments.append(Segment(" " * (width - right - x), base))
        if palette is not None and width > right:
            edge = base + self.get_component_rich_style("keys-footer--edge")
            segments.append(Segment(PALETTE_EDGE, edge))
            self._item(segments, palette, key_style, description_style, hover, right - 1,
                       lead="")
            spans.append((width - right + 1, width, palette))
        self._spans = spans
        return Strip(segments).crop_extend(0, width, base).simplify()

    def _item(self, segments: list[Segment], item: FooterItem, key_style: Style,
              description_style: Style, hover: Style, room: int, lead: str = " ") -> int:
        """Append the item's segments, cut to `room` cells; the cells used."""
        if item is self._hover:
            key_style, description_style = key_style + hover, description_style + hover
        if not item.enabled:
            key_style, description_style = (key_style + Style(dim=True),
                                            description_style + Style(dim=True))
        used = 0
        for text, style in ((f"{lead}{item.display} ", key_style),
                            (f"{item.description} ", description_style)):
            if used >= room:
                break
            if cell_len(text) > room - used:
                text = set_cell_size(text, room - used)
            segments.append(Segment(text, style))
            used += cell_len(text)
        return used

    # -- the mouse -------------------------------------------------------------------------

    def item_at(self, x: int) -> FooterItem | None:
        return next((item for start, end, item in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self.item_at(event.x)
        if item is not self._hover:
            self._hover = item
            self.tooltip = item.tooltip if item is not None else None
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self.item_at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
