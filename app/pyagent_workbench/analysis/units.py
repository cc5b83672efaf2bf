"""Units: what engineers move. The children of chosen container packages
(`src.infrastructure`, `src.core.base`), each with the modules below it, and the
weighted graph between them (edge weight = number of import statements)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from pyagent_workbench.analysis.graph import ImportGraph
from pyagent_workbench.model import names

Group = TypeVar("Group", bound=Hashable)

MIN_CHILDREN = 8
"""A package with at least this many children is a container candidate."""


@dataclass(frozen=True)
class Unit:
    name: str
    container: str
    modules: tuple[str, ...]

    @property
    def short(self) -> str:
        return names.last(self.name)


@dataclass
class UnitGraph:
    """Units and the import statements between them."""

    containers: list[str]
    units: dict[str, Unit]
    weights: dict[tuple[str, str], int] = field(default_factory=dict)
    """(importer unit, imported unit) -> number of import statements; no self-loops."""
    internal: dict[str, int] = field(default_factory=dict)
    """Import statements inside one unit."""
    unit_of: dict[str, str] = field(default_factory=dict)
    """Module -> its unit."""

    def neighbours(self) -> dict[str, dict[str, tuple[int, int]]]:
        """unit -> other unit -> (weight out, weight in)."""
        result: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for (a, b), w in self.weights.items():
            result[a][b][0] += w
            result[b][a][1] += w
        return {u: {v: (x[0], x[1]) for v, x in d.items()} for u, d in result.items()}


def _is_test(name: str) -> bool:
    last = names.last(name)
    return last in ("tests", "test", "conftest") or last.startswith("test_") or last.endswith(
        "_test")


def children_count(modules: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for module in modules:
        if _is_test(module):
            continue
        parent = names.parent(module)
        if parent:
            counts[parent] += 1
    return counts


def detect_containers(modules: set[str], packages: set[str]) -> list[str]:
    """Packages whose children are many and flat, outermost first, none inside another."""
    counts = children_count(modules)
    candidates = sorted(
        (p for p, n in counts.items() if n >= MIN_CHILDREN and p in packages),
        key=lambda p: (-counts[p], p),
    )
    chosen: list[str] = []
    for candidate in candidates:
        if any(names.is_within(candidate, c) or names.is_within(c, candidate) for c in chosen):
            continue
        chosen.append(candidate)
    if not chosen:
        # A small project: its top-level packages' children are the units.
        chosen = sorted(p for p in packages if "." not in p and counts[p] >= 2)
    return sorted(chosen)


def _is_dunder(name: str) -> bool:
    """`python -m pkg` runs `pkg.__main__`; `__about__` and its kind are read by
    packaging tools at that path: such modules belong to their package, never a tier."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def build_units(graph: ImportGraph, containers: list[str] | None,
                packages: set[str] | None = None) -> UnitGraph:
    modules = set(graph.modules)
    if packages is None:
        packages = {m for m in modules if any(o.startswith(m + ".") for o in modules)}
    chosen = containers or detect_containers(modules, packages)
    chosen = sorted(chosen, key=lambda c: -c.count("."))  # innermost first wins
    units: dict[str, list[str]] = defaultdict(list)
    unit_container: dict[str, str] = {}
    unit_of: dict[str, str] = {}
    for module in sorted(modules):
        for container in chosen:
            if names.is_strictly_within(module, container):
                child = module[len(container) + 1:].split(".")[0]
                if _is_dunder(child):
                    break  # `__main__`, `__about__`: part of the container itself
                unit = f"{container}.{child}"
                units[unit].append(module)
                unit_container[unit] = container
                unit_of[module] = unit
                break
    # A test module beside a unit travels with it (apply carries it); other tests are no
    # unit of their own.
    for unit in [u for u in units if _is_test(u)]:
        short = names.last(unit)
        stem = short[len("test_"):] if short.startswith("test_") else short.removesuffix("_test")
        owner = names.parent(unit) + "." + stem
        moved_modules = units.pop(unit)
        del unit_container[unit]
        for module in moved_modules:
            if owner in units and owner != unit:
                units[owner].append(module)
                unit_of[module] = owner
            else:
                unit_of.pop(module, None)
    result = UnitGraph(
        containers=sorted(chosen),
        units={u: Unit(u, unit_container[u], tuple(ms)) for u, ms in sorted(units.items())},
        unit_of=unit_of,
    )
    result.weights, result.internal = statement_weights(graph, unit_of)
    return result


def statement_weights(graph: ImportGraph, unit_of: Mapping[str, str]
                      ) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """Import statements between units, and inside each unit."""
    return weights_between((((r.importer, r.imported), 1) for r in graph.imports), unit_of)


def weights_between(edges: Iterable[tuple[tuple[str, str], int]],
                    group_of: Mapping[str, Group | None]
                    ) -> tuple[dict[tuple[Group, Group], int], dict[Group, int]]:
    """Edge weights summed per (importer group, imported group), and inside each group:
    the one way the analysis lifts a weighted graph a level up (modules to units, units
    to tiers or packages). An edge with an end in no group counts nowhere."""
    between: dict[tuple[Group, Group], int] = defaultdict(int)
    inside: dict[Group, int] = defaultdict(int)
    for (a, b), weight in edges:
        group_a, group_b = group_of.get(a), group_of.get(b)
        if group_a is None or group_b is None:
            continue
        if group_a == group_b:
            inside[group_a] += weight
        else:
            between[(group_a, group_b)] += weight
    return dict(between), dict(inside)
