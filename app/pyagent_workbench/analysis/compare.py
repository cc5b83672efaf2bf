"""Compare two groupings of the same units: MoJoFM and the adjusted Rand index.

MoJo (Tzerpos & Holt) counts the Move and Join operations that turn partition A into
B. Wen & Tzerpos showed the optimum: every cluster of A joins the B-cluster holding
most of its objects, and ties are settled by a maximum bipartite matching so that as
many groups as possible stay apart:
    mno(A, B) = (N - sum_i max_j |A_i ∩ B_j|) + (|A| - matching)
MoJoFM(A, B) = (1 - mno(A, B) / max_X mno(X, B)) * 100, where the farthest partition
from B is N minus the number of B-clusters that can each keep a distinct object count
(the classic `maxDistanceTo` of the MoJo reference implementation).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from math import comb

import networkx as nx

Partition = Mapping[str, Hashable]
"""Object -> cluster label."""


def _common(a: Partition, b: Partition) -> list[str]:
    return sorted(set(a) & set(b))


def mojo(a: Partition, b: Partition) -> int:
    objects = _common(a, b)
    overlap: dict[Hashable, Counter[Hashable]] = defaultdict(Counter)
    for obj in objects:
        overlap[a[obj]][b[obj]] += 1
    moves = len(objects)
    graph = nx.Graph()
    left = []
    for cluster, tags in overlap.items():
        best = max(tags.values())
        moves -= best
        node = ("a", cluster)
        left.append(node)
        graph.add_node(node)
        for tag, count in tags.items():
            if count == best:
                graph.add_edge(node, ("b", tag))
    matching = nx.bipartite.hopcroft_karp_matching(graph, top_nodes=left) if left else {}
    matched = sum(1 for node in left if node in matching)
    return moves + (len(overlap) - matched)


def max_mojo(b: Partition, objects: list[str]) -> int:
    sizes = sorted(Counter(b[o] for o in objects).values(), reverse=True)
    groups = 0
    for size in sizes:
        if size > groups:
            groups += 1
    return len(objects) - groups


def mojofm(a: Partition, b: Partition) -> float:
    """How close A is to the reference B, in percent (100 = identical)."""
    objects = _common(a, b)
    if not objects:
        return 0.0
    worst = max_mojo(b, objects)
    if worst == 0:
        return 100.0
    return max(0.0, (1 - mojo(a, b) / worst) * 100)


def adjusted_rand(a: Partition, b: Partition) -> float:
    objects = _common(a, b)
    n = len(objects)
    if n < 2:
        return 1.0
    table: Counter[tuple[Hashable, Hashable]] = Counter((a[o], b[o]) for o in objects)
    rows = Counter(a[o] for o in objects)
    cols = Counter(b[o] for o in objects)
    index = sum(comb(v, 2) for v in table.values())
    sum_rows = sum(comb(v, 2) for v in rows.values())
    sum_cols = sum(comb(v, 2) for v in cols.values())
    expected = sum_rows * sum_cols / comb(n, 2)
    maximum = (sum_rows + sum_cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
