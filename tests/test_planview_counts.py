"""What the plan view counts from its cross-tier edges (the tier matrix, the edges per
unit) follows every edit, with no cache for callers to clear."""

from __future__ import annotations

from collections import Counter

from pyagent_workbench.analysis.graph import build_graph
from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.repo import Repo
from support.repos import SAMPLE_REPO


def _recount(view: PlanView) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    matrix: Counter[tuple[str, str]] = Counter()
    per_unit: Counter[str] = Counter()
    for (importer, imported), edges in view.edge_pairs().items():
        matrix[(edges[0].importer_tier, edges[0].imported_tier)] += 1
        for module in (importer, imported):
            if module in view.units.unit_of:
                per_unit[view.units.unit_of[module]] += 1
    return dict(matrix), dict(per_unit)


def test_matrix_and_unit_counts_follow_moves() -> None:
    plan = Plan.load(SAMPLE_REPO / "phase1.toml")
    repo = Repo(SAMPLE_REPO, source_root=plan.source_root, packages=plan.packages)
    view = PlanView(repo, build_graph(repo), plan)
    assert (view.tier_matrix(), view.unit_edge_counts) == _recount(view)
    moved = plan.moves[0].source
    view.move_unit(moved, None)
    assert (view.tier_matrix(), view.unit_edge_counts) == _recount(view)
    view.move_unit(moved, plan.tiers[-1].name)
    assert (view.tier_matrix(), view.unit_edge_counts) == _recount(view)
    assert sum(view.tier_matrix().values()) == len(view.edge_pairs())


def test_kept_figures_follow_verdicts_moves_and_refreshes() -> None:
    """Edge pairs are read again after a verdict; the matrix, weights and cycles (which
    a verdict cannot change) after a move or a refresh; callers get copies they may
    change without changing the view."""
    plan = Plan.load(SAMPLE_REPO / "phase1.toml")
    repo = Repo(SAMPLE_REPO, source_root=plan.source_root, packages=plan.packages)
    view = PlanView(repo, build_graph(repo), plan)
    matrix, cycles = view.tier_matrix(), view.tier_cycles()
    key = next(iter(view.edge_pairs()))
    assert view.edge_pairs()[key][0].review is None
    plan.set_review(*key, "accepted", "")
    view.reviews_changed()
    assert view.edge_pairs()[key][0].verdict == "accepted"
    assert (view.tier_matrix(), view.tier_cycles()) == (matrix, cycles)
    view.tier_matrix().clear()
    view.tier_cycles().clear()
    assert (view.tier_matrix(), view.tier_cycles()) == (matrix, cycles)
    moved = plan.moves[0].source
    view.move_unit(moved, None)
    assert (view.tier_matrix(), view.unit_edge_counts) == _recount(view)
    assert view.tier_weights() == dict(Counter(
        (e.importer_tier, e.imported_tier) for e in view.cross_tier_edges))
    view.move_unit(moved, plan.tiers[-1].name)
    view.refresh()
    assert (view.tier_matrix(), view.unit_edge_counts) == _recount(view)


def test_the_tiers_in_cycles_are_those_of_the_cycles_found_with_their_breakers() -> None:
    """`cycle_tiers` (what the matrix colours) skips the breakers' exact ordering; it
    names the same tiers as `tier_cycles`, before and after a move."""
    plan = Plan.load(SAMPLE_REPO / "phase1.toml")
    repo = Repo(SAMPLE_REPO, source_root=plan.source_root, packages=plan.packages)
    for read_cycles_first in (False, True):
        view = PlanView(repo, build_graph(repo), plan.copy())
        for move in (None, view.plan.moves[0].source):
            if move is not None:
                view.move_unit(move, view.plan.tiers[-1].name)
            if read_cycles_first:
                view.tier_cycles()
            tiers = view.cycle_tiers()
            assert tiers == {t for cycle in view.tier_cycles() for t in cycle.tiers}
            assert tiers  # the sample has a tier cycle


def test_a_verdicts_incremental_update_reads_as_a_fresh_view() -> None:
    """A verdict reads again only its pairs' edges (`reviews_changed(pairs)`); after any
    mix of verdicts, cleared verdicts, moves and reviews named by the modules' old or new
    names (the last one in the plan counts), the edges are those a fresh view reads."""
    import random

    from pyagent_workbench.application import editing

    plan = Plan.load(SAMPLE_REPO / "phase1.toml")
    repo = Repo(SAMPLE_REPO, source_root=plan.source_root, packages=plan.packages)
    graph = build_graph(repo)
    view = PlanView(repo, graph, plan)
    rng = random.Random(7)
    for step in range(120):
        pairs = sorted(view.edge_pairs())
        chosen = rng.sample(pairs, rng.randint(1, 4))
        roll = rng.random()
        if roll < 0.1:
            unit = rng.choice(sorted(view.units.units))
            view.move_unit(unit, rng.choice([None, *(t.name for t in view.plan.tiers)]))
        elif roll < 0.3:  # a review under the names the modules will have
            new = view.tiermap.new_name
            renamed = [(new(a), new(b)) for a, b in chosen]
            edit = editing.review(view, renamed, rng.choice(["accepted", "must-fix", None]))
            assert edit is not None
            edit.make()
        else:
            edit = editing.review(view, chosen, rng.choice(["accepted", "must-fix", None]))
            assert edit is not None
            edit.make()
        fresh = PlanView(repo, graph, Plan.parse(view.plan.dumps()))
        assert view.cross_tier_edges == fresh.cross_tier_edges, step
        assert view.edge_pairs() == fresh.edge_pairs(), step
