"""A plan seen through the import graph: units, tiers, figures and cross-tier edges.

This is the what-if model the workbench edits: `move_unit` changes the plan and
updates the figures incrementally; `cross_tier_edges` lists every import statement
that crosses tiers with its file and line.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from pyagent_workbench.analysis.graph import ImportGraph, ImportRecord
from pyagent_workbench.analysis.metrics import PlanMetrics
from pyagent_workbench.analysis.ordering import cycle_breakers, least_upward_order, tier_cycles
from pyagent_workbench.analysis.tiers import TierMap
from pyagent_workbench.analysis.units import (
    Unit,
    UnitGraph,
    build_units,
    statement_weights,
    weights_between,
)
from pyagent_workbench.model import names
from pyagent_workbench.model.plan import Plan, Review
from pyagent_workbench.repo import Repo

STRUCTURE = ("_tier_weights", "_tier_matrix", "_tier_cycles")
"""What a plan view derives from which tier each edge crosses: kept through verdicts."""
REVIEWED = ("_edge_pairs",)
"""What a plan view derives from the edges with their reviews: read again after verdicts."""
VERDICT_INDEXES = ("_edge_slots", "_review_names")
"""What a verdict's incremental update keeps beside the cross-tier edges: dropped with
them."""


@dataclass(frozen=True)
class CrossEdge:
    """One import statement between modules of two different tiers."""

    importer: str
    imported: str
    path: str
    line: int
    text: str
    importer_tier: str
    imported_tier: str
    direction: str
    in_cycle: bool
    review: Review | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.importer, self.imported)

    @property
    def verdict(self) -> str | None:
        return self.review.verdict if self.review else None


@dataclass(frozen=True)
class TierCycle:
    tiers: tuple[str, ...]
    breakers: tuple[tuple[str, str], ...]
    """Tier-level imports whose removal breaks the cycle at least cost."""
    breaker_edges: tuple[ImportRecord, ...] = field(default=())
    """The import statements that make up those tier-level imports."""


def units_for_plan(base: UnitGraph, graph: ImportGraph, plan: Plan) -> UnitGraph:
    """The units, plus any move source that is not one: a module moved out of a unit
    becomes a unit of its own, a package outside the containers too."""
    extra = [m.source for m in plan.moves if m.source not in base.units]
    if not extra:
        return base
    unit_of = dict(base.unit_of)
    containers = dict((u, unit.container) for u, unit in base.units.items())
    for source in sorted(extra, key=len):
        members = [m for m in graph.modules if names.is_within(m, source)]
        if not members or any(names.is_strictly_within(u, source) for u in containers):
            continue
        for module in members:
            unit_of[module] = source
        containers[source] = names.parent(source)
    modules_by_unit: dict[str, list[str]] = defaultdict(list)
    for module, unit in sorted(unit_of.items()):
        modules_by_unit[unit].append(module)
    units = {u: Unit(u, containers[u], tuple(ms)) for u, ms in sorted(modules_by_unit.items())}
    weights, internal = statement_weights(graph, unit_of)
    return UnitGraph(containers=base.containers, units=units, weights=weights,
                     internal=internal, unit_of=unit_of)


def _package_flags(repo: Repo) -> dict[str, bool]:
    return {name: module.is_package for name, module in repo.modules.items()}


class PlanView:
    def __init__(self, repo: Repo, graph: ImportGraph, plan: Plan, *,
                 units: UnitGraph | None = None, containers: list[str] | None = None) -> None:
        self.repo = repo
        self.graph = graph
        self.plan = plan
        if units is None:
            package_names = {n for n, m in repo.modules.items() if m.is_package}
            units = build_units(graph, containers or plan.containers, package_names)
        self.base_units = units
        self.units = units_for_plan(units, graph, plan)
        self.tiermap = TierMap.for_plan(plan, _package_flags(repo))
        self.metrics = PlanMetrics(self.units, self.assignment(),
                                   pair_counts=self._pair_counts(), layer=self.tiermap.layer)

    def with_plan(self, plan: Plan) -> PlanView:
        return PlanView(self.repo, self.graph, plan, units=self.base_units)

    def assignment(self) -> dict[str, str | None]:
        return {unit: self.tiermap.tier_of(unit) for unit in self.units.units}

    def _pair_counts(self) -> dict[tuple[str, str], int]:
        """(unit, unit) -> module pairs importing across them."""
        return weights_between(((pair, 1) for pair in self.graph.edges()), self.units.unit_of)[0]

    # -- edits ------------------------------------------------------------------------------

    def target_for(self, unit: str, tier: str) -> str:
        move = self.plan.move_for(unit)
        short = names.last(move.target) if move else names.last(unit)
        package = self.plan.tier(tier)
        assert package is not None, tier
        return f"{package.package}.{short}"

    def move_unit(self, unit: str, tier: str | None) -> None:
        """Put a unit in a tier (or back where it is, with `None`), in the plan and in the
        figures."""
        if tier is None:
            if self.plan.move_for(unit) is not None:
                self.plan.remove_move(unit)
        else:
            self.plan.set_move(unit, self.target_for(unit, tier), tier)
        self._plan_changed()
        self.metrics.move(unit, tier)

    def rename_unit(self, unit: str, new_short: str) -> None:
        move = self.plan.move_for(unit)
        if move is None:
            raise ValueError(f"{unit} is not moved; move it to a tier first")
        self.plan.set_move(unit, f"{names.parent(move.target)}.{new_short}", move.tier)
        self._plan_changed()

    def _plan_changed(self) -> None:
        self.tiermap = TierMap.for_plan(self.plan, _package_flags(self.repo))
        self.metrics.layer = self.tiermap.layer
        for derived in ("cross_tier_edges", "unit_edge_counts", *STRUCTURE, *REVIEWED,
                        *VERDICT_INDEXES):
            self.__dict__.pop(derived, None)

    def reviews_changed(self, pairs: Iterable[tuple[str, str]] | None = None) -> None:
        """After verdicts only: no unit changed tier, so the cross-tier edges stay and
        only their reviews are read again (a full `refresh` costs a verdict 20+ ms on a
        large repo). `pairs`: the (importer, imported) reviews set or cleared, as the plan
        names them; only their edges are read again (every edge's review, 20 ms on the
        10k repo, otherwise)."""
        edges = self.__dict__.get("cross_tier_edges")
        if edges is None:
            return
        new = self.tiermap.new_name
        if pairs is None:
            reviews = {(new(a), new(b)): r for (a, b), r in self.plan.review_index().items()}
            changed = []
            for edge in edges:
                review = reviews.get((new(edge.importer), new(edge.imported)))
                changed.append(edge if review == edge.review else replace(edge, review=review))
        else:
            changed = list(edges)
            index = self.plan.review_index()
            for importer, imported in pairs:
                key = (new(importer), new(imported))
                named = self._review_names.setdefault(key, [])
                if (importer, imported) in index and (importer, imported) not in named:
                    named.append((importer, imported))  # a new review: the plan's last
                elif (importer, imported) not in index and (importer, imported) in named:
                    named.remove((importer, imported))
                review = index[named[-1]] if named else None  # the last wins, as above
                for slot in self._edge_slots.get(key, ()):
                    if changed[slot].review != review:
                        changed[slot] = replace(changed[slot], review=review)
        self.__dict__["cross_tier_edges"] = changed
        for derived in REVIEWED:
            self.__dict__.pop(derived, None)

    @cached_property
    def _edge_slots(self) -> dict[tuple[str, str], list[int]]:
        """Where each pair of modules (by their names once applied) is in
        `cross_tier_edges`: the edges a verdict on that pair changes."""
        new = self.tiermap.new_name
        slots: dict[tuple[str, str], list[int]] = defaultdict(list)
        for slot, edge in enumerate(self.cross_tier_edges):
            slots[(new(edge.importer), new(edge.imported))].append(slot)
        return dict(slots)

    @cached_property
    def _review_names(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        """For each pair of modules (by their names once applied), the plan's reviews
        naming it, in the plan's order (a plan may review a pair under its old and its
        new names: the last one counts)."""
        new = self.tiermap.new_name
        names_: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for a, b in self.plan.review_index():
            names_[(new(a), new(b))].append((a, b))
        return dict(names_)

    def refresh(self) -> None:
        """After an edit the incremental path does not cover (tiers added, renamed,
        relayered): recompute everything from the plan."""
        self._plan_changed()
        containers = self.plan.containers
        if containers is not None and sorted(containers) != self.base_units.containers:
            # A package restructured (or no longer, after an undo): other units.
            package_names = {n for n, m in self.repo.modules.items() if m.is_package}
            self.base_units = build_units(self.graph, containers, package_names)
        self.units = units_for_plan(self.base_units, self.graph, self.plan)
        self.metrics = PlanMetrics(self.units, self.assignment(),
                                   pair_counts=self._pair_counts(), layer=self.tiermap.layer)

    # -- cross-tier edges ------------------------------------------------------------------

    @cached_property
    def cross_tier_edges(self) -> list[CrossEdge]:
        new = self.tiermap.new_name
        reviews = {(new(a), new(b)): r for (a, b), r in self.plan.review_index().items()}
        tier_of = self.tiermap.tier_of
        crossing: list[tuple[ImportRecord, str, str]] = []
        for record in self.graph.imports:
            ta, tb = tier_of(record.importer), tier_of(record.imported)
            if ta and tb and ta != tb:
                crossing.append((record, ta, tb))
        weights = Counter((ta, tb) for _, ta, tb in crossing)
        cycles = tier_cycles([t.name for t in self.plan.tiers], dict(weights))
        in_cycle = {t: i for i, group in enumerate(cycles) for t in group}
        edges = []
        for record, ta, tb in crossing:
            edges.append(CrossEdge(
                importer=record.importer,
                imported=record.imported,
                path=self.repo.path_for_module(record.importer) or record.importer,
                line=record.line,
                text=record.text,
                importer_tier=ta,
                imported_tier=tb,
                direction=self.tiermap.direction(ta, tb),
                in_cycle=ta in in_cycle and in_cycle.get(ta) == in_cycle.get(tb),
                review=reviews.get((new(record.importer), new(record.imported))),
            ))
        return edges

    # What follows is kept until the plan changes (`STRUCTURE`: verdicts leave it as it
    # is) or until the verdicts change (`REVIEWED`): the review pane reads it after every
    # key, and on a large repo each costs 10-20 ms.

    def tier_weights(self) -> dict[tuple[str, str], int]:
        """(importer tier, imported tier) -> import statements across them."""
        return dict(self._tier_weights)

    @cached_property
    def _tier_weights(self) -> dict[tuple[str, str], int]:
        return dict(Counter((e.importer_tier, e.imported_tier) for e in self.cross_tier_edges))

    def tier_matrix(self) -> dict[tuple[str, str], int]:
        """(importer tier, imported tier) -> module pairs importing across them (what a
        review judges): the cells of the tier matrix."""
        return dict(self._tier_matrix)

    @cached_property
    def _tier_matrix(self) -> dict[tuple[str, str], int]:
        return dict(Counter((edges[0].importer_tier, edges[0].imported_tier)
                            for edges in self.edge_pairs().values()))

    def tier_cycles(self) -> list[TierCycle]:
        return list(self._tier_cycles)

    def cycle_tiers(self) -> set[str]:
        """The tiers inside a tier cycle (what the matrix colours), without each cycle's
        breakers: those take an exact ordering of the cycle's tiers, 100 ms on a large
        plan, at the first Review tab after edits."""
        if "_tier_cycles" in self.__dict__:
            return {t for cycle in self._tier_cycles for t in cycle.tiers}
        return {t for group in tier_cycles([t.name for t in self.plan.tiers],
                                           self._tier_weights) for t in group}

    @cached_property
    def _tier_cycles(self) -> list[TierCycle]:
        weights = self._tier_weights
        result = []
        for group in tier_cycles([t.name for t in self.plan.tiers], weights):
            breakers = tuple(cycle_breakers(least_upward_order(sorted(group), weights), weights))
            records = tuple(
                ImportRecord(e.importer, e.imported, e.line, e.text)
                for e in self.cross_tier_edges
                if (e.importer_tier, e.imported_tier) in breakers)
            result.append(TierCycle(tuple(sorted(group)), breakers, records))
        return result

    def edge_pairs(self) -> Mapping[tuple[str, str], list[CrossEdge]]:
        """Cross-tier edges grouped by (importer, imported) module pair: what a review
        judges. Read only: it is kept until the next verdict."""
        return self._edge_pairs

    @cached_property
    def _edge_pairs(self) -> dict[tuple[str, str], list[CrossEdge]]:
        pairs: dict[tuple[str, str], list[CrossEdge]] = defaultdict(list)
        for edge in self.cross_tier_edges:
            pairs[edge.key].append(edge)
        return dict(pairs)

    @cached_property
    def unit_edge_counts(self) -> dict[str, int]:
        """Cross-tier edges (module pairs) touching each unit."""
        counts: dict[str, int] = defaultdict(int)
        for pair in self.edge_pairs():
            for module in pair:
                unit = self.units.unit_of.get(module)
                if unit:
                    counts[unit] += 1
        return dict(counts)

    def unreviewed(self) -> list[tuple[str, str]]:
        return sorted(key for key, edges in self.edge_pairs().items() if edges[0].review is None)
