"""The repo's containers and their units, with the tier each unit is going to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from pyagent_workbench.tui.messages import UnitFocused

if TYPE_CHECKING:
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

    def sync(self, session: Session) -> None:
        expanded = {n.data for n in self._units.values() if n.is_expanded}
        self.clear()
        self.root.set_label(session.repo.root.name)
        self._units = {}
        for container in session.containers:
            branch = self.root.add(container, data=container, expand=True)
            for unit in session.units():
                info = session.unit_info(unit)
                if info.container != container:
                    continue
                tier = info.tier or "·"
                name = info.short if info.short == unit.rpartition(".")[2] else (
                    f"{unit.rpartition('.')[2]}→{info.short}")
                node = branch.add(f"{name} [dim]{tier}[/]", data=unit)
                for module in session.view.units.units[unit].modules:
                    node.add_leaf(module[len(unit) + 1:] or "__init__", data=module)
                if unit in expanded:
                    node.expand()
                self._units[unit] = node
        others = [u for u in session.units() if session.unit_info(u).container not in
                  session.containers]
        if others:
            branch = self.root.add("moved from elsewhere", expand=True)
            for unit in others:
                self._units[unit] = branch.add_leaf(unit, data=unit)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        data = event.node.data
        if data in self._units:
            self.post_message(UnitFocused(data))
