"""`suggest`: a draft plan from the import graph and the words of the code, with its
quality figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import tomlkit

from pyagent_workbench.analysis.clustering import (
    Candidate,
    ClusterCache,
    cluster,
    layered,
    readable,
)
from pyagent_workbench.analysis.compare import adjusted_rand, mojofm
from pyagent_workbench.analysis.graph import ImportGraph
from pyagent_workbench.analysis.lexical import CodeWords
from pyagent_workbench.analysis.metrics import Figures
from pyagent_workbench.analysis.naming import name_tiers
from pyagent_workbench.analysis.ordering import layers_for, order_tiers
from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.analysis.units import (
    ContainerCandidate,
    UnitGraph,
    build_units,
    detect_containers,
    rank_containers,
    weights_between,
)
from pyagent_workbench.model import names
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.repo import Repo


@dataclass
class SuggestedTier:
    name: str
    container: str
    members: list[str]
    layer: int


@dataclass
class Suggestion:
    plan: Plan
    tiers: list[SuggestedTier]
    figures: Figures
    methods: dict[str, str]
    comparison: dict[str, Any] = field(default_factory=dict)
    view: PlanView | None = field(default=None, repr=False)
    """The plan's view the figures came from (the workbench starts from it)."""
    candidates: list[ContainerCandidate] = field(default_factory=list)
    """Every package that could be restructured, best first (`rank_containers`); the
    plan's containers are the chosen ones."""

    def record(self) -> dict[str, Any]:
        return {**self.figures.as_dict(), **self.comparison}


def suggest(
    repo: Repo,
    graph: ImportGraph,
    *,
    tiers: int | None = None,
    resolution: float | None = None,
    seed: int = 0,
    containers: list[str] | None = None,
) -> Suggestion:
    package_names = {n for n, m in repo.modules.items() if m.is_package}
    candidates = rank_containers(set(graph.modules), package_names,
                                 ((r.importer, r.imported) for r in graph.imports))
    units = build_units(graph, containers or detect_containers(
        set(graph.modules), package_names, ranked=candidates), package_names)
    groups_by_container: list[tuple[str, list[list[str]], str]] = []
    cache = ClusterCache(repo.state_dir if repo.state_dir.is_dir() else None)
    for container in units.containers:
        members = sorted(u for u, unit in units.units.items() if unit.container == container)
        if len(members) < 2:
            continue
        # A resolution asks for Louvain on the import graph alone.
        words = code_words(repo, units, members) if resolution is None else None
        digest = cache.key(units, members, tiers, resolution, seed,
                           words.stamp() if words is not None else None)
        found = cache.get(digest, members)
        if found is None:
            found = _grouping(units, members, tiers=tiers, resolution=resolution, seed=seed,
                              words=words)
            cache.put(digest, found)
        groups_by_container.append((container, [list(g) for g in found.groups],
                                    found.method))
    cache.save()

    centrality = _centrality(units)
    taken: set[str] = set()
    proposals: list[SuggestedTier] = []
    methods: dict[str, str] = {}
    for container, groups, method in groups_by_container:
        children = {names.last(u) for u in units.units if units.units[u].container == container}
        children |= {names.last(m) for m in repo.modules if names.parent(m) == container}
        children.add(names.last(container))  # never `base.base`
        tier_names = name_tiers(groups, centrality, taken | children)
        taken.update(tier_names)
        methods[container] = method
        for tier_name, members in zip(tier_names, groups, strict=True):
            proposals.append(SuggestedTier(tier_name, container, sorted(members), 0))

    tier_of_unit = {m: t.name for t in proposals for m in t.members}
    weights = weights_between(units.weights.items(), tier_of_unit)[0]
    order = order_tiers([t.name for t in proposals], weights)
    layers = layers_for(order, weights)
    for proposal in proposals:
        proposal.layer = layers[proposal.name]
    proposals.sort(key=lambda t: (t.container, -t.layer, t.name))

    plan = _draft(repo, units.containers, proposals)
    view = PlanView(repo, graph, plan, units=units)
    figures = view.metrics.figures()
    suggestion = Suggestion(plan, proposals, figures, methods, view=view,
                            candidates=candidates)
    return suggestion


def suggest_container(repo: Repo, units: UnitGraph, container: str, tiers: int | None, *,
                      taken: Iterable[str] = (), seed: int = 0) -> list[SuggestedTier]:
    """One container's units grouped again into `tiers` tiers (`None`: as many as the
    clustering finds), named (avoiding `taken`: the other containers' tiers) and layered
    among themselves, foundation first; the workbench's re-suggest of one container."""
    members = sorted(u for u, unit in units.units.items() if unit.container == container)
    if tiers is not None and not 1 <= tiers <= len(members):
        raise ValueError(f"{container} has {len(members)} units: 1 to {len(members)} tiers")
    groups = [list(g) for g in _grouping(units, members, tiers=tiers, seed=seed,
                                         words=code_words(repo, units, members)).groups]
    children = {names.last(u) for u in members}
    children |= {names.last(m) for m in repo.modules if names.parent(m) == container}
    children.add(names.last(container))
    tier_names = name_tiers(groups, _centrality(units), set(taken) | children)
    tier_of_unit = {m: name for name, group in zip(tier_names, groups, strict=True)
                    for m in group}
    weights = weights_between(units.weights.items(), tier_of_unit)[0]
    layers = layers_for(order_tiers(tier_names, weights), weights)
    proposals = [SuggestedTier(name, container, group, layers[name])
                 for name, group in zip(tier_names, groups, strict=True)]
    return sorted(proposals, key=lambda t: (-t.layer, t.name))


def _grouping(units: UnitGraph, members: list[str], *, tiers: int | None,
              resolution: float | None = None, seed: int,
              words: CodeWords | None) -> Candidate:
    """One container's tiers as suggested: clustered (`cluster`), brought within
    `tier_range` unless `tiers` asks, steered toward layers (`layered`)."""
    candidate = cluster(units, members, tiers=tiers, resolution=resolution, seed=seed,
                        words=words)
    groups = [list(g) for g in candidate.groups]
    if tiers is None:
        groups = readable(_absorb_singletons(groups, units), units, members, seed=seed)
    groups = layered(groups, units, members, words=words)
    return Candidate(candidate.method, tuple(tuple(sorted(g)) for g in groups),
                     candidate.modularity)


def code_words(repo: Repo, units: UnitGraph, members: Iterable[str]) -> CodeWords:
    """The words of `members`' files, read when the clustering first needs them."""
    return CodeWords(repo.root, {
        unit: [(m, repo.modules[m].path) for m in units.units[unit].modules
               if m in repo.modules] for unit in members})


def _draft(repo: Repo, containers: list[str], proposals: list[SuggestedTier]) -> Plan:
    """The draft plan, written as text in one go (a plan of a thousand moves is built in
    milliseconds, where editing entry by entry would take seconds)."""
    plan = Plan.new(source_root=repo.source_root, packages=list(repo.packages))
    plan.set_repo(containers=containers)

    def string(value: str) -> str:
        return tomlkit.item(value).as_string()

    parts = [plan.dumps().rstrip("\n"), ""]
    for proposal in proposals:
        package = f"{proposal.container}.{proposal.name}"
        parts += ["[[tiers]]", f"name = {string(proposal.name)}",
                  f"package = {string(package)}", f"layer = {proposal.layer}", ""]
    for proposal in proposals:
        for member in proposal.members:
            target = f"{proposal.container}.{proposal.name}.{names.last(member)}"
            parts += ["[[moves]]", f"source = {string(member)}",
                      f"target = {string(target)}", f"tier = {string(proposal.name)}", ""]
    return Plan.parse("\n".join(parts))


def compare_with(suggestion: Suggestion, view: PlanView, reference: Plan) -> dict[str, Any]:
    """MoJoFM and adjusted Rand index of the suggestion against another plan's grouping,
    over the units the other plan places in a tier."""
    ours = suggestion.plan
    ref_view = view.with_plan(reference)
    theirs = {u: t for u, t in ref_view.assignment().items() if t}
    placed = view.with_plan(ours).assignment()
    # A unit the other plan moves and ours does not know (outside our containers) stays.
    mine = {u: placed.get(u) or f"stays:{u}" for u in theirs}
    return {
        "compare_plan": str(reference.path) if reference.path else "",
        "mojofm": round(mojofm(mine, theirs), 2),
        "adjusted_rand": round(adjusted_rand(mine, theirs), 4),
    }


def _absorb_singletons(groups: list[list[str]], units: UnitGraph) -> list[list[str]]:
    """A tier of one unit is no tier: a unit with imports joins the group it is most tied
    to; a unit importing nothing here and imported by nothing here stays where it is
    (the graph has nothing to say about it)."""
    groups = [list(g) for g in groups]
    changed = True
    while changed and len(groups) > 1:
        changed = False
        for index, group in enumerate(groups):
            if len(group) != 1:
                continue
            unit = group[0]
            ties: dict[int, int] = defaultdict(int)
            for other_index, other in enumerate(groups):
                if other_index == index:
                    continue
                for member in other:
                    ties[other_index] += units.weights.get((unit, member), 0)
                    ties[other_index] += units.weights.get((member, unit), 0)
            best = max(ties, key=lambda i: (ties[i], -i), default=None)
            if best is None or ties[best] == 0:
                del groups[index]
            else:
                groups[best].append(unit)
                del groups[index]
            changed = True
            break
    return [sorted(g) for g in groups]


def _centrality(units: UnitGraph) -> dict[str, float]:
    degree: dict[str, float] = defaultdict(float)
    for (a, b), w in units.weights.items():
        degree[a] += w
        degree[b] += w
    return dict(degree)
