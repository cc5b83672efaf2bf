"""Edits of a plan, checked before they are made.

Each function checks its request against the plan and the repo and returns an `Edit`:
what it does, in words, and the change itself, not yet made. The caller makes it, and
may wrap it (the workbench records the plan's text around it for undo). `None` means
there is nothing to do. A request that cannot be honoured raises `WorkbenchError`.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.model import names
from pyagent_workbench.model.plan import Tier, Verdict


@dataclass(frozen=True)
class Edit:
    description: str
    make: Callable[[], None]


def move_units(view: PlanView, units: Iterable[str], tier: str | None) -> Edit | None:
    """Units into a tier (`None`: back where they are today)."""
    units = [u for u in units if view.metrics.assignment.get(u) != tier]
    if not units:
        return None
    if tier is not None and view.plan.tier(tier) is None:
        raise WorkbenchError(f"no tier named '{tier}'")
    label = ", ".join(names.last(u) for u in units[:3]) + (" ..." if len(units) > 3 else "")

    def make() -> None:
        for unit in units:
            view.move_unit(unit, tier)

    return Edit(f"move {label} to {tier or 'stays'}", make)


@dataclass(frozen=True)
class Impact:
    """What moving units to a tier would change: the figures' differences."""

    cross_tier_edges: int
    upward_edges: int
    tier_cycles: int

    def __str__(self) -> str:
        return self._render(("cross-tier", "upward", "cycles"))

    def short(self) -> str:
        """As the figures bar abbreviates its labels when narrow."""
        return self._render(("x-tier", "up", "cyc"))

    def _render(self, labels: tuple[str, str, str]) -> str:
        values = (self.cross_tier_edges, self.upward_edges, self.tier_cycles)
        parts = [f"{label} {value:+d}" for label, value in zip(labels, values, strict=True)
                 if value]
        return " · ".join(parts) or "no change"


def move_impact(view: PlanView, units: Iterable[str],
                tiers: Iterable[str | None]) -> dict[str | None, Impact]:
    """For each tier (`None`: stays), what moving the units there would change, before
    the move is made (each trial is undone: the figures move a unit in O(its edges))."""
    metrics = view.metrics
    before = metrics.figures()
    original = {unit: metrics.assignment.get(unit) for unit in units}
    impacts: dict[str | None, Impact] = {}
    try:
        for tier in tiers:
            for unit in original:
                metrics.move(unit, tier)
            after = metrics.figures()
            impacts[tier] = Impact(after.cross_tier_edges - before.cross_tier_edges,
                                   after.upward_edges - before.upward_edges,
                                   after.tier_cycles - before.tier_cycles)
    finally:
        for unit, tier in original.items():
            metrics.move(unit, tier)
    return impacts


def new_tier(view: PlanView, name: str, container: str, layer: int | None = None) -> Edit:
    check_name(name, "tier name")
    if view.plan.tier(name) is not None:
        raise WorkbenchError(f"a tier named '{name}' exists already")
    children = {names.last(m) for m in view.repo.modules if names.parent(m) == container}
    if name in children:
        raise WorkbenchError(f"{container}.{name} exists already; choose another name")

    def make() -> None:
        view.plan.add_tier(name, f"{container}.{name}", layer)
        view.refresh()

    return Edit(f"new tier {name}", make)


def rename_tier(view: PlanView, old: str, new: str) -> Edit:
    """A tier's new name; its package and the targets of its moves follow."""
    tier = view.plan.tier(old)
    if tier is None:
        raise WorkbenchError(f"no tier named '{old}'")
    check_name(new, "tier name")
    if view.plan.tier(new) is not None:
        raise WorkbenchError(f"a tier named '{new}' exists already")
    plan = view.plan

    def make() -> None:
        package = f"{names.parent(tier.package)}.{new}"
        plan.update_tier(old, new_name=new, package=package)
        for move in plan.moves:
            if move.tier == new and names.is_within(move.target, tier.package):
                plan.set_move(move.source, names.rebase(move.target, tier.package, package),
                              new)
        view.refresh()

    return Edit(f"rename tier {old} to {new}", make)


def delete_tier(view: PlanView, name: str) -> Edit:
    """A tier removed; its units go back to where they are today ("stays")."""
    _tier(view, name)
    units = _units_in(view, name)
    plan = view.plan

    def make() -> None:
        for unit in units:
            view.move_unit(unit, None)
        for move in plan.moves:
            if move.tier == name:
                plan.remove_move(move.source)
        plan.remove_tier(name)
        view.refresh()

    back = f" ({len(units)} unit{'s' if len(units) != 1 else ''} back to stays)" if units \
        else ""
    return Edit(f"delete tier {name}{back}", make)


def merge_tiers(view: PlanView, source: str, into: str) -> Edit:
    """Every unit of `source` into `into` (one container's), and `source` removed."""
    if source == into:
        raise WorkbenchError(f"a tier cannot be merged into itself ('{source}')")
    first, second = _tier(view, source), _tier(view, into)
    if names.parent(first.package) != names.parent(second.package):
        raise WorkbenchError(f"'{source}' and '{into}' are tiers of different containers "
                             f"({names.parent(first.package)}, "
                             f"{names.parent(second.package)}); move units instead")
    moving = _units_in(view, source)
    landing = {view.target_for(u, into) for u in _units_in(view, into)}
    clashes = sorted(names.last(view.target_for(u, into)) for u in moving
                     if view.target_for(u, into) in landing)
    if clashes:
        raise WorkbenchError(f"both tiers hold a unit named {', '.join(clashes)}; rename "
                             f"one first")
    plan = view.plan

    def make() -> None:
        for unit in moving:
            view.move_unit(unit, into)
        plan.remove_tier(source)
        view.refresh()

    return Edit(f"merge tier {source} into {into}", make)


def shift_tier(view: PlanView, name: str, step: int) -> Edit | None:
    """A tier one place up (`step` 1) or down (-1) in its container's layer order,
    trading layers with its neighbour. When a tier has no layer, or the neighbour shares
    its layer, the container's tiers are first numbered 1, 2, ... in their order."""
    tier = _tier(view, name)
    container = names.parent(tier.package)
    ordered = sorted((t for t in view.plan.tiers if names.parent(t.package) == container),
                     key=lambda t: (t.layer or 0, t.name))
    position = [t.name for t in ordered].index(name)
    other = position + step
    if not 0 <= other < len(ordered):
        return None
    layers = [t.layer for t in ordered]
    if None in layers or layers[position] == layers[other]:
        layers = list(range(1, len(ordered) + 1))
    layers[position], layers[other] = layers[other], layers[position]
    plan = view.plan

    def make() -> None:
        for tier_now, layer in zip(ordered, layers, strict=True):
            if tier_now.layer != layer:
                plan.update_tier(tier_now.name, layer=layer)
        view.refresh()

    return Edit(f"{name} a layer {'up' if step > 0 else 'down'}", make)


def _tier(view: PlanView, name: str) -> Tier:
    tier = view.plan.tier(name)
    if tier is None:
        raise WorkbenchError(f"no tier named '{name}'")
    return tier


def _units_in(view: PlanView, tier: str) -> list[str]:
    return sorted(u for u, t in view.metrics.assignment.items() if t == tier)


def rename_unit(view: PlanView, unit: str, new_short: str) -> Edit:
    """A moved unit's new last name in its tier."""
    check_name(new_short, "module name")
    if view.plan.move_for(unit) is None:
        raise WorkbenchError(f"{unit} is not moved; move it to a tier first")
    return Edit(f"rename {names.last(unit)} to {new_short}",
                lambda: view.rename_unit(unit, new_short))


def review(view: PlanView, edges: Iterable[tuple[str, str]], verdict: Verdict | None,
           note: str = "") -> Edit | None:
    """A verdict on cross-tier edges, by (importer, imported) module; `None` clears it."""
    pairs = sorted(set(edges))
    if not pairs:
        return None
    plan = view.plan

    def make() -> None:
        for importer, imported in pairs:
            if verdict is None:
                if plan.review_for(importer, imported) is not None:
                    plan.remove_review(importer, imported)
            else:
                plan.set_review(importer, imported, verdict, note)
        view.reviews_changed(pairs)

    word = verdict or "unreviewed"
    return Edit(f"mark {len(pairs)} edge{'s' if len(pairs) > 1 else ''} {word}", make)


def check_name(name: str, what: str) -> None:
    """A name Python can import: say which rule it breaks."""
    if keyword.iskeyword(name):
        raise WorkbenchError(f"'{name}' is a Python keyword; it cannot be a {what}")
    if not names.is_identifier(name):
        raise WorkbenchError(f"'{name}' is not a valid {what} (a Python identifier)")
