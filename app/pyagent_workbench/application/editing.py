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
from pyagent_workbench.model.plan import Verdict


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
        view.refresh()

    word = verdict or "unreviewed"
    return Edit(f"mark {len(pairs)} edge{'s' if len(pairs) > 1 else ''} {word}", make)


def check_name(name: str, what: str) -> None:
    """A name Python can import: say which rule it breaks."""
    if keyword.iskeyword(name):
        raise WorkbenchError(f"'{name}' is a Python keyword; it cannot be a {what}")
    if not names.is_identifier(name):
        raise WorkbenchError(f"'{name}' is not a valid {what} (a Python identifier)")
