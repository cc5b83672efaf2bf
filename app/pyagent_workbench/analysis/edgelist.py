"""The review table's rows and columns, headless: which cross-tier edges a filter keeps,
in which order, and how wide each column may be at a given width. Hundreds of edges
need sorting, filters and a layout that keeps what matters in sight, all tested
without a terminal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyagent_workbench.analysis.planview import CrossEdge

SORTS = {"file": "file order", "tiers": "tier pair", "direction": "direction",
         "importer": "importer", "verdict": "verdict"}
"""Sort orders, in the order the sort key cycles through them."""
DIRECTION_RANK = {"up": 0, "sideways": 1, "down": 2}
VERDICT_RANK = {None: 0, "must-fix": 1, "accepted": 2}


@dataclass(frozen=True)
class EdgeFilter:
    """What the table keeps; every criterion set must hold."""

    tiers: tuple[str, str] | None = None
    unit: str | None = None
    text: str = ""
    unreviewed_only: bool = False
    upward_only: bool = False
    cycle_only: bool = False

    def describe(self) -> str:
        parts = []
        if self.tiers:
            parts.append(f"{self.tiers[0]} → {self.tiers[1]}")
        if self.unit:
            parts.append(f"unit {self.unit.rpartition('.')[2]}")
        if self.text:
            parts.append(f'"{self.text}"')
        if self.unreviewed_only:
            parts.append("unreviewed")
        if self.upward_only:
            parts.append("upward")
        if self.cycle_only:
            parts.append("in a cycle")
        return ", ".join(parts) or "all edges"

    def toggled(self, criterion: str) -> EdgeFilter:
        """The filter with one of its on/off criteria (`unreviewed_only`...) switched."""
        if criterion not in ("unreviewed_only", "upward_only", "cycle_only"):
            raise ValueError(f"not an on/off filter: {criterion}")
        switched: dict[str, Any] = {criterion: not getattr(self, criterion)}
        return replace(self, **switched)

    def keeps(self, edge: CrossEdge, unit_of: Mapping[str, str]) -> bool:
        if self.tiers and (edge.importer_tier, edge.imported_tier) != self.tiers:
            return False
        if self.unit and self.unit not in (unit_of.get(edge.importer),
                                           unit_of.get(edge.imported)):
            return False
        if self.text and self.text.lower() not in (
                f"{edge.importer} {edge.imported} {edge.path} {edge.text}".lower()):
            return False
        if self.upward_only and edge.direction != "up":
            return False
        if self.cycle_only and not edge.in_cycle:
            return False
        return not (self.unreviewed_only and edge.review is not None)


def _sort_key(order: str) -> Callable[[CrossEdge], tuple[object, ...]]:
    if order == "tiers":
        return lambda e: (e.importer_tier, e.imported_tier)
    if order == "direction":
        return lambda e: (DIRECTION_RANK.get(e.direction, 3),)
    if order == "importer":
        return lambda e: (e.importer, e.imported)
    if order == "verdict":
        return lambda e: (VERDICT_RANK.get(e.verdict, 3),)
    return lambda e: ()


def rows(edges: Iterable[CrossEdge], edge_filter: EdgeFilter, order: str,
         unit_of: Mapping[str, str], *, grouped: bool = False) -> list[CrossEdge]:
    """The edges the filter keeps, sorted (stable: ties keep the file order); grouped,
    the tier pair comes first so each pair's edges sit together."""
    kept = [e for e in edges if edge_filter.keeps(e, unit_of)]
    key = _sort_key(order)
    if grouped:
        return sorted(kept, key=lambda e: (e.importer_tier, e.imported_tier, *key(e)))
    return sorted(kept, key=key)


def next_sort(order: str) -> str:
    orders = list(SORTS)
    return orders[(orders.index(order) + 1) % len(orders)]


def pair_counts(edges: Iterable[CrossEdge]) -> Counter[tuple[str, str]]:
    """Import statements per tier pair: the group sizes."""
    return Counter((e.importer_tier, e.imported_tier) for e in edges)


def next_unreviewed(edges: list[CrossEdge], start: int) -> int | None:
    """The first unreviewed row from `start` on, wrapping around: where the cursor goes
    after a verdict, so each edge costs one key."""
    count = len(edges)
    for step in range(count):
        row = (start + step) % count
        if edges[row].review is None:
            return row
    return None


# -- columns ---------------------------------------------------------------------------------

FIXED = {"dir": 3, "verdict": 10}
"""Columns always shown, at their width."""
STAGES = ((("tiers", 9),), (("importer", 12), ("imported", 12)), (("import", 10),),
          (("line", 4),))
"""The other columns by priority, with the least width worth showing them at: each
stage's columns get their least width, then grow (evenly) towards what they want,
before the next stage gets any room."""


def column_widths(width: int, wants: Mapping[str, int], padding: int = 2) -> dict[str, int]:
    """Each column's width in `width` cells (every column also takes `padding`); the
    columns of a stage that does not fit are left out, with every later stage."""
    widths = dict(FIXED)
    room = width - sum(w + padding for w in FIXED.values())
    for stage in STAGES:
        for key, least in stage:
            least = min(least, max(wants.get(key, least), 1))
            if room < least + padding:
                return widths
            widths[key] = least
            room -= least + padding
        growing = [key for key, _ in stage if widths[key] < wants.get(key, 0)]
        while room > 0 and growing:
            for key in list(growing):
                if room == 0:
                    break
                widths[key] += 1
                room -= 1
                if widths[key] >= wants.get(key, 0):
                    growing.remove(key)
    return widths


def common_root(names: Iterable[str]) -> str:
    """The dotted prefix every name shares (`django.`), left out of the table's cells."""
    parts: list[str] | None = None
    for name in names:
        package = name.split(".")[:-1]
        if parts is None:
            parts = package
            continue
        while parts and package[:len(parts)] != parts:
            parts.pop()
    return ".".join(parts) + "." if parts else ""


def fit_tail(text: str, width: int) -> str:
    """A dotted name cut from the left: the end (module, submodule) says the most."""
    if len(text) <= width:
        return text
    return "…" + text[len(text) - width + 1:] if width > 1 else text[-width:]


def fit_pair(left: str, right: str, width: int, joint: str = "→") -> str:
    """Two tier names in `width` cells, each cut at its end when both do not fit."""
    if len(left) + len(joint) + len(right) <= width:
        return f"{left}{joint}{right}"
    room = max(width - len(joint), 2)
    right_room = max(room // 2, room - len(left))
    left_room = room - min(right_room, len(right))
    return f"{_cut(left, left_room)}{joint}{_cut(right, room - left_room)}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"
