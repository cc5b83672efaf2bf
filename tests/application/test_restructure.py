"""Restructuring one more package from the workbench (issue 14): the packages `suggest`
left as they are are offered, best first; one joins the plan's containers with suggested
tiers in one undoable edit, and undo leaves it as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.session import Session
from support.cli import run
from support.shapes import django_shaped


@pytest.fixture
def shaped(tmp_path: Path) -> Path:
    repo = django_shaped(tmp_path / "repo")
    result = run("suggest", repo, "-o", repo / "plan.toml")
    assert result.code == 0, result.err
    return repo


def test_the_packages_left_as_they_are_are_offered_best_first(shaped: Path) -> None:
    session = Session.open(shaped, plan_path=shaped / "plan.toml")
    assert sorted(session.containers) == ["proj.db.models", "proj.utils"]
    offered = [c.name for c in session.candidates()]
    assert "proj.contrib" in offered and "proj.conf.locale" in offered
    assert not {"proj", "proj.db.models", "proj.utils"} & set(offered)
    scores = [c.score for c in session.candidates()]
    assert scores == sorted(scores, reverse=True)


def test_restructuring_a_package_adds_its_units_and_tiers_and_undo_removes_them(
        shaped: Path) -> None:
    session = Session.open(shaped, plan_path=shaped / "plan.toml")
    before = session.plan.dumps()
    tiers_before = {t.name for t in session.plan.tiers}
    session.restructure("proj.contrib", 3)
    assert "proj.contrib" in session.containers
    contrib = [u for u in session.units() if u.startswith("proj.contrib.")]
    assert len(contrib) == 12
    new_tiers = [t for t in session.plan.tiers if t.name not in tiers_before]
    assert len(new_tiers) == 3
    assert all(t.package.startswith("proj.contrib.") for t in new_tiers)
    assert all(session.unit_info(u).tier in {t.name for t in new_tiers} for u in contrib)
    assert "proj.contrib" not in [c.name for c in session.candidates()]
    session.save()
    assert "proj.contrib" in (Plan.load(shaped / "plan.toml").containers or [])

    assert session.undo() == "restructured contrib: 3 tiers"
    assert sorted(session.containers) == ["proj.db.models", "proj.utils"]
    assert not [u for u in session.units() if u.startswith("proj.contrib.")]
    assert {t.name for t in session.plan.tiers} == tiers_before
    session.redo()
    assert "proj.contrib" in session.containers
    session.undo()
    assert Plan.parse(session.plan.dumps()).moves == Plan.parse(before).moves


def test_restructuring_is_refused_with_a_reason(shaped: Path) -> None:
    session = Session.open(shaped, plan_path=shaped / "plan.toml")
    with pytest.raises(WorkbenchError, match="restructured already"):
        session.restructure("proj.utils")
    with pytest.raises(WorkbenchError, match=r"inside or around proj\.db\.models"):
        session.restructure("proj.db")
    with pytest.raises(WorkbenchError, match="not a package"):
        session.restructure("proj.utils.m00")
    with pytest.raises(WorkbenchError, match="ask for 1 to 12 tiers"):
        session.restructure("proj.contrib", 13)
