"""A suggested draft plan, written where asked, with the figures it was made with."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.application.opening import open_plan
from pyagent_workbench.application.suggesting import resuggest_container, suggest_plan
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.model import names
from pyagent_workbench.model.plan import Plan


def test_the_suggestion_is_written_with_its_figures(sample: Path) -> None:
    output = sample / "suggested.toml"
    suggested = suggest_plan(sample, output=output, compare=sample / "phase1.toml")
    assert suggested.suggestion.tiers
    assert suggested.figures["seed"] == 0
    assert suggested.suggestion.comparison is not None
    plan = Plan.load(output)
    assert plan.status == "draft" and plan.moves
    assert {t.name for t in plan.tiers} == {t.name for t in suggested.suggestion.tiers}


def test_tiers_below_one_are_refused(sample: Path) -> None:
    with pytest.raises(WorkbenchError, match="--tiers must be at least 1"):
        suggest_plan(sample, tiers=0)


def test_one_container_is_suggested_again_with_the_tiers_asked(sample: Path) -> None:
    """Re-suggest src.core.base as 3 tiers: its 5 tiers go, 3 new ones (named apart
    from the other container's, layered) hold every unit of it; src.infrastructure's
    tiers and moves are untouched; undo is one edit."""
    view = open_plan(sample / "phase1.toml").view
    plan = view.plan
    base = "src.core.base"

    def of(container: str) -> tuple[list[tuple[str, str, int | None]], list[str]]:
        tiers = [(t.name, t.package, t.layer) for t in plan.tiers
                 if names.parent(t.package) == container]
        moves = [f"{m.source}->{m.target}" for m in plan.moves
                 if names.parent(names.parent(m.target)) == container]
        return tiers, moves

    infrastructure = of("src.infrastructure")
    units = sorted(u for u, unit in view.base_units.units.items() if unit.container == base)
    edit = resuggest_container(view, base, 3)
    assert edit.description == "re-suggested base: 3 tiers"
    edit.make()
    tiers, _ = of(base)
    assert len(tiers) == 3
    assert all(package == f"{base}.{name}" and layer is not None
               for name, package, layer in tiers)
    assert not {name for name, _, _ in tiers} & {name for name, _, _ in infrastructure[0]}
    assert sorted(m.source for m in plan.moves if names.parent(names.parent(m.target)) == base) \
        == units
    assert {view.metrics.assignment[u] for u in units} == {name for name, _, _ in tiers}
    assert of("src.infrastructure") == infrastructure
    plan_again = Plan.parse(plan.dumps())  # what is saved reads back the same
    assert [t.name for t in plan_again.tiers] == [t.name for t in plan.tiers]


def test_a_resuggestion_out_of_range_is_refused(sample: Path) -> None:
    view = open_plan(sample / "phase1.toml").view
    with pytest.raises(WorkbenchError, match="ask for 1 to"):
        resuggest_container(view, "src.core.base", 500)
    with pytest.raises(WorkbenchError, match="not one of the plan's containers"):
        resuggest_container(view, "src.db", 2)
