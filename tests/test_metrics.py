"""Quality figures against independent computations: networkx's modularity, and small
reference implementations of TurboMQ, MoJo(FM) and the adjusted Rand index written
from their definitions."""

from __future__ import annotations

import itertools

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st
from pyagent_workbench.analysis.compare import adjusted_rand, mojo, mojofm
from pyagent_workbench.analysis.metrics import PlanMetrics
from pyagent_workbench.analysis.ordering import least_upward_order, order_tiers
from pyagent_workbench.analysis.units import Unit, UnitGraph

# -- references ------------------------------------------------------------------------------


def reference_turbomq(weights: dict[tuple[str, str], int], label: dict[str, object]) -> float:
    """Mitchell & Mancoridis: MQ = sum over clusters of 2μ / (2μ + ε)."""
    clusters = set(label.values())
    total = 0.0
    for cluster in clusters:
        mu = sum(w for (a, b), w in weights.items() if label[a] == cluster == label[b])
        eps = sum(w for (a, b), w in weights.items()
                  if (label[a] == cluster) != (label[b] == cluster))
        if mu:
            total += 2 * mu / (2 * mu + eps)
    return total


def reference_mojo(a: dict[str, object], b: dict[str, object]) -> int:
    """MoJo by exhaustive search over the ways to send each A-cluster to a B-cluster:
    joins = A-clusters sharing a destination, moves = objects not in their destination's
    B-cluster (the optimal transformation has this shape; Wen & Tzerpos 2004)."""
    a_clusters = sorted({str(v) for v in a.values()})
    b_clusters = sorted({str(v) for v in b.values()})
    best = None
    for assignment in itertools.product(b_clusters, repeat=len(a_clusters)):
        destination = dict(zip(a_clusters, assignment, strict=True))
        moves = sum(1 for obj in a if str(b[obj]) != destination[str(a[obj])])
        joins = len(a_clusters) - len(set(assignment))
        cost = moves + joins
        best = cost if best is None else min(best, cost)
    assert best is not None
    return best


def reference_ari(a: dict[str, object], b: dict[str, object]) -> float:
    """Hubert & Arabie's adjusted Rand index from pair counts."""
    objects = sorted(a)
    pairs = list(itertools.combinations(objects, 2))
    same_both = sum(1 for x, y in pairs if a[x] == a[y] and b[x] == b[y])
    same_a = sum(1 for x, y in pairs if a[x] == a[y])
    same_b = sum(1 for x, y in pairs if b[x] == b[y])
    expected = same_a * same_b / len(pairs)
    maximum = (same_a + same_b) / 2
    return 1.0 if maximum == expected else (same_both - expected) / (maximum - expected)


# -- generators ----------------------------------------------------------------------------

unit_names = [f"pkg.u{i}" for i in range(9)]


@st.composite
def unit_graphs(draw: st.DrawFn) -> tuple[UnitGraph, dict[str, str | None]]:
    count = draw(st.integers(3, len(unit_names)))
    units = unit_names[:count]
    weights = {}
    for a, b in itertools.permutations(units, 2):
        w = draw(st.integers(0, 4))
        if w:
            weights[(a, b)] = w
    graph = UnitGraph(["pkg"], {u: Unit(u, "pkg", (u,)) for u in units}, weights)
    tiers = ["t1", "t2", "t3", None]
    assignment = {u: draw(st.sampled_from(tiers)) for u in units}
    return graph, assignment


def communities(assignment: dict[str, str | None]) -> list[set[str]]:
    groups: dict[object, set[str]] = {}
    for unit, tier in assignment.items():
        groups.setdefault(tier or ("stays", unit), set()).add(unit)
    return list(groups.values())


def digraph(units: UnitGraph) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(units.units)
    for (a, b), w in units.weights.items():
        graph.add_edge(a, b, weight=w)
    return graph


# -- tests -----------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(unit_graphs(), st.lists(st.tuples(st.integers(0, 8), st.sampled_from(
    ["t1", "t2", "t3", "t4", None])), max_size=12))
def test_incremental_figures_match_networkx_and_references(
    case: tuple[UnitGraph, dict[str, str | None]], moves: list[tuple[int, str | None]]
) -> None:
    units, assignment = case
    layers = {"t1": 1, "t2": 2, "t3": 3, "t4": 2}
    metrics = PlanMetrics(units, assignment, pair_counts={k: 1 for k in units.weights},
                          layer=layers.get)
    names = list(units.units)
    for index, tier in moves:
        unit = names[index % len(names)]
        metrics.move(unit, tier)
        assignment[unit] = tier
    graph = digraph(units)
    if graph.size(weight="weight"):
        expected = nx.community.modularity(graph, communities(assignment), weight="weight")
        assert abs(metrics.modularity - expected) < 1e-9
    label = {u: (t or ("stays", u)) for u, t in assignment.items()}
    assert abs(metrics.turbomq - reference_turbomq(units.weights, label)) < 1e-9
    cross = sum(1 for a, b in units.weights if assignment[a] and assignment[b]
                and assignment[a] != assignment[b])
    upward = sum(1 for a, b in units.weights if assignment[a] and assignment[b]
                 and assignment[a] != assignment[b]
                 and layers[assignment[a]] < layers[assignment[b]])
    figures = metrics.figures()
    assert (figures.cross_tier_edges, figures.upward_edges) == (cross, upward)
    fresh = PlanMetrics(units, assignment, pair_counts={k: 1 for k in units.weights},
                        layer=layers.get).figures()
    assert figures.as_dict() == fresh.as_dict()
    assert abs(figures.modularity - fresh.modularity) < 1e-9


partitions = st.lists(st.integers(0, 3), min_size=2, max_size=8)


@settings(max_examples=200, deadline=None)
@given(partitions, partitions)
def test_mojo_matches_exhaustive_search(xs: list[int], ys: list[int]) -> None:
    n = min(len(xs), len(ys))
    a = {f"o{i}": f"a{xs[i]}" for i in range(n)}
    b = {f"o{i}": f"b{ys[i]}" for i in range(n)}
    assert mojo(a, b) == reference_mojo(a, b)
    assert abs(adjusted_rand(a, b) - reference_ari(a, b)) < 1e-9


def test_mojofm_bounds() -> None:
    a = {"x": 1, "y": 1, "z": 2}
    assert mojofm(a, a) == 100.0
    b = {"x": 1, "y": 2, "z": 3}
    assert 0.0 <= mojofm(a, b) < 100.0


def test_exact_tier_order_minimises_upward_weight() -> None:
    weights = {("a", "b"): 5, ("b", "c"): 4, ("c", "a"): 1, ("b", "a"): 2, ("d", "a"): 3}
    tiers = ["a", "b", "c", "d"]
    order = least_upward_order(tiers, weights)

    def upward(order: list[str]) -> int:
        pos = {t: i for i, t in enumerate(order)}
        return sum(w for (x, y), w in weights.items() if pos[x] < pos[y])

    assert upward(order) == min(upward(list(p)) for p in itertools.permutations(tiers))
    full = order_tiers(tiers, weights)
    assert upward(full) == upward(order)
