"""Units: what engineers move. The children of chosen container packages
(`src.infrastructure`, `src.core.base`), each with the modules below it, and the
weighted graph between them (edge weight = number of import statements)."""

from __future__ import annotations

import math
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


def is_test_file(name: str) -> bool:
    """A test module by pytest's rules (`test_*.py`, `*_test.py`) or a `conftest`."""
    last = names.last(name)
    return last == "conftest" or last.startswith("test_") or last.endswith("_test")


def test_packages(modules: Iterable[str]) -> set[str]:
    """The packages that hold tests: every `tests`, and a `test` or `testing` with a test
    file below it. A public module or package of that name holding helpers is code
    (werkzeug's `werkzeug.test` client, Django's `django.test` package)."""
    found: set[str] = set()
    for module in modules:
        parts = module.split(".")
        found.update(".".join(parts[:i + 1]) for i, part in enumerate(parts[:-1])
                     if part == "tests")
        if names.last(module) == "tests":
            found.add(module)
        if is_test_file(module):
            found.update(".".join(parts[:i + 1]) for i, part in enumerate(parts[:-1])
                         if part in ("test", "testing"))
    return found


def _is_test(name: str, tests: set[str]) -> bool:
    if is_test_file(name):
        return True
    parts = name.split(".")
    return any(".".join(parts[:i]) in tests for i in range(1, len(parts) + 1))


def children_count(modules: Iterable[str]) -> Counter[str]:
    modules = list(modules)
    tests = test_packages(modules)
    counts: Counter[str] = Counter()
    for module in modules:
        if _is_test(module, tests):
            continue
        parent = names.parent(module)
        if parent:
            counts[parent] += 1
    return counts


MAX_CONTAINERS = 4
"""At most this many containers are proposed at once: each is a board of its own."""
RANK_SHARE = 0.5
"""A candidate is proposed when its score is of the best one's order of magnitude:
log(1 + score) at least this share of the best's (scores span orders of magnitude: a
container of 1,000 loose files beside one of 160 packages, as the proposal's are)."""
VENDORED = frozenset({"_vendor", "vendor", "_vendored", "vendored", "third_party",
                      "thirdparty", "_extern", "extern", "externals"})
"""Folders of third-party code copied in (pip's `_vendor`): not the project's to restructure."""


@dataclass(frozen=True)
class ContainerCandidate:
    """A package that could be restructured, with what makes it worth it."""

    name: str
    children: int
    """Direct children (modules and packages), tests left out."""
    files: int
    """Modules below it, tests left out."""
    sibling_imports: int
    """Import statements from one child to another."""

    @property
    def score(self) -> float:
        """How crowded it is (children past the few a reader takes in at once), how flat
        (children per file below it: 1 for a folder of loose modules, near 0 for a
        project's top package over a deep tree, which is organised already), and how
        much its children import each other (imports per child: what tiers organise).
        Many children that never import each other (Django's 83 translations) gain
        nothing from tiers: the score is 0."""
        crowding = self.children - MIN_CHILDREN + 1
        flatness = self.children / max(self.files, self.children)
        return crowding * flatness * self.sibling_imports / self.children


def rank_containers(modules: set[str], packages: set[str],
                    imports: Iterable[tuple[str, str]] = ()) -> list[ContainerCandidate]:
    """Every package with at least `MIN_CHILDREN` children, best candidate first.
    `imports`: (importer, imported) per import statement."""
    modules_list = sorted(modules)
    tests = test_packages(modules_list)
    testing = {m for m in modules_list if _is_test(m, tests)}  # once each, not per import
    counts = children_count(modules_list)
    files: Counter[str] = Counter()
    for module in modules_list:
        if module not in testing:
            parts = module.split(".")
            files.update(".".join(parts[:i]) for i in range(1, len(parts)))
    between: Counter[str] = Counter()
    for importer, imported in imports:
        if importer in testing or imported in testing or (
                importer not in modules and _is_test(importer, tests)) or (
                imported not in modules and _is_test(imported, tests)):
            continue
        a, b = importer.split("."), imported.split(".")
        common = 0
        while common < min(len(a), len(b)) and a[common] == b[common]:
            common += 1
        if 0 < common < min(len(a), len(b)):  # they part under a shared package
            between[".".join(a[:common])] += 1
    candidates = [ContainerCandidate(p, n, files[p], between[p])
                  for p, n in counts.items() if n >= MIN_CHILDREN and p in packages
                  and VENDORED.isdisjoint(p.split("."))]
    return sorted(candidates, key=lambda c: (-c.score, -c.children, c.name))


def detect_containers(modules: set[str], packages: set[str],
                      imports: Iterable[tuple[str, str]] = (), *,
                      ranked: list[ContainerCandidate] | None = None) -> list[str]:
    """The few packages a person would restructure first: the best ranked candidates
    (`rank_containers`), none inside another, at most `MAX_CONTAINERS`, each of the
    best one's order of magnitude (`RANK_SHARE`). The others are left as they are
    (`--container` and the workbench's tree still choose any package). `ranked`: the
    ranking when the caller has it already."""
    if ranked is None:
        ranked = rank_containers(modules, packages, imports)
    chosen: list[str] = []
    best = ranked[0].score if ranked else 0.0
    for candidate in ranked:
        if len(chosen) == MAX_CONTAINERS or candidate.score <= 0 or (
                math.log1p(candidate.score) < RANK_SHARE * math.log1p(best)):
            break
        if any(names.is_within(candidate.name, c) or names.is_within(c, candidate.name)
               for c in chosen):
            continue
        chosen.append(candidate.name)
    if not chosen and ranked:
        # Crowded packages whose children do not import each other: the most crowded.
        chosen = [max(ranked, key=lambda c: (c.children, c.name)).name]
    if not chosen:
        # A small project: its top-level packages' children are the units.
        counts = children_count(modules)
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
    chosen = containers or detect_containers(
        modules, packages, ((r.importer, r.imported) for r in graph.imports))
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
    tests = test_packages(modules)
    for unit in [u for u in units if _is_test(u, tests)]:
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
