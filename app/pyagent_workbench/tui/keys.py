"""Every key, read from the bindings themselves: the help screen and the command
palette are built from this, so a key is declared once, where it works.

The app's and the screen's keys work everywhere; each pane's keys (and those of the
widgets inside it) work in its tab. Only this package's classes are read: Textual's
own widgets document their keys themselves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from textual.actions import parse
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import format_key
from textual.screen import Screen

from pyagent_workbench.tui.panes import Pane

EVERYWHERE = "Everywhere"


@dataclass(frozen=True)
class Key:
    binding: Binding
    node: DOMNode
    """Where the binding is declared (its action runs there)."""

    @property
    def keys(self) -> str:
        """The key as the help shows it: `ctrl+z`, `?`, `/`."""
        if self.binding.key_display:
            return self.binding.key_display
        *modifiers, key = self.binding.key.split("+")
        return "+".join([*modifiers, format_key(key)])

    @property
    def help(self) -> str:
        return self.binding.tooltip or self.binding.description


@dataclass(frozen=True)
class Section:
    title: str
    keys: list[Key]

    def lines(self) -> Iterator[tuple[str, str]]:
        """(keys, what they do); keys of one `Binding.Group` share a line."""
        index = 0
        while index < len(self.keys):
            key = self.keys[index]
            group = key.binding.group
            if group is None:
                yield key.keys, key.help
                index += 1
                continue
            members = [key]
            while (index + len(members) < len(self.keys)
                   and self.keys[index + len(members)].binding.group == group):
                members.append(self.keys[index + len(members)])
            yield " ".join(k.keys for k in members), group.description
            index += len(members)


def _own_bindings(node: DOMNode) -> list[Binding]:
    """The bindings the node's class declares itself (not those it inherits)."""
    cls = type(node)
    if not cls.__module__.startswith("pyagent_workbench."):
        return []
    return [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]


def _section_title(node: DOMNode) -> str:
    pane = next((a for a in node.ancestors_with_self if isinstance(a, Pane)), None)
    return pane.KEYS_TITLE if pane is not None else EVERYWHERE


def key_sections(screen: Screen[object]) -> list[Section]:
    """The keys of the app, the screen and every pane and widget on it, by section."""
    palette = Binding(screen.app.COMMAND_PALETTE_BINDING, "command_palette",
                      "Command palette", id="command-palette",
                      tooltip="Command palette: every action by name")
    sections: dict[str, list[Key]] = {EVERYWHERE: [Key(palette, screen.app)]}
    seen: set[type[DOMNode]] = set()
    for node in [screen.app, screen, *screen.walk_children()]:
        if type(node) in seen:
            continue
        seen.add(type(node))
        keys = [Key(binding, node) for binding in _own_bindings(node)
                if _runs_on(screen, node, binding)]
        if keys:
            sections.setdefault(_section_title(node), []).extend(keys)
    return [Section(title, keys) for title, keys in sections.items()]


def palette_keys(screen: Screen[object]) -> list[Key]:
    """What the command palette offers: the app's, the screen's and the panes' keys
    (a widget's own keys act on its cursor, which the palette cannot point at)."""
    return [key for section in key_sections(screen) for key in section.keys
            if key.node in (screen.app, screen) or isinstance(key.node, Pane)
            if key.binding.action != "command_palette"]


def _runs_on(screen: Screen[object], node: DOMNode, binding: Binding) -> bool:
    """Whether the action exists where it would run and is not hidden there (the app's
    plan keys, say, once the plan is applied)."""
    namespace, name, parameters = parse(binding.action)
    target = {"app": screen.app, "screen": screen}.get(namespace, node)
    return (callable(getattr(target, f"action_{name}", None))
            and target.check_action(name, parameters) is not False)
