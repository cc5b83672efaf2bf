"""Checked edits of a plan over the sample repo: each is refused with a reason, or made
when the caller says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.application import editing, opening
from pyagent_workbench.errors import WorkbenchError


def sample_view(sample: Path) -> editing.PlanView:
    return opening.open_plan(sample / "phase1.toml").view


def test_moving_units_is_an_edit_made_only_when_asked(sample: Path) -> None:
    view = sample_view(sample)
    unit = "src.infrastructure.attention"
    assert view.metrics.assignment[unit] == "engine"
    edit = editing.move_units(view, [unit], "compute")
    assert edit is not None and edit.description == "move attention to compute"
    assert view.plan.move_for(unit).tier == "engine"  # type: ignore[union-attr]
    edit.make()
    move = view.plan.move_for(unit)
    assert move is not None and move.tier == "compute"
    assert move.target == "src.infrastructure.compute.attention"
    assert editing.move_units(view, [unit], "compute") is None  # nothing left to do
    back = editing.move_units(view, [unit], None)
    assert back is not None
    back.make()
    assert view.plan.move_for(unit) is None


def test_moving_into_an_unknown_tier_is_refused(sample: Path) -> None:
    with pytest.raises(WorkbenchError, match="no tier named 'nowhere'"):
        editing.move_units(sample_view(sample), ["src.infrastructure.attention"], "nowhere")


@pytest.mark.parametrize(("name", "reason"), [
    ("class", "'class' is a Python keyword; it cannot be a tier name"),
    ("two words", "'two words' is not a valid tier name (a Python identifier)"),
    ("engine", "a tier named 'engine' exists already"),
    ("attention", "src.infrastructure.attention exists already; choose another name"),
])
def test_a_new_tier_name_is_checked(sample: Path, name: str, reason: str) -> None:
    with pytest.raises(WorkbenchError) as raised:
        editing.new_tier(sample_view(sample), name, "src.infrastructure")
    assert str(raised.value) == reason


def test_renaming_a_tier_moves_its_targets_along(sample: Path) -> None:
    view = sample_view(sample)
    editing.rename_tier(view, "engine", "inference").make()
    assert view.plan.tier("engine") is None
    tier = view.plan.tier("inference")
    assert tier is not None and tier.package == "src.infrastructure.inference"
    move = view.plan.move_for("src.infrastructure.attention")
    assert move is not None and move.target == "src.infrastructure.inference.attention"


def test_renaming_a_unit_needs_a_move_and_a_valid_name(sample: Path) -> None:
    view = sample_view(sample)
    with pytest.raises(WorkbenchError, match="is a Python keyword"):
        editing.rename_unit(view, "src.infrastructure.attention", "import")
    stays = next(u for u, t in view.metrics.assignment.items() if t is None)
    with pytest.raises(WorkbenchError, match="is not moved"):
        editing.rename_unit(view, stays, "other")
    editing.rename_unit(view, "src.infrastructure.attention", "attn").make()
    move = view.plan.move_for("src.infrastructure.attention")
    assert move is not None and move.target == "src.infrastructure.engine.attn"


def test_review_verdicts_are_set_and_cleared(sample: Path) -> None:
    view = sample_view(sample)
    edge = view.cross_tier_edges[0].key
    assert editing.review(view, [], "accepted") is None
    edit = editing.review(view, [edge, edge], "must-fix", "untangle")
    assert edit is not None and edit.description == "mark 1 edge must-fix"
    edit.make()
    review = view.plan.review_for(*edge)
    assert review is not None and review.verdict == "must-fix" and review.note == "untangle"
    editing.review(view, [edge], None).make()  # type: ignore[union-attr]
    assert view.plan.review_for(*edge) is None


def test_verdicts_update_the_edges_as_a_fresh_view_reads_them(sample: Path) -> None:
    """A verdict re-reads only the reviews (no full refresh): the edges, their reviews
    and the counts are those of a view built from scratch over the same plan."""
    view = sample_view(sample)
    keys = sorted({e.key for e in view.cross_tier_edges})
    editing.review(view, keys[:30], "accepted", "fine").make()  # type: ignore[union-attr]
    editing.review(view, keys[10:15], "must-fix").make()  # type: ignore[union-attr]
    editing.review(view, keys[:3], None).make()  # type: ignore[union-attr]
    fresh = view.with_plan(view.plan)
    assert view.cross_tier_edges == fresh.cross_tier_edges
    assert view.unreviewed() == fresh.unreviewed() and len(view.unreviewed()) == len(keys) - 27


def test_deleting_a_tier_sends_its_units_back_to_stays(sample: Path) -> None:
    view = sample_view(sample)
    units = sorted(u for u, t in view.metrics.assignment.items() if t == "compute")
    edit = editing.delete_tier(view, "compute")
    assert edit.description == f"delete tier compute ({len(units)} units back to stays)"
    edit.make()
    assert view.plan.tier("compute") is None
    assert all(view.plan.move_for(u) is None for u in units)
    assert all(view.metrics.assignment[u] is None for u in units)
    with pytest.raises(WorkbenchError, match="no tier named 'compute'"):
        editing.delete_tier(view, "compute")


def test_merging_tiers_moves_the_units_and_keeps_to_one_container(sample: Path) -> None:
    view = sample_view(sample)
    cuda = "src.infrastructure.cuda"
    assert view.metrics.assignment[cuda] == "compute"
    editing.merge_tiers(view, "compute", "engine").make()
    move = view.plan.move_for(cuda)
    assert move is not None and move.target == "src.infrastructure.engine.cuda"
    assert view.plan.tier("compute") is None
    with pytest.raises(WorkbenchError, match="different containers"):
        editing.merge_tiers(view, "engine", "common")
    with pytest.raises(WorkbenchError, match="into itself"):
        editing.merge_tiers(view, "engine", "engine")


def test_shifting_a_tier_trades_layers_with_its_neighbour(sample: Path) -> None:
    view = sample_view(sample)
    layer = {t.name: t.layer for t in view.plan.tiers}
    assert (layer["compute"], layer["engine"]) == (4, 5)
    editing.shift_tier(view, "compute", 1).make()  # type: ignore[union-attr]
    layer = {t.name: t.layer for t in view.plan.tiers}
    assert (layer["compute"], layer["engine"]) == (5, 4)
    top = max(view.plan.tiers, key=lambda t: t.layer or 0
              if t.package.startswith("src.infrastructure") else -1)
    assert editing.shift_tier(view, top.name, 1) is None  # nothing above the top
    editing.shift_tier(view, "registry", 1).make()  # type: ignore[union-attr]
    base = {t.name: t.layer for t in view.plan.tiers if t.package.startswith("src.core")}
    assert base == {"common": 1, "state": 2, "registry": 3, "lifecycle": 4, "execution": 5}


def test_the_impact_of_a_move_is_known_before_it_is_made(sample: Path) -> None:
    view = sample_view(sample)
    unit = "src.infrastructure.attention"
    before = view.metrics.figures()
    tiers = [None, *(t.name for t in view.plan.tiers if t.package.startswith(
        "src.infrastructure"))]
    impacts = editing.move_impact(view, [unit], tiers)
    assert view.metrics.figures() == before  # every trial undone
    assert impacts["engine"] == editing.Impact(0, 0, 0)  # where it is now
    for tier in ("compute", None):
        editing.move_units(view, [unit], tier).make()  # type: ignore[union-attr]
        after = view.metrics.figures()
        assert impacts[tier] == editing.Impact(
            after.cross_tier_edges - before.cross_tier_edges,
            after.upward_edges - before.upward_edges,
            after.tier_cycles - before.tier_cycles)
        editing.move_units(view, [unit], "engine").make()  # type: ignore[union-attr]
        assert view.metrics.figures() == before
    assert str(editing.Impact(0, 0, 0)) == "no change"
    assert str(editing.Impact(3, -1, 0)) == "cross-tier +3 · upward -1"
    assert editing.Impact(0, 2, 1).short() == "up +2 · cyc +1"
