"""A draft plan from the import graph: suggested tiers, with their quality figures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyagent_workbench.analysis.graph import SyntaxProblem, build_graph
from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.analysis.suggest import Suggestion, compare_with, suggest
from pyagent_workbench.errors import WorkbenchError
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
