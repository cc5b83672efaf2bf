"""The plan answers `move_for`, `tier` and `review_for` from its own indexes, which every
edit keeps current: no caller keeps a cache of its own, and the answers always match a
fresh read of the plan's text."""

from __future__ import annotations

from typing import Any

import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st
from pyagent_workbench.model.plan import Move, Plan, Review, Tier
from test_plan import HAND_COMMENTED


def _fresh(plan: Plan) -> Plan:
    return Plan.parse(plan.dumps())


def _assert_indexes_match_text(plan: Plan) -> None:
    again = _fresh(plan)
    assert plan.moves == again.moves
    assert plan.tiers == again.tiers
    assert plan.reviews == again.reviews
    for move in again.moves:
        assert plan.move_for(move.source) == move
    for tier in again.tiers:
        assert plan.tier(tier.name) == tier
    for review in again.reviews:
        assert plan.review_for(review.importer, review.imported) == review
    assert dict(plan.review_index()) == {r.edge: r for r in again.reviews}


def test_move_for_follows_set_and_remove() -> None:
    plan = Plan.parse(HAND_COMMENTED)
    attention = "src.infrastructure.attention"
    assert plan.move_for(attention) == Move(
        attention, "src.infrastructure.engine.attention", "engine")
    plan.set_move(attention, "src.infrastructure.engine.attn")
    assert plan.move_for(attention) == Move(attention, "src.infrastructure.engine.attn")
    assert plan.moves[0].source == attention  # an edit keeps the move's place
    plan.remove_move(attention)
    assert plan.move_for(attention) is None
    plan.set_move(attention, "src.x", "engine")
    assert plan.moves[-1] == Move(attention, "src.x", "engine")
    _assert_indexes_match_text(plan)


def test_tier_follows_add_update_and_remove() -> None:
    plan = Plan.parse(HAND_COMMENTED)
    plan.add_tier("base", "src.base", layer=1)
    assert plan.tier("base") == Tier("base", "src.base", 1)
    plan.update_tier("base", package="src.foundation", layer=2)
    assert plan.tier("base") == Tier("base", "src.foundation", 2)
    plan.update_tier("engine", new_name="inference")
    assert plan.tier("engine") is None
    assert [t.name for t in plan.tiers] == ["inference", "base"]
    assert {m.tier for m in plan.moves} == {"inference"}
    renamed = plan.move_for("src.infrastructure.attention")
    assert renamed is not None and renamed.tier == "inference"
    plan.remove_tier("base")
    assert plan.tier("base") is None
    _assert_indexes_match_text(plan)


def test_review_for_follows_set_and_remove() -> None:
    plan = Plan.parse(HAND_COMMENTED)
    edge = ("src.infrastructure.attention.paged", "src.infrastructure.metrics.counters")
    assert plan.review_for(*edge) is not None
    plan.set_review(*edge, "must-fix", "layering")
    assert plan.review_for(*edge) == Review(*edge, "must-fix", "layering")
    plan.remove_review(*edge)
    assert plan.review_for(*edge) is None and plan.reviews == []
    plan.set_review("a.b", "c.d", "accepted")
    assert plan.review_index() == {("a.b", "c.d"): Review("a.b", "c.d", "accepted")}
    _assert_indexes_match_text(plan)


def test_removing_what_is_not_there_changes_nothing() -> None:
    plan = Plan.parse(HAND_COMMENTED)
    before = plan.dumps()
    for remove in (lambda: plan.remove_move("no.such"), lambda: plan.remove_tier("nope"),
                   lambda: plan.remove_review("a", "b")):
        try:
            remove()
        except KeyError:
            pass
        else:
            raise AssertionError("expected KeyError")
    assert plan.dumps() == before
    _assert_indexes_match_text(plan)


def test_dumps_is_the_text_until_the_next_edit() -> None:
    plan = Plan.parse(HAND_COMMENTED)
    text = plan.dumps()
    assert plan.dumps() is text  # not serialised again
    plan.set_status("approved")
    assert plan.dumps() != text and 'status = "approved"' in plan.dumps()
    for edit in (lambda: plan.set_option("facades", False),
                 lambda: plan.set_repo(containers=["src"]),
                 lambda: plan.set_figures({"modularity": 0.5})):
        before = plan.dumps()
        edit()
        assert plan.dumps() != before


_short = st.sampled_from(["a", "b", "c", "d"])
_edits = st.lists(st.one_of(
    st.tuples(st.just("set_move"), _short, _short, st.sampled_from([None, "engine", "t2"])),
    st.tuples(st.just("remove_move"), _short),
    st.tuples(st.just("add_tier"), st.sampled_from(["t2", "t3"])),
    st.tuples(st.just("rename_tier"), st.sampled_from(["engine", "t2", "t3"]),
              st.sampled_from(["engine", "t2", "t3", "t4"])),
    st.tuples(st.just("remove_tier"), st.sampled_from(["t2", "t3", "t4"])),
    st.tuples(st.just("set_review"), _short, _short, st.sampled_from(["accepted", "must-fix"])),
    st.tuples(st.just("remove_review"), _short, _short),
), max_size=12)


@settings(max_examples=60, deadline=None)
@given(_edits)
def test_any_edits_keep_the_indexes_current(edits: list[tuple[Any, ...]]) -> None:
    plan = Plan.parse(HAND_COMMENTED)
    for kind, *args in edits:
        try:
            if kind == "set_move":
                source, target, tier = args
                plan.set_move(f"x.{source}", f"y.{target}", tier)
            elif kind == "remove_move":
                plan.remove_move(f"x.{args[0]}")
            elif kind == "add_tier":
                plan.add_tier(args[0], f"src.{args[0]}")
            elif kind == "rename_tier":
                plan.update_tier(args[0], new_name=args[1])
            elif kind == "remove_tier":
                plan.remove_tier(args[0])
            elif kind == "set_review":
                plan.set_review(f"x.{args[0]}", f"y.{args[1]}", args[2])
            else:
                plan.remove_review(f"x.{args[0]}", f"y.{args[1]}")
        except (KeyError, ValueError):
            pass
    # Moves may name tiers removed since: read the text back without validating it.
    again = Plan(tomlkit.parse(plan.dumps()))
    assert again.moves == plan.moves
    assert again.tiers == plan.tiers
    assert again.reviews == plan.reviews
    assert all(plan.move_for(m.source) == m for m in again.moves)
    assert all(plan.tier(t.name) == t for t in again.tiers)
    assert all(plan.review_for(*r.edge) == r for r in again.reviews)
