"""A draft plan from the import graph: suggested tiers, with their quality figures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyagent_workbench import safefiles
from pyagent_workbench.analysis.graph import SyntaxProblem, build_graph
from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.analysis.suggest import (
    SuggestedTier,
    Suggestion,
    compare_with,
    suggest,
    suggest_container,
)
from pyagent_workbench.analysis.units import ContainerCandidate, build_units, rank_containers
from pyagent_workbench.application.editing import Edit
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.model import names
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.repo import Repo


@dataclass
class Suggested:
    suggestion: Suggestion
    figures: dict[str, Any]
    """What the plan records of how it was made, and its quality figures."""
    syntax_errors: list[SyntaxProblem]
    """Files left out of the analysis."""


def suggest_plan(path: Path, *, tiers: int | None = None, resolution: float | None = None,
                 seed: int = 0, containers: list[str] | None = None,
                 compare: Path | None = None, output: Path | None = None) -> Suggested:
    """Suggest tiers for the repo at `path`; compare them with a reference plan, and write
    the draft plan, when asked."""
    if tiers is not None and tiers < 1:
        raise WorkbenchError("--tiers must be at least 1")
    if output is not None:
        safefiles.check_output(output)  # before the analysis, not after it
    repo = Repo(path)
    graph = build_graph(repo)
    result = suggest(repo, graph, tiers=tiers, resolution=resolution, seed=seed,
                     containers=containers)
    if not result.tiers:
        raise WorkbenchError(
            "no container with at least two units found; name one with --container PKG")
    if compare is not None:
        result.comparison = compare_with(result, PlanView(repo, graph, result.plan),
                                         Plan.load(compare))
    figures = {
        "method": ", ".join(f"{c}: {m}" for c, m in sorted(result.methods.items())),
        "seed": seed,
        **({"target_tiers": tiers} if tiers else {}),
        **result.record(),
    }
    result.plan.set_figures(figures)
    if output is not None:
        result.plan.save(output)
    return Suggested(result, figures, graph.syntax_errors)


def resuggest_container(view: PlanView, container: str, tiers: int, *,
                        seed: int = 0) -> Edit:
    """The container's tiers replaced by a fresh suggestion of `tiers` tiers (computed
    now; the edit only writes it): its old tiers go, with their moves and any custom
    target names; every unit of the container lands in one of the new tiers. Other
    containers' tiers and moves are left as they are."""
    if container not in view.base_units.containers:
        raise WorkbenchError(f"'{container}' is not one of the plan's containers")
    members = [u for u, unit in view.base_units.units.items() if unit.container == container]
    if len(members) < 2:
        raise WorkbenchError(f"{container} has {len(members)} unit: nothing to group")
    if not 1 <= tiers <= len(members):
        raise WorkbenchError(f"{container} has {len(members)} units: ask for 1 to "
                             f"{len(members)} tiers")
    plan = view.plan
    old = [t.name for t in plan.tiers if names.parent(t.package) == container]
    others = [t.name for t in plan.tiers if t.name not in old]
    proposals = suggest_container(view.repo, view.base_units, container, tiers,
                                  taken=others, seed=seed)

    def make() -> None:
        for move in list(plan.moves):
            if move.source in members or move.tier in old:
                plan.remove_move(move.source)
        for name in old:
            plan.remove_tier(name)
        _add_tiers(plan, container, proposals)
        view.refresh()

    return Edit(f"re-suggested {names.last(container)}: {len(proposals)} tiers", make)


def candidate_containers(view: PlanView) -> list[ContainerCandidate]:
    """The packages that could be restructured and are not, best first: neither one of
    the plan's containers nor inside or around one."""
    package_names = {n for n, m in view.repo.modules.items() if m.is_package}
    current = view.base_units.containers
    return [c for c in rank_containers(set(view.graph.modules), package_names,
                                       ((r.importer, r.imported) for r in view.graph.imports))
            if not any(names.is_within(c.name, k) or names.is_within(k, c.name)
                       for k in current)]


def restructure_container(view: PlanView, container: str, tiers: int | None = None, *,
                          seed: int = 0) -> Edit:
    """One more package restructured: it joins the plan's containers, its children become
    units, grouped into suggested tiers (`tiers`: how many; `None`: as many as the
    clustering finds). Undone, the package is left as it was."""
    package_names = {n for n, m in view.repo.modules.items() if m.is_package}
    current = view.base_units.containers
    if container not in package_names:
        raise WorkbenchError(f"'{container}' is not a package of the repo")
    if container in current:
        raise WorkbenchError(f"{container} is restructured already")
    around = [c for c in current
              if names.is_within(container, c) or names.is_within(c, container)]
    if around:
        raise WorkbenchError(f"{container} is inside or around {around[0]}, which is "
                             f"restructured: its modules belong to that one's units")
    containers = sorted([*current, container])
    units = build_units(view.graph, containers, package_names)
    members = [u for u, unit in units.units.items() if unit.container == container]
    if len(members) < 2:
        raise WorkbenchError(f"{container} has {len(members)} unit: nothing to group")
    if tiers is not None and not 1 <= tiers <= len(members):
        raise WorkbenchError(f"{container} has {len(members)} units: ask for 1 to "
                             f"{len(members)} tiers")
    plan = view.plan
    proposals = suggest_container(view.repo, units, container, tiers,
                                  taken=[t.name for t in plan.tiers], seed=seed)

    def make() -> None:
        plan.set_repo(containers=containers)
        _add_tiers(plan, container, proposals)
        view.refresh()

    return Edit(f"restructured {names.last(container)}: {len(proposals)} tiers", make)


def _add_tiers(plan: Plan, container: str, proposals: list[SuggestedTier]) -> None:
    """The suggested tiers into the plan, each unit moved into its tier's package."""
    for proposal in proposals:
        package = f"{container}.{proposal.name}"
        plan.add_tier(proposal.name, package, proposal.layer)
        for unit in proposal.members:
            plan.set_move(unit, f"{package}.{names.last(unit)}", proposal.name)
