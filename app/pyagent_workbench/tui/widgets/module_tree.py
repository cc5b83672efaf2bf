"""The repo's containers and their units, with the tier each unit is going to. Labels
are Rich text, never markup: names are shown as written (see `tui.literal`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from pyagent_workbench.display import printable
from pyagent_workbench.tui.literal import literal_text
from pyagent_workbench.tui.messages import RestructureRequested, UnitFocused
from pyagent_workbench.tui.widgets.board import container_order

if TYPE_CHECKING:
    from pyagent_workbench.analysis.units import ContainerCandidate
    from pyagent_workbench.session import Session


class ModuleTree(Tree[str]):
    DEFAULT_CSS = """
    ModuleTree { width: 30%; max-width: 36; min-width: 18; border-right: vkey $panel; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__("repo", **kwargs)  # type: ignore[arg-type]
        self.show_root = False
        self.guide_depth = 2
        self._units: dict[str, TreeNode[str]] = {}
        self._labels: dict[str, tuple[str, str]] = {}
        """Each unit's label as (name, tier): compared at every sync, made only when new."""
        self._session: Session | None = None
        self._quiet: TreeNode[str] | None = None
        """A node the cursor was put on to follow the board: its highlight is not news."""
        self._candidates: dict[str, ContainerCandidate] = {}
        """Packages that could be restructured and are not (a branch of their own)."""
        self._drawn_size = Size(0, 0)
        """The size at the last resize (a tab shown again resizes to the same)."""

    def sync(self, session: Session) -> None:
        """Build the tree once per set of units; after a move only labels change."""
        self._session = session
        units = session.units()
        if set(units) != set(self._units):
            self._populate(session, units)
        for unit, node in self._units.items():
            label = self._label(session, unit)
            if self._labels.get(unit) != label:
                self._labels[unit] = label
                node.set_label(_label_text(*label))

    def _label(self, session: Session, unit: str) -> tuple[str, str]:
        """The unit's (target) name and the tier it is going to."""
        info = session.unit_info(unit)
        current = unit.rpartition(".")[2]
        name = info.short if info.short == current else f"{current}→{info.short}"
        return name, info.tier or "·"

    def _populate(self, session: Session, units: list[str]) -> None:
        self.clear()
        self.root.set_label(literal_text(session.repo.root.name))
        self._units = {}
        self._labels = {}
        by_container: dict[str, list[str]] = {}
        for unit in units:
            by_container.setdefault(session.view.units.units[unit].container, []).append(unit)
        order = container_order(session)
        for container in [*order, *sorted(set(by_container) - set(order))]:
            if container not in by_container:
                continue
            branch = self.root.add(literal_text(container), data=container, expand=True)
            for unit in by_container[container]:
                label = self._label(session, unit)
                self._labels[unit] = label
                # Modules are added when the unit is first expanded.
                node = branch.add(_label_text(*label), data=unit, allow_expand=True)
                self._units[unit] = node
        self._candidates = {c.name: c for c in session.candidates()}
        if self._candidates:
            others = self.root.add(Text(f"left as they are ({len(self._candidates)})",
                                        style="dim"), data="", expand=False)
            for name, candidate in self._candidates.items():
                others.add_leaf(Text.assemble(
                    printable(name), (f" {candidate.children} children", "dim")), data=name)

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        """Enter on a package left as it is: restructure it (the screen asks first)."""
        if event.node.data in self._candidates:
            event.stop()
            self.post_message(RestructureRequested(event.node.data))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[str]) -> None:
        node, session = event.node, self._session
        if session is None or node.data not in self._units or node.children:
            return
        unit = node.data
        for module in session.view.units.units[unit].modules:
            node.add_leaf(literal_text(module[len(unit) + 1:] or "__init__"), data=module)

    def follow(self, unit: str) -> None:
        """The board went to a unit: when it is in another container than the cursor's,
        put the cursor on it (within a container the tree stays still: following every
        arrow key would scroll it at every press)."""
        node = self._units.get(unit)
        current = self.cursor_node
        if node is None or node is current or (
                current is not None and _container_node(current) is node.parent):
            return
        self._quiet = node
        self.move_cursor(node, animate=False)

    def _on_resize(self, event: events.Resize) -> None:
        """Shown again at the size it had (its tab was hidden), the tree has been drawn
        already: Tree's own handler would drop every line and ask for a layout, a
        second frame of the pane at each tab switch."""
        if event.size == self._drawn_size:
            event.prevent_default()
        self._drawn_size = event.size

    def on_focus(self) -> None:
        self._quiet = None  # from here on, highlights are the user's

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        """A unit, or a container (standing for its first unit), is focused: the board
        shows its container."""
        node = event.node
        if node is self._quiet:
            self._quiet = None
            return
        if node.data not in self._units and node.children:
            node = node.children[0]
        if node.data in self._units:
            self.post_message(UnitFocused(node.data))


def _label_text(name: str, tier: str) -> Text:
    return Text.assemble(printable(name), " ", (printable(tier), "dim"))


def _container_node(node: TreeNode[str]) -> TreeNode[str] | None:
    """The container's branch a node is under (itself for a branch)."""
    while node.parent is not None and node.parent.parent is not None:
        node = node.parent
    return node if node.parent is not None else None
