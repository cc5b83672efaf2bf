"""Suggest tiers: cluster the units of each container.

With the words of the code (`lexical.CodeWords`, as `suggest` always gives them), the
grouping is spectral on the imports and the words together (`analysis.spectral`), the
count chosen from the data within `tier_range` unless asked. From the import graph
alone (a graph without files to read), candidates are seeded Louvain partitions over a
range of resolutions, the greedy modularity partition, and the current package
structure refined by local moves (for units that do not all share one parent). Each is
brought to the target tier count by merging the communities whose merge costs least
modularity, or by splitting the largest. The best directed modularity wins; among
candidates within 2% of it, the one closest to the present package structure is
preferred, since it needs fewer moves.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from pyagent_workbench import cachefile
from pyagent_workbench.analysis.compare import mojofm
from pyagent_workbench.analysis.lexical import CodeWords
from pyagent_workbench.analysis.metrics import PlanMetrics
from pyagent_workbench.analysis.ordering import order_tiers
from pyagent_workbench.analysis.units import UnitGraph
from pyagent_workbench.model import names
from pyagent_workbench.statedir import CLUSTER_CACHE

RESOLUTIONS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
LARGE_RESOLUTIONS = (1.0, 1.25)
_LARGE = 400
"""Above this many units, fewer candidates: each Louvain run costs more. The seeds matter
more than the spread of resolutions there (on sympy and Django, the candidates that
agree best with the packages' own structure come from other seeds at resolution 1-1.25;
a single seed made the suggestion plain Louvain's: benchmarks/RESULTS.md)."""
_TOLERANCE = 0.02


@dataclass(frozen=True)
class Candidate:
    method: str
    groups: tuple[tuple[str, ...], ...]
    modularity: float


def _undirected(units: list[str], weights: dict[tuple[str, str], int]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(sorted(units))
    members = set(units)
    for (a, b), w in sorted(weights.items()):
        if a in members and b in members and a != b:
            if graph.has_edge(a, b):
                graph[a][b]["weight"] += w
            else:
                graph.add_edge(a, b, weight=w)
    return graph


def _directed_modularity(groups: Iterable[Iterable[str]],
                         weights: Mapping[tuple[str, str], float], members: set[str]) -> float:
    label = {u: i for i, group in enumerate(groups) for u in group}
    out: dict[int, float] = defaultdict(float)
    into: dict[int, float] = defaultdict(float)
    inside: dict[int, float] = defaultdict(float)
    total = 0.0
    for (a, b), w in weights.items():
        if a not in members or b not in members or a == b:
            continue
        total += w
        out[label[a]] += w
        into[label[b]] += w
        if label[a] == label[b]:
            inside[label[a]] += w
    if not total:
        return 0.0
    return sum(inside[c] / total - out[c] * into[c] / total ** 2 for c in set(label.values()))


def _normalise(groups: Iterable[Iterable[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted((tuple(sorted(g)) for g in groups if g), key=lambda g: (g[0], len(g))))


def _merge_to(groups: list[set[str]], count: int, weights: dict[tuple[str, str], int],
              members: set[str]) -> list[set[str]]:
    """Merge communities, each time the pair whose merge loses least modularity."""
    groups = [set(g) for g in groups]
    total = sum(w for (a, b), w in weights.items() if a in members and b in members and a != b)
    while len(groups) > count:
        label = {u: i for i, g in enumerate(groups) for u in g}
        between: dict[tuple[int, int], int] = defaultdict(int)
        out: dict[int, int] = defaultdict(int)
        into: dict[int, int] = defaultdict(int)
        for (a, b), w in weights.items():
            if a in label and b in label and a != b:
                out[label[a]] += w
                into[label[b]] += w
                if label[a] != label[b]:
                    between[(label[a], label[b])] += w
        best: tuple[float, int, int, int] | None = None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if total:
                    gain = (between[(i, j)] + between[(j, i)]) / total - (
                        out[i] * into[j] + out[j] * into[i]) / total ** 2
                else:
                    gain = 0.0
                key = (gain, -(len(groups[i]) + len(groups[j])), -i, -j)
                if best is None or key > best:
                    best = key
        assert best is not None
        i, j = -best[2], -best[3]
        groups[i] |= groups[j]
        del groups[j]
    return groups


def _split_to(groups: list[set[str]], count: int, graph: nx.Graph,
              seed: int) -> list[set[str]]:
    groups = [set(g) for g in groups]
    while len(groups) < count:
        groups.sort(key=lambda g: (-len(g), sorted(g)))
        largest = groups[0]
        if len(largest) < 2:
            break
        sub = graph.subgraph(sorted(largest))
        parts: list[set[str]] = []
        for resolution in (1.0, 1.5, 2.0, 3.0, 5.0):
            parts = [set(p) for p in nx.community.louvain_communities(
                sub, weight="weight", resolution=resolution, seed=seed)]
            if len(parts) >= 2:
                break
        if len(parts) < 2:
            a, b = nx.community.kernighan_lin_bisection(sub, weight="weight", seed=seed)
            parts = [set(a), set(b)]
        if len(parts) > count - len(groups) + 1:
            parts = sorted(parts, key=lambda p: (-len(p), sorted(p)))
            keep, rest = parts[: count - len(groups)], parts[count - len(groups):]
            merged = set().union(*rest)
            parts = [*keep, merged]
        groups = groups[1:] + parts
    return groups


MIN_TIERS = 3
MAX_TIERS = 8
"""A board a person reads at once: 3 to 8 tiers for a container (more for a very large
one: about half the square root of its units, so 15 for 900 units)."""


def tier_range(units: int) -> tuple[int, int]:
    """The tier counts a container of `units` units is suggested with, unless asked."""
    return min(MIN_TIERS, max(1, units // 3)), max(MAX_TIERS, round(units ** 0.5 / 2))


def readable(groups: list[list[str]], units: UnitGraph, members: list[str], *,
             seed: int = 0) -> list[list[str]]:
    """The clustering's own groups brought within `tier_range`: merged where the merge
    loses least modularity, split along the weakest ties."""
    low, high = tier_range(len(members))
    sets = [set(g) for g in groups]
    if len(sets) > high:
        sets = _merge_to(sets, high, units.weights, set(members))
    elif len(sets) < low:
        sets = _split_to(sets, low, _undirected(members, units.weights), seed)
    return [sorted(g) for g in sets]


LAYER_BUDGET = 0.1
"""The share of modularity `layered` may give up to send fewer imports upward (on the
expert benchmark, 0.1 rather than 0.05 halves the upward share again and costs no
MoJoFM: units that import upward are mostly misplaced)."""


def layered(groups: list[list[str]], units: UnitGraph, members: list[str], *,
            budget: float = LAYER_BUDGET, passes: int = 6,
            words: CodeWords | None = None) -> list[list[str]]:
    """Groups steered toward layers: with the groups ordered to send the fewest imports
    upward (as tiers are), a unit moves to the neighbouring group where fewer of its
    imports go upward, as long as the grouping keeps all but `budget` of its modularity;
    the order is found again after each pass. No group is emptied. On five real projects
    (benchmarks/EXPERT.md) this cuts the upward share by half or more for a few points
    of modularity, MoJoFM against their own subpackages unchanged. With `words`,
    the modularity kept is the one of the affinity the groups were found on (imports
    and words, `analysis.spectral`): on the imports alone, units the words hold together
    would drift toward their importers (sympy lost 23 points of MoJoFM that way)."""
    quality = None
    if words is not None:
        from pyagent_workbench.analysis import spectral  # numpy, scipy: only when needed

        ordered = sorted(members)
        ties = spectral.affinity(ordered, units.weights, words.vectors).tocoo()
        quality = {(ordered[i], ordered[j]): w for i, j, w in zip(
            ties.row.tolist(), ties.col.tolist(), ties.data.tolist(), strict=True)}
    layering = _Layering(groups, units, quality)
    if not layering.total:
        return [sorted(g) for g in groups]
    floor = layering.quality - budget * abs(layering.quality)
    for _ in range(passes):
        layering.reorder()
        moved = 0
        for unit in sorted(layering.label):
            move = layering.best_move(unit, floor)
            if move is not None:
                layering.move(unit, *move)
                moved += 1
        if not moved:
            break
    return layering.groups()


class _Layering:
    """The state `layered` works on: each unit's group, the groups' import totals (for
    directed modularity) and their order."""

    def __init__(self, groups: list[list[str]], units: UnitGraph,
                 quality: Mapping[tuple[str, str], float] | None = None) -> None:
        """`quality`: the weights modularity is kept on (default: the imports)."""
        self.label = {u: i for i, group in enumerate(groups) for u in group}
        self.size: dict[int, int] = defaultdict(int)
        for group_id in self.label.values():
            self.size[group_id] += 1
        self.out_adj: dict[str, dict[str, int]] = defaultdict(dict)
        self.in_adj: dict[str, dict[str, int]] = defaultdict(dict)
        for (a, b), w in units.weights.items():
            if a in self.label and b in self.label and a != b:
                self.out_adj[a][b] = self.out_adj[a].get(b, 0) + w
                self.in_adj[b][a] = self.in_adj[b].get(a, 0) + w
        kept_on: Mapping[tuple[str, str], float] = units.weights if quality is None else quality
        self.q_out: dict[str, dict[str, float]] = defaultdict(dict)
        self.q_in: dict[str, dict[str, float]] = defaultdict(dict)
        for (a, b), q in kept_on.items():
            if a in self.label and b in self.label and a != b:
                self.q_out[a][b] = self.q_out[a].get(b, 0.0) + q
                self.q_in[b][a] = self.q_in[b].get(a, 0.0) + q
        self.out_deg = {u: sum(self.q_out[u].values()) for u in self.label}
        self.in_deg = {u: sum(self.q_in[u].values()) for u in self.label}
        self.total = sum(self.out_deg.values())
        self.quality = _directed_modularity(groups, kept_on, set(self.label))
        self.c_out: dict[int, float] = defaultdict(float)
        self.c_in: dict[int, float] = defaultdict(float)
        self.position: dict[int, int] = {}

    def reorder(self) -> None:
        """The groups' totals and their order, foundation first (as `order_tiers`)."""
        between: dict[tuple[str, str], int] = defaultdict(int)
        self.c_out.clear()
        self.c_in.clear()
        for u, group_id in self.label.items():
            self.c_out[group_id] += self.out_deg[u]
            self.c_in[group_id] += self.in_deg[u]
            for v, w in self.out_adj[u].items():
                if group_id != self.label[v]:
                    between[(str(group_id), str(self.label[v]))] += w
        order = order_tiers([str(g) for g in sorted(self.size)], dict(between))
        self.position = {int(g): i for i, g in enumerate(order)}

    def upward(self, unit: str, group: int) -> int:
        """The unit's imports that would go upward were it in `group`."""
        at = self.position[group]
        return (sum(w for v, w in self.out_adj[unit].items()
                    if at < self.position[self.label[v]])
                + sum(w for v, w in self.in_adj[unit].items()
                      if self.position[self.label[v]] < at))

    def links(self, unit: str, group: int) -> float:
        return (sum(w for v, w in self.q_out[unit].items() if self.label[v] == group)
                + sum(w for v, w in self.q_in[unit].items() if self.label[v] == group))

    def change(self, unit: str, here: int, there: int) -> float:
        """The directed modularity gained by moving `unit` from `here` to `there`."""
        out, into, c_out, c_in = self.out_deg[unit], self.in_deg[unit], self.c_out, self.c_in
        before = c_out[here] * c_in[here] + c_out[there] * c_in[there]
        after = ((c_out[here] - out) * (c_in[here] - into)
                 + (c_out[there] + out) * (c_in[there] + into))
        inside = self.links(unit, there) - self.links(unit, here)
        return inside / self.total - (after - before) / self.total ** 2

    def best_move(self, unit: str, floor: float) -> tuple[int, int, float] | None:
        """(from, to, modularity change) sending fewest of its imports upward."""
        here = self.label[unit]
        if self.size[here] <= 1:
            return None
        now = self.upward(unit, here)
        if not now:
            return None
        best: tuple[tuple[int, float, int], int, float] | None = None
        neighbours = {self.label[v] for v in (*self.out_adj[unit], *self.in_adj[unit])}
        for there in sorted(neighbours - {here}):
            gain = self.upward(unit, there) - now
            if gain >= 0:
                continue
            change = self.change(unit, here, there)
            if self.quality + change < floor:
                continue
            key = (gain, -change, there)
            if best is None or key < best[0]:
                best = (key, there, change)
        return None if best is None else (here, best[1], best[2])

    def move(self, unit: str, here: int, there: int, change: float) -> None:
        self.label[unit] = there
        self.size[here] -= 1
        self.size[there] += 1
        self.c_out[here] -= self.out_deg[unit]
        self.c_in[here] -= self.in_deg[unit]
        self.c_out[there] += self.out_deg[unit]
        self.c_in[there] += self.in_deg[unit]
        self.quality += change

    def groups(self) -> list[list[str]]:
        result: dict[int, list[str]] = defaultdict(list)
        for u, group_id in self.label.items():
            result[group_id].append(u)
        return [sorted(result[g]) for g in sorted(result)]


def _refine(groups: list[set[str]], units: UnitGraph, members: list[str]) -> list[set[str]]:
    """Local moves that raise modularity, from a starting partition (Louvain's phase 1)."""
    label = {u: f"g{i}" for i, g in enumerate(groups) for u in g}
    sub = UnitGraph(containers=units.containers,
                    units={u: units.units[u] for u in members},
                    weights={k: w for k, w in units.weights.items()
                             if k[0] in label and k[1] in label})
    metrics = PlanMetrics(sub, dict(label), pair_counts={}, layer=lambda t: None)
    neighbours = sub.neighbours()
    for _sweep in range(20):
        improved = False
        for unit in sorted(members):
            current = metrics.assignment[unit]
            base = metrics.modularity
            best_gain, best_label = 1e-12, current
            for other in sorted({metrics.assignment[v] or "" for v in neighbours.get(unit, {})}):
                if other == current:
                    continue
                metrics.move(unit, other)
                gain = metrics.modularity - base
                if gain > best_gain:
                    best_gain, best_label = gain, other
                metrics.move(unit, current)
            if best_label != current:
                metrics.move(unit, best_label)
                improved = True
        if not improved:
            break
    result: dict[str | None, set[str]] = defaultdict(set)
    for unit, group in metrics.assignment.items():
        result[group].add(unit)
    return list(result.values())


_CACHE_VERSION = 2
"""Bump when `cluster` would answer differently for the same input."""


class ClusterCache:
    """The tiers of each container from the last `suggest` on this repo, under the tool's
    folder, keyed by a digest of everything the answer depends on (the members, the
    weights among them, the options, the stamp of their files' words, the code's
    version and networkx's): a second start on an unchanged repository neither clusters
    nor reads a file (nor imports numpy and scipy: a quarter of a second). Only what
    this run asked for is kept when it is saved. A unit no tier holds (tied to nothing)
    is left out of the groups."""

    def __init__(self, state_dir: Path | None) -> None:
        self.path = state_dir / CLUSTER_CACHE if state_dir is not None else None
        self._old: dict[str, object] = {}
        self._new: dict[str, object] = {}
        data = cachefile.load(self.path) if self.path is not None else None
        if isinstance(data, dict):
            self._old = data

    @staticmethod
    def key(units: UnitGraph, members: list[str], tiers: int | None,
            resolution: float | None, seed: int, words: str | None = None) -> str:
        """`words`: the words' `CodeWords.stamp()`, if the clustering reads them."""
        member_set = set(members)
        weights = sorted((a, b, w) for (a, b), w in units.weights.items()
                         if a in member_set and b in member_set)
        text = json.dumps([_CACHE_VERSION, nx.__version__, sorted(members), weights, tiers,
                           resolution, seed, words], separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str, members: list[str]) -> Candidate | None:
        entry: Any = self._old.get(key)
        try:
            method, groups, modularity = entry
            candidate = Candidate(str(method), tuple(tuple(str(u) for u in g) for g in groups),
                                  float(modularity))
        except (TypeError, ValueError):
            return None
        placed = [u for g in candidate.groups for u in g]
        if len(placed) != len(set(placed)) or not set(placed) <= set(members):
            return None  # not groups of these members: ignore it
        self._new[key] = entry
        return candidate

    def put(self, key: str, candidate: Candidate) -> None:
        self._new[key] = [candidate.method, [list(g) for g in candidate.groups],
                          candidate.modularity]

    def save(self) -> None:
        if self.path is None or self._new == self._old:
            return
        cachefile.save(self.path, self._new)


def cluster(units: UnitGraph, members: list[str], *, tiers: int | None = None,
            resolution: float | None = None, seed: int = 0,
            words: CodeWords | None = None) -> Candidate:
    """The best grouping of `members` (units of one container, or any set of units):
    with `words`, spectral on the imports and the words (`resolution` and `seed` do not
    apply); without, the best of the import graph's candidates."""
    if words is not None:
        return _spectral(units, members, tiers, words.vectors)
    member_set = set(members)
    graph = _undirected(members, units.weights)
    large = len(members) > _LARGE
    resolutions = (resolution,) if resolution is not None else (
        LARGE_RESOLUTIONS if large else RESOLUTIONS)
    seeds = (seed, seed + 1, seed + 2)
    raw: list[tuple[str, list[set[str]]]] = []
    for r in resolutions:
        for s in seeds:
            parts = nx.community.louvain_communities(graph, weight="weight", resolution=r,
                                                     seed=s)
            raw.append((f"louvain(resolution={r}, seed={s})", [set(p) for p in parts]))
    if resolution is None and graph.number_of_edges() and not large:
        parts = nx.community.greedy_modularity_communities(graph, weight="weight")
        raw.append(("greedy-modularity", [set(p) for p in parts]))
    parents = {names.parent(u) for u in members}
    current: dict[str, str] = {u: names.parent(u) for u in members}
    if len(parents) > 1:
        by_parent: dict[str, set[str]] = defaultdict(set)
        for u in members:
            by_parent[names.parent(u)].add(u)
        raw.append(("package-structure+refinement",
                    _refine(list(by_parent.values()), units, members)))

    candidates: dict[tuple[tuple[str, ...], ...], Candidate] = {}
    for method, groups in raw:
        if tiers is not None and tiers > 0:
            if len(groups) > tiers:
                groups = _merge_to(groups, tiers, units.weights, member_set)
            elif len(groups) < tiers:
                groups = _split_to(groups, min(tiers, len(members)), graph, seed)
        key = _normalise(groups)
        if key not in candidates:
            candidates[key] = Candidate(
                method, key, _directed_modularity(key, units.weights, member_set))
    ranked = sorted(candidates.values(), key=lambda c: (-c.modularity, c.method))
    best = ranked[0]
    if len(parents) > 1:
        close = [c for c in ranked if c.modularity >= best.modularity - _TOLERANCE * abs(
            best.modularity)]
        best = max(close, key=lambda c: (
            mojofm({u: i for i, g in enumerate(c.groups) for u in g}, current), c.modularity))
    return best


def _spectral(units: UnitGraph, members: list[str], tiers: int | None,
              vectors: Mapping[str, Mapping[str, float]]) -> Candidate:
    """Spectral clustering at `tiers` groups, or at the count within `tier_range` that
    scores best (`Spectral.best_count`). Units tied to none of the others by imports or
    words join the largest group: nothing says where else they belong."""
    from pyagent_workbench.analysis import spectral  # numpy, scipy: only when needed

    low, high = tier_range(len(members)) if tiers is None else (tiers, tiers)
    embedding = spectral.embed(members, units.weights, vectors, high)
    count = embedding.best_count(low, high) if tiers is None else tiers
    groups = [set(g) for g in embedding.groups(count)] if embedding.units else []
    if embedding.alone:
        if groups:
            max(groups, key=lambda g: (len(g), min(g) if g else "")).update(embedding.alone)
        else:
            groups = [set(embedding.alone)]
    key = _normalise(groups)
    return Candidate(f"spectral(imports+words, {len(key)} groups)", key,
                     _directed_modularity(key, units.weights, set(members)))
