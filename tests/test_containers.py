"""Which packages `suggest` proposes to restructure (issue 14): the few a person would
pick, ranked by how crowded they are and how much their children import each other; on
sample_repo/ the proposal's two, on a repo of Django's shape a handful (never every
package with many children), on a flat project its one package."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from pyagent_workbench.analysis.clustering import (
    LAYER_BUDGET,
    _directed_modularity,
    cluster,
    layered,
    tier_range,
)
from pyagent_workbench.analysis.graph import build_graph
from pyagent_workbench.analysis.ordering import order_tiers
from pyagent_workbench.analysis.units import (
    MAX_CONTAINERS,
    Unit,
    UnitGraph,
    build_units,
    detect_containers,
    rank_containers,
)
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.repo import Repo
from support.cli import run
from support.repos import SAMPLE_REPO, make_repo
from support.shapes import django_shaped, siblings


def ranked(repo: Path, packages: list[str]) -> tuple[list[str], dict[str, float]]:
    graph = build_graph(Repo(repo, source_root=".", packages=packages), use_cache=False)
    package_names = {m for m in graph.modules if any(o.startswith(m + ".") for o in graph.modules)}
    pairs = [(r.importer, r.imported) for r in graph.imports]
    scores = {c.name: c.score for c in rank_containers(graph.modules, package_names, pairs)}
    return detect_containers(graph.modules, package_names, pairs), scores


def test_sample_repo_gets_the_proposals_two_containers() -> None:
    chosen, _ = ranked(SAMPLE_REPO, ["src"])
    assert chosen == ["src.core.base", "src.infrastructure"]


def test_a_django_shaped_repo_gets_a_few_containers_and_never_its_translations(
        tmp_path: Path) -> None:
    chosen, scores = ranked(django_shaped(tmp_path / "repo"), ["proj"])
    assert len(scores) == 12  # proj itself (12 children) included; the vendored one not
    assert "proj._vendor.lib" not in scores
    assert scores["proj.conf.locale"] == 0
    # The two crowded, flat, knit packages; the top package is deep (organised
    # already), the small apps of contrib and the middling packages gain little.
    assert chosen == ["proj.db.models", "proj.utils"]
    assert len(chosen) <= MAX_CONTAINERS
    assert scores["proj"] < scores["proj.utils"] / 5


def test_the_suggestion_restructures_only_the_chosen_containers(tmp_path: Path) -> None:
    """The plan `suggest` writes names the chosen containers only; `--container` still
    picks any package, the translations included."""
    repo = django_shaped(tmp_path / "repo")
    result = run("suggest", repo, "-o", repo / "plan.toml")
    assert result.code == 0, result.err
    plan = Plan.load(repo / "plan.toml")
    assert sorted(plan.containers) == ["proj.db.models", "proj.utils"]
    assert not [m for m in plan.moves if m.source.startswith("proj.conf.locale")]
    graph = build_graph(Repo(repo, source_root=".", packages=["proj"]), use_cache=False)
    assert build_units(graph, ["proj.conf.locale"]).containers == ["proj.conf.locale"]


def test_a_flat_project_gets_its_one_package(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", siblings(random.Random(3), "flat", 25, 2))
    chosen, _ = ranked(repo, ["flat"])
    assert chosen == ["flat"]


def test_crowded_children_that_never_import_each_other_still_give_one_container(
        tmp_path: Path) -> None:
    """With no imports between siblings anywhere, the most crowded package is proposed
    (a board to start from), not nothing."""
    rng = random.Random(5)
    files = siblings(rng, "pkg.small", 9, 0) | siblings(rng, "pkg.big", 14, 0)
    files["pkg/__init__.py"] = ""
    chosen, scores = ranked(make_repo(tmp_path / "repo", files), ["pkg"])
    assert set(scores.values()) == {0}
    assert chosen == ["pkg.big"]


def cliques(count: int, size: int) -> dict[str, str | bytes]:
    """`flat`: `count` cliques of `size` modules importing each other, one import between
    neighbouring cliques: the clustering finds about `count` communities."""
    files: dict[str, str | bytes] = {"flat/__init__.py": ""}
    for c in range(count):
        group = [f"m{c:02d}_{i}" for i in range(size)]
        for i, name in enumerate(group):
            imports = [f"from flat import {o}" for o in group if o != name]
            if i == 0 and c:
                imports.append(f"from flat import m{c - 1:02d}_0")
            files[f"flat/{name}.py"] = "\n".join(imports) + "\nX = 1\n"
    return files


def test_the_tier_count_fits_a_board_unless_asked(tmp_path: Path) -> None:
    """Twenty cliques make ten or more communities; the suggestion brings them to the 3-8
    tiers a board can show, and `--tiers` still gets what it asks for."""
    repo = make_repo(tmp_path / "repo", cliques(20, 3))
    graph = build_graph(Repo(repo, source_root=".", packages=["flat"]), use_cache=False)
    units = build_units(graph, ["flat"])
    assert len(cluster(units, sorted(units.units)).groups) > 8  # the raw clustering
    assert tier_range(60) == (3, 8) and tier_range(900) == (3, 15) and tier_range(4) == (1, 8)
    result = run("suggest", repo, "-o", repo / "plan.toml")
    assert result.code == 0, result.err
    assert len(Plan.load(repo / "plan.toml").tiers) == 8
    result = run("suggest", repo, "--tiers", "12", "-o", repo / "asked.toml")
    assert result.code == 0, result.err
    assert len(Plan.load(repo / "asked.toml").tiers) == 12


def _upward(groups: list[list[str]], weights: dict[tuple[str, str], int]) -> int:
    label = {u: str(i) for i, g in enumerate(groups) for u in g}
    between: Counter[tuple[str, str]] = Counter()
    for (a, b), w in weights.items():
        if label[a] != label[b]:
            between[(label[a], label[b])] += w
    position = {g: i for i, g in enumerate(order_tiers(sorted(set(label.values())),
                                                       dict(between)))}
    return sum(w for (a, b), w in between.items() if position[a] < position[b])


def test_layered_sends_fewer_imports_upward_for_little_modularity() -> None:
    """On random graphs and groupings: the same units, no group emptied, modularity
    within the budget, and fewer imports upward overall."""
    rng = random.Random(9)
    before = after = 0
    for _ in range(40):
        names = [f"p.u{i:02d}" for i in range(rng.randint(8, 30))]
        weights = {(a, b): rng.randint(1, 4) for a in names for b in names
                   if a != b and rng.random() < 0.15}
        units = UnitGraph(["p"], {n: Unit(n, "p", (n,)) for n in names}, weights, {},
                          {n: n for n in names})
        cut = sorted(rng.sample(range(1, len(names)), rng.randint(1, 4)))
        groups = [names[a:b] for a, b in zip([0, *cut], [*cut, len(names)], strict=True)]
        result = layered(groups, units, names)
        assert sorted(u for g in result for u in g) == names
        assert len(result) == len(groups) and all(result)
        q0 = _directed_modularity(groups, weights, set(names))
        q1 = _directed_modularity(result, weights, set(names))
        assert q1 >= q0 - LAYER_BUDGET * abs(q0) - 1e-9
        before += _upward(groups, weights)
        after += _upward(result, weights)
    assert after < before * 0.9
