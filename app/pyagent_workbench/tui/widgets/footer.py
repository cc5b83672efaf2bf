"""The footer with the key list's key first: Textual's footer lists the focused pane's
keys, then the screen's, then the app's, so at 80 columns the app's `? Keys` (the one
key that explains all the others) was the first to be cut off."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST_ACTION = "help"


class KeysFirstFooter(Footer):
    """Also rebuilt only when the keys it shows change: Textual's footer recomposes at
    every focus change (each arrow between board columns, each tab, each dialog), a
    layout of the whole screen that cost a picker's opening about 450 ms on Django."""

    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        shown = tuple((binding.key, binding.description, binding.action, enabled, tooltip)
                      for _node, binding, enabled, tooltip in screen.active_bindings.values()
                      if binding.show)
        if shown == self._shown and self._bindings_ready:
            return
        if screen.app.app_focus:  # else Textual recomposes later: compare again then
            self._shown = shown
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        first = next(((binding, enabled, tooltip)
                      for _node, binding, enabled, tooltip in
                      self.screen.active_bindings.values()
                      if binding.action == FIRST_ACTION and binding.show), None)
        if first is not None:
            binding, enabled, tooltip = first
            yield FooterKey(binding.key, self.app.get_key_display(binding),
                            binding.description, binding.action, disabled=not enabled,
                            tooltip=tooltip).data_bind(compact=Footer.compact)
        for widget in super().compose():
            if first is not None and isinstance(widget, FooterKey) \
                    and widget.action == FIRST_ACTION:
                continue  # shown first already
            yield widget
