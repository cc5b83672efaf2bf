"""Quality figures of a tier assignment, updated incrementally as units move.

Communities are the tiers; a unit that stays where it is counts as a community of its
own. Modularity is the directed, weighted modularity of the unit graph (as
`networkx.community.modularity` computes it, without self-loops); TurboMQ is the sum
over communities of 2μ / (2μ + ε), μ the weight inside, ε the weight crossing its
border. Moving one unit touches only its neighbours: O(degree).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from pyagent_workbench.analysis.ordering import tier_cycles
from pyagent_workbench.analysis.units import UnitGraph, weights_between

Community = tuple[str, str]
"""("tier", name) or ("unit", unit name) for a unit that stays."""


@dataclass(frozen=True)
class Figures:
    cross_tier_edges: int
    upward_edges: int
    tier_cycles: int
    modularity: float
    turbomq: float
    units_placed: int
    units_total: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "cross_tier_edges": self.cross_tier_edges,
            "upward_edges": self.upward_edges,
            "tier_cycles": self.tier_cycles,
            "modularity": round(self.modularity, 4),
            "turbomq": round(self.turbomq, 4),
        }


class PlanMetrics:
    """Figures for one assignment of units to tiers, kept up to date move by move."""

    def __init__(
        self,
        units: UnitGraph,
        assignment: dict[str, str | None],
        *,
        pair_counts: dict[tuple[str, str], int],
        layer: Callable[[str | None], int | None],
    ) -> None:
        self.units = units
        self.assignment = dict(assignment)
        self.layer = layer
        self.pair_counts = pair_counts
        """(unit, unit) -> distinct (importer, imported) module pairs between them."""
        self._neighbours = units.neighbours()
        self._out: dict[str, int] = defaultdict(int)
        self._in: dict[str, int] = defaultdict(int)
        for (a, b), w in units.weights.items():
            self._out[a] += w
            self._in[b] += w
        self.total = sum(units.weights.values())
        self._pairs_by_unit: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for (a, b), count in pair_counts.items():
            if a != b:
                self._pairs_by_unit[a].append((a, b, count))
                self._pairs_by_unit[b].append((a, b, count))
        self._recompute()

    # -- full computation ----------------------------------------------------------------

    def community(self, unit: str) -> Community:
        tier = self.assignment.get(unit)
        return ("tier", tier) if tier else ("unit", unit)

    def _recompute(self) -> None:
        self._inside: dict[Community, int] = defaultdict(int)
        self._border: dict[Community, int] = defaultdict(int)
        self._c_out: dict[Community, int] = defaultdict(int)
        self._c_in: dict[Community, int] = defaultdict(int)
        self._tier_weights: dict[tuple[str, str], int] = defaultdict(
            int, weights_between(self.units.weights.items(), self.assignment)[0])
        for unit in self.units.units:
            c = self.community(unit)
            self._c_out[c] += self._out[unit]
            self._c_in[c] += self._in[unit]
            self._inside.setdefault(c, 0)
        for (a, b), w in self.units.weights.items():
            ca, cb = self.community(a), self.community(b)
            if ca == cb:
                self._inside[ca] += w
            else:
                self._border[ca] += w
                self._border[cb] += w
        self._cross = 0
        self._upward = 0
        for pair, count in self.pair_counts.items():
            cross, up = self._pair_status(*pair)
            self._cross += count * cross
            self._upward += count * up

    def _pair_status(self, a: str, b: str) -> tuple[int, int]:
        ta, tb = self.assignment.get(a), self.assignment.get(b)
        if not ta or not tb or ta == tb:
            return 0, 0
        la, lb = self.layer(ta), self.layer(tb)
        return 1, int(la is not None and lb is not None and la < lb)

    # -- moving one unit -----------------------------------------------------------------

    def move(self, unit: str, tier: str | None) -> None:
        """Put `unit` in `tier` (`None`: it stays) and update every figure."""
        old_tier = self.assignment.get(unit)
        if old_tier == tier:
            return
        for a, b, count in self._pairs_by_unit.get(unit, []):
            cross, up = self._pair_status(a, b)
            self._cross -= count * cross
            self._upward -= count * up
        before = self.community(unit)
        # Tier-level weights: edges touching the unit leave their old tier pair.
        for other, (w_out, w_in) in self._neighbours.get(unit, {}).items():
            t_other = self.assignment.get(other)
            if old_tier and t_other and t_other != old_tier:
                if w_out:
                    self._tier_weights[(old_tier, t_other)] -= w_out
                if w_in:
                    self._tier_weights[(t_other, old_tier)] -= w_in
        self.assignment[unit] = tier
        after = self.community(unit)
        for other, (w_out, w_in) in self._neighbours.get(unit, {}).items():
            weight = w_out + w_in
            c_other = self.community(other)
            if c_other == before:
                self._inside[before] -= weight
                self._border[before] += weight
                self._border[after] += weight
            elif c_other == after:
                self._border[before] -= weight
                self._border[after] -= weight
                self._inside[after] += weight
            else:
                self._border[before] -= weight
                self._border[after] += weight
            t_other = self.assignment.get(other)
            if tier and t_other and t_other != tier:
                if w_out:
                    self._tier_weights[(tier, t_other)] += w_out
                if w_in:
                    self._tier_weights[(t_other, tier)] += w_in
        self._c_out[before] -= self._out[unit]
        self._c_in[before] -= self._in[unit]
        self._c_out[after] += self._out[unit]
        self._c_in[after] += self._in[unit]
        self._inside.setdefault(after, 0)
        for a, b, count in self._pairs_by_unit.get(unit, []):
            cross, up = self._pair_status(a, b)
            self._cross += count * cross
            self._upward += count * up

    # -- reading ---------------------------------------------------------------------------

    @property
    def modularity(self) -> float:
        m = self.total
        if not m:
            return 0.0
        return sum(
            self._inside[c] / m - self._c_out[c] * self._c_in[c] / (m * m)
            for c in set(self._c_out) | set(self._inside)
            if self._c_out[c] or self._c_in[c] or self._inside[c]
        )

    @property
    def turbomq(self) -> float:
        total = 0.0
        for c, inside in self._inside.items():
            if inside:
                total += 2 * inside / (2 * inside + self._border[c])
        return total

    @property
    def tier_weights(self) -> dict[tuple[str, str], int]:
        return {k: v for k, v in self._tier_weights.items() if v}

    def figures(self) -> Figures:
        tiers = sorted({t for t in self.assignment.values() if t})
        return Figures(
            cross_tier_edges=self._cross,
            upward_edges=self._upward,
            tier_cycles=len(tier_cycles(tiers, self.tier_weights)),
            modularity=self.modularity,
            turbomq=self.turbomq,
            units_placed=sum(1 for t in self.assignment.values() if t),
            units_total=len(self.assignment),
        )
