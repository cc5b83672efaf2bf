"""Spectral clustering on the imports and the words (analysis.spectral, and `cluster` with
words): planted groups found, the count found, role-named groups held together by their
words, the same answer whatever the order, units tied to nothing set apart."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from pyagent_workbench.analysis import spectral
from pyagent_workbench.analysis.clustering import cluster
from pyagent_workbench.analysis.compare import mojofm
from pyagent_workbench.analysis.lexical import CodeWords
from pyagent_workbench.analysis.units import Unit, UnitGraph

TOPICS = ["cache", "render", "query", "socket", "parser", "crypto", "schedule", "widget"]


Words = CodeWords.of_bags

def planted(groups: int, size: int, *, inside: float, across: float, words: bool,
            seed: int) -> tuple[UnitGraph, dict[str, str], CodeWords]:
    """`groups` groups of `size` units: imports inside a group with probability
    `inside`, across with `across`; each unit's words are its group's topic words and
    noise shared by all."""
    rng = random.Random(seed)
    truth = {f"c.u{g}_{i:02d}": TOPICS[g] for g in range(groups) for i in range(size)}
    order = sorted(truth, key=lambda _: rng.random())
    weights: dict[tuple[str, str], int] = {}
    for a in order:
        for b in order:
            chance = inside if truth[a] == truth[b] else across
            if a != b and rng.random() < chance:
                weights[(a, b)] = rng.randint(1, 3)
    bags: dict[str, Counter[str]] = {}
    for unit in order:
        bag: Counter[str] = Counter()
        if words:
            topic = truth[unit]
            bag.update({f"{topic}{k}": rng.randint(1, 4) for k in range(6)
                        if rng.random() < 0.7})
        bag.update({f"noise{rng.randint(0, 40)}": 1 for _ in range(8)})
        bags[unit] = bag
    units = {u: Unit(u, "c", (u,)) for u in truth}
    return UnitGraph(["c"], units, weights, {}, {u: u for u in units}), truth, Words(bags)


def score(groups: tuple[tuple[str, ...], ...] | list[list[str]], truth: dict[str, str]) -> float:
    return mojofm({u: i for i, g in enumerate(groups) for u in g}, truth)


@pytest.mark.parametrize("seed", range(4))
def test_planted_groups_are_found_from_imports_and_words(seed: int) -> None:
    units, truth, words = planted(5, 12, inside=0.25, across=0.03, words=True, seed=seed)
    found = cluster(units, sorted(units.units), tiers=5, words=words)
    assert len(found.groups) == 5
    assert score(found.groups, truth) >= 90
    assert found.method.startswith("spectral")


@pytest.mark.parametrize("seed", range(3))
def test_the_count_is_found_when_left_open(seed: int) -> None:
    units, truth, words = planted(5, 12, inside=0.3, across=0.02, words=True, seed=seed)
    found = cluster(units, sorted(units.units), words=words)
    assert len(found.groups) == 5
    assert score(found.groups, truth) >= 90


@pytest.mark.parametrize("seed", range(3))
def test_groups_the_imports_cannot_see_are_held_together_by_their_words(seed: int) -> None:
    # Four groups tied by imports as much across as inside (the imports are noise, as
    # loud as the words): the graph alone cannot tell them apart, the words can.
    units, truth, words = planted(4, 10, inside=0.12, across=0.12, words=True, seed=seed)
    members = sorted(units.units)
    with_words = cluster(units, members, tiers=4, words=words)
    graph_only = cluster(units, members, tiers=4)
    assert score(with_words.groups, truth) >= 80
    assert score(with_words.groups, truth) > score(graph_only.groups, truth) + 40


def test_the_same_groups_whatever_the_order_of_the_input() -> None:
    units, _, words = planted(4, 10, inside=0.25, across=0.04, words=True, seed=3)
    members = sorted(units.units)
    first = cluster(units, members, words=words)
    shuffled = UnitGraph(["c"], dict(reversed(list(units.units.items()))),
                         dict(reversed(list(units.weights.items()))), {}, units.unit_of)
    again = cluster(shuffled, list(reversed(members)), words=words)
    assert first == again


def test_units_tied_to_nothing_are_set_apart_and_join_the_largest_group() -> None:
    units, _, words = planted(3, 8, inside=0.4, across=0.02, words=True, seed=1)
    lonely = {"c.zz_alone1": Counter(), "c.zz_alone2": Counter({"unique": 1})}
    for name in lonely:
        units.units[name] = Unit(name, "c", (name,))
        units.unit_of[name] = name
    bags = {u: Counter({k: 1 for k in v}) for u, v in words.vectors.items()} | lonely
    words = Words(bags)
    members = sorted(units.units)
    embedding = spectral.embed(members, units.weights, words.vectors, 3)
    assert embedding.alone == ("c.zz_alone1", "c.zz_alone2")
    found = cluster(units, members, tiers=3, words=words)
    placed = sorted(u for g in found.groups for u in g)
    assert placed == members
    largest = max(found.groups, key=len)
    assert {"c.zz_alone1", "c.zz_alone2"} <= set(largest)


def test_tiny_and_empty_containers() -> None:
    units = {u: Unit(u, "c", (u,)) for u in ("c.a", "c.b")}
    graph = UnitGraph(["c"], units, {("c.a", "c.b"): 1}, {}, {u: u for u in units})
    empty = Words({"c.a": Counter(), "c.b": Counter()})
    found = cluster(graph, ["c.a", "c.b"], words=empty)
    assert sorted(u for g in found.groups for u in g) == ["c.a", "c.b"]
    silent = UnitGraph(["c"], units, {}, {}, {u: u for u in units})
    found = cluster(silent, ["c.a", "c.b"], tiers=2, words=empty)
    assert found.groups == (("c.a", "c.b"),)


def test_the_matrices() -> None:
    imports = spectral.import_matrix(["a", "b", "c"], {("a", "b"): 3, ("b", "a"): 1,
                                                       ("b", "c"): 1, ("x", "a"): 9}).toarray()
    assert np.allclose(imports, imports.T)
    assert imports[0, 2] == 0 and imports[0, 1] > imports[1, 2] > 0
    assert imports[imports > 0].mean() == pytest.approx(1.0)
    vectors = {"a": {"x": 1.0}, "b": {"x": 0.6, "y": 0.8}, "c": {"y": 1.0}, "d": {"z": 1.0}}
    words = spectral.word_matrix(["a", "b", "c", "d"], vectors, neighbours=1).toarray()
    assert np.allclose(words, words.T)
    assert words[0, 1] == pytest.approx(0.6) and words[1, 2] == pytest.approx(0.8)
    assert words[0, 2] == 0 and not words[3].any()  # "z": one unit's word ties nothing


def test_a_large_container_is_embedded_by_lanczos_iteration_as_well_as_densely(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Past DENSE_LIMIT units only the leading eigenvectors are computed (sparse Lanczos):
    # the same groups as the dense decomposition, and the same each time.
    units, truth, words = planted(6, 40, inside=0.1, across=0.005, words=True, seed=5)
    members = sorted(units.units)
    monkeypatch.setattr(spectral, "DENSE_LIMIT", 10)
    sparse = cluster(units, members, tiers=6, words=words)
    assert sparse == cluster(units, members, tiers=6, words=words)
    monkeypatch.setattr(spectral, "DENSE_LIMIT", 10_000)
    dense = cluster(units, members, tiers=6, words=words)
    assert score(sparse.groups, truth) >= 95
    assert score(sparse.groups, {u: str(i) for i, g in enumerate(dense.groups) for u in g}) >= 95
