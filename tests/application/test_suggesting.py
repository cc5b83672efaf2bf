"""A suggested draft plan, written where asked, with the figures it was made with."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.application.suggesting import suggest_plan
from pyagent_workbench.errors import WorkbenchError
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
