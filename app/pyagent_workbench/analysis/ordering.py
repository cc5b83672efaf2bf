"""Order tiers from foundation to top, and find the fewest imports that break tier cycles.

Within each strongly connected group of tiers the order minimising the weight of
upward imports (a minimum feedback arc set) is found exactly by dynamic programming
over subsets for up to 14 tiers, and by the Eades-Lin-Smyth heuristic beyond.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

Weights = dict[tuple[str, str], int]

_EXACT_LIMIT = 14


def tier_cycles(tiers: Iterable[str], weights: Weights) -> list[list[str]]:
    """Groups of tiers that import each other, directly or not (each sorted)."""
    import networkx as nx  # (0.13 s to import: not for the commands that never order)

    graph = nx.DiGraph()
    graph.add_nodes_from(tiers)
    graph.add_edges_from((a, b) for (a, b), w in weights.items() if w > 0 and a != b)
    return sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)


def least_upward_order(group: list[str], weights: Weights) -> list[str]:
    """The tiers of `group`, foundation first, in the order with the least weight of
    imports from a lower tier to a higher one (exact up to 14 tiers)."""
    n = len(group)
    if n <= 1:
        return list(group)
    if n > _EXACT_LIMIT:
        return _eades(group, weights)
    index = {t: i for i, t in enumerate(group)}
    w = [[0] * n for _ in range(n)]
    for (a, b), value in weights.items():
        if a in index and b in index and a != b:
            w[index[a]][index[b]] += value
    size = 1 << n
    # into[t][mask]: weight of imports from tiers in mask to tier t (upward if t is placed
    # above them).
    into = [[0] * size for _ in range(n)]
    for t in range(n):
        row = into[t]
        for mask in range(1, size):
            low = mask & -mask
            row[mask] = row[mask ^ low] + w[low.bit_length() - 1][t]
    inf = float("inf")
    cost: list[float] = [inf] * size
    choice = [-1] * size
    cost[0] = 0
    for mask in range(size):
        base = cost[mask]
        if base == inf:
            continue
        for t in range(n):
            bit = 1 << t
            if mask & bit:
                continue
            total = base + into[t][mask]
            if total < cost[mask | bit] or (total == cost[mask | bit] and t < choice[mask | bit]):
                cost[mask | bit] = total
                choice[mask | bit] = t
    order = []
    mask = size - 1
    while mask:
        t = choice[mask]
        order.append(group[t])
        mask ^= 1 << t
    return list(reversed(order))


def _eades(group: list[str], weights: Weights) -> list[str]:
    remaining = set(group)
    out_w: dict[str, dict[str, int]] = defaultdict(dict)
    for (a, b), value in weights.items():
        if a in remaining and b in remaining and a != b:
            out_w[a][b] = out_w[a].get(b, 0) + value
    low: list[str] = []
    high: list[str] = []
    while remaining:
        def out_of(t: str) -> int:
            return sum(v for b, v in out_w[t].items() if b in remaining)

        def into(t: str) -> int:
            return sum(out_w[a].get(t, 0) for a in remaining)

        sinks = sorted(t for t in remaining if out_of(t) == 0)
        if sinks:  # imports nothing left: foundation side
            low.extend(sinks)
            remaining.difference_update(sinks)
            continue
        sources = sorted(t for t in remaining if into(t) == 0)
        if sources:
            high = sorted(sources) + high
            remaining.difference_update(sources)
            continue
        best = max(sorted(remaining), key=lambda t: into(t) - out_of(t))
        high.insert(0, best)
        remaining.discard(best)
    return low + high


def order_tiers(tiers: list[str], weights: Weights) -> list[str]:
    """All tiers, foundation first."""
    import networkx as nx  # (0.13 s to import: not for the commands that never order)

    graph = nx.DiGraph()
    graph.add_nodes_from(tiers)
    graph.add_edges_from((a, b) for (a, b), w in weights.items() if w > 0 and a != b
                         and a in graph and b in graph)
    condensed = nx.condensation(graph)
    # Imports point from top to foundation: a reversed topological order is foundation first.
    order: list[str] = []
    for component in reversed(list(nx.lexicographical_topological_sort(
            condensed, key=lambda c: min(condensed.nodes[c]["members"])))):
        members = sorted(condensed.nodes[component]["members"])
        order.extend(least_upward_order(members, weights))
    return order


def layers_for(order: list[str], weights: Weights) -> dict[str, int]:
    """Layer numbers (1 = foundation) by longest path, once upward imports are ignored;
    tiers with no import between them can share a layer."""
    position = {t: i for i, t in enumerate(order)}
    layer: dict[str, int] = {}
    for tier in order:
        below = [b for (a, b), w in weights.items()
                 if a == tier and w > 0 and b in position and position[b] < position[tier]]
        layer[tier] = 1 + max((layer[b] for b in below), default=0)
    return layer


def cycle_breakers(order: list[str], weights: Weights) -> list[tuple[str, str]]:
    """Tier-level imports that go upward in `order`: removing them breaks every cycle."""
    position = {t: i for i, t in enumerate(order)}
    return sorted(
        (a, b) for (a, b), w in weights.items()
        if w > 0 and a in position and b in position and position[a] < position[b]
    )
