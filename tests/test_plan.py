"""The plan file is a contract: load + save is byte-identical, edits touch only their entry."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyagent_workbench.model.plan import Plan, Review
from support.repos import SAMPLE_REPO

HAND_COMMENTED = textwrap.dedent(
    """\
    # Phase I, first slice: engine only.
    # Reviewed by the inference team on 2026-11-20.
    schema = 1
    status = "draft"              # "draft" | "approved"

    [repo]
    source_root = "."             # dir (relative to the repo) that is on sys.path
    packages = [ "src" ]          # odd spacing survives too

    [options]
    facades = true                # leave import-compatible aliases at every old path

    [[tiers]]
    name = "engine"
    package = "src.infrastructure.engine"
    layer = 3

    [[moves]]                     # sources are today's dotted names, targets the new ones
    source = "src.infrastructure.attention"
    target = "src.infrastructure.engine.attention"
    tier = "engine"               # optional

    # speculative_v2 gets its final name at last
    [[moves]]
    source = 'src.infrastructure.speculative_v2'
    target = "src.infrastructure.engine.speculative"
    tier = "engine"

    [[reviews]]                   # one per cross-tier import edge the reviewer has judged
    importer = "src.infrastructure.attention.paged"
    imported = "src.infrastructure.metrics.counters"
    verdict = "accepted"          # "accepted" | "must-fix"
    note = \"\"\"
    Counters are a leaf; fine to import from anywhere.\"\"\"
    """
)


def test_hand_commented_plan_round_trips_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_bytes(HAND_COMMENTED.encode())
    plan = Plan.load(path)
    plan.save(tmp_path / "again.toml")
    assert (tmp_path / "again.toml").read_bytes() == path.read_bytes()


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_line_endings_survive_round_trip(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "plan.toml"
    path.write_bytes(HAND_COMMENTED.replace("\n", newline).encode())
    Plan.load(path).save()
    assert path.read_bytes() == HAND_COMMENTED.replace("\n", newline).encode()


def test_phase1_plan_round_trips_byte_for_byte(tmp_path: Path) -> None:
    original = (SAMPLE_REPO / "phase1.toml").read_bytes()
    plan = Plan.load(SAMPLE_REPO / "phase1.toml")
    assert plan.dumps().encode() == original
    assert plan.status == "draft"  # shipped for review: nobody has judged its edges yet
    assert plan.facades is True


def test_typed_views_read_the_document() -> None:
    plan = Plan.parse(HAND_COMMENTED)
    assert [t.name for t in plan.tiers] == ["engine"]
    assert plan.tiers[0].layer == 3
    assert [(m.source, m.target, m.tier) for m in plan.moves] == [
        ("src.infrastructure.attention", "src.infrastructure.engine.attention", "engine"),
        ("src.infrastructure.speculative_v2", "src.infrastructure.engine.speculative", "engine"),
    ]
    assert plan.reviews[0] == Review(
        "src.infrastructure.attention.paged", "src.infrastructure.metrics.counters",
        "accepted", "Counters are a leaf; fine to import from anywhere.",
    )
    assert plan.packages == ["src"] and plan.source_root == "."


def test_edits_touch_only_their_entries() -> None:
    plan = Plan.parse(HAND_COMMENTED)
    plan.set_move("src.infrastructure.decoding", "src.infrastructure.engine.decoding", "engine")
    plan.set_review("a.b", "c.d", "must-fix", "layering")
    plan.set_status("approved")
    text = plan.dumps()
    # Every original comment is still there, in order.
    comments = [line.split("#", 1)[1] for line in HAND_COMMENTED.splitlines() if "#" in line]
    positions = [text.index(c) for c in comments]
    assert positions == sorted(positions)
    assert 'status = "approved"              # "draft" | "approved"' in text
    # The new move sits after the last move, before the comment that introduces reviews.
    assert text.index('source = "src.infrastructure.decoding"') < text.index(
        "# one per cross-tier import edge")
    assert text.index("# speculative_v2 gets its final name") < text.index(
        "src.infrastructure.decoding")
    reparsed = Plan.parse(text)
    assert reparsed.moves[-1].source == "src.infrastructure.decoding"
    assert reparsed.review_for("a.b", "c.d") == Review("a.b", "c.d", "must-fix", "layering")


def test_remove_move_keeps_neighbours_comments() -> None:
    plan = Plan.parse(HAND_COMMENTED)
    plan.remove_move("src.infrastructure.attention")
    text = plan.dumps()
    assert "src.infrastructure.attention\"" not in text.split("[[reviews]]")[0]
    assert "# sources are today's dotted names, targets the new ones" in text
    assert "# speculative_v2 gets its final name at last" in text
    assert [m.source for m in Plan.parse(text).moves] == ["src.infrastructure.speculative_v2"]


def test_renaming_a_tier_renames_it_in_moves() -> None:
    plan = Plan.parse(HAND_COMMENTED)
    plan.update_tier("engine", new_name="inference")
    assert [m.tier for m in plan.moves] == ["inference", "inference"]
    assert plan.tier("inference") is not None and plan.tier("engine") is None


def test_new_plan_is_valid_and_commented() -> None:
    plan = Plan.new(source_root="src", packages=["mypkg"])
    plan.add_tier("core", "mypkg.core", layer=1)
    plan.set_move("mypkg.utils", "mypkg.core.utils", "core")
    again = Plan.parse(plan.dumps())
    assert again.source_root == "src" and again.packages == ["mypkg"]
    assert again.moves[0].target == "mypkg.core.utils"
    assert plan.dumps().startswith("# pyagent-workbench plan (schema 1)")


_names = st.from_regex(r"[a-z][a-z0-9_]{0,8}(\.[a-z][a-z0-9_]{0,8}){0,3}", fullmatch=True).filter(
    lambda n: all(not __import__("keyword").iskeyword(p) for p in n.split("."))
)


@given(
    st.lists(st.tuples(_names, _names), max_size=6, unique_by=lambda t: t[0]),
    st.lists(st.tuples(_names, _names, st.sampled_from(["accepted", "must-fix"]),
                       st.text(max_size=30)), max_size=6, unique_by=lambda t: (t[0], t[1])),
)
def test_any_edits_reload_to_the_same_model(moves: list, reviews: list) -> None:
    plan = Plan.parse(HAND_COMMENTED)
    for source, target in moves:
        plan.set_move("x." + source, "y." + target)
    for importer, imported, verdict, note in reviews:
        plan.set_review(importer, imported, verdict, note)
    text = plan.dumps()
    again = Plan.parse(text)
    assert again.moves == plan.moves
    assert again.reviews == plan.reviews
    assert again.dumps() == text


_EDITS = st.lists(st.one_of(
    st.tuples(st.just("move"), _names, _names),
    st.tuples(st.just("unmove"), st.integers(0, 20)),
    st.tuples(st.just("review"), _names, _names, st.sampled_from(["accepted", "must-fix"])),
    st.tuples(st.just("unreview"), st.integers(0, 20)),
    st.tuples(st.just("tier"), _names.filter(lambda n: "." not in n)),
    st.tuples(st.just("retier"), st.integers(0, 20), _names.filter(lambda n: "." not in n)),
    st.tuples(st.just("untier"), st.integers(0, 20)),
    st.tuples(st.just("progress"), st.integers(0, 20), st.integers(1, 9)),
    st.tuples(st.just("status"), st.sampled_from(["draft", "approved"])),
    st.tuples(st.just("option"), st.booleans()),
), max_size=25)


def _edit(plan: Plan, edit: tuple) -> None:  # type: ignore[type-arg]
    kind, *args = edit
    moves, reviews, tiers = plan.moves, plan.reviews, plan.tiers
    if kind == "move":
        plan.set_move("x." + args[0], "y." + args[1])
    elif kind == "unmove" and moves:
        plan.remove_move(moves[args[0] % len(moves)].source)
    elif kind == "review":
        plan.set_review(args[0], args[1], args[2])
    elif kind == "unreview" and reviews:
        plan.remove_review(*reviews[args[0] % len(reviews)].edge)
    elif kind == "tier" and plan.tier(args[0]) is None:
        plan.add_tier(args[0], "src." + args[0], layer=len(tiers))
    elif kind == "retier" and tiers and plan.tier(args[1]) is None:
        plan.update_tier(tiers[args[0] % len(tiers)].name, new_name=args[1])
    elif kind == "untier" and tiers:
        tier = tiers[args[0] % len(tiers)].name
        if not any(m.tier == tier for m in plan.moves):
            plan.remove_tier(tier)
    elif kind == "progress" and moves:
        plan.set_progress(moves[args[0] % len(moves)].source, batch=args[1])
    elif kind == "status":
        plan.set_status(args[0])
    elif kind == "option":
        plan.set_option("facades", args[0])


@given(_EDITS)
def test_the_plan_renders_as_tomlkit_does_after_any_edits(edits: list) -> None:  # type: ignore[type-arg]
    """`dumps` keeps each array of tables as rendered until an edit changes it (a verdict
    must not render 10,000 moves again): after every edit, the text is tomlkit's own."""
    import tomlkit

    plan = Plan.parse(HAND_COMMENTED)
    assert plan.dumps() == HAND_COMMENTED
    for edit in edits:
        _edit(plan, edit)
        assert plan.dumps() == tomlkit.dumps(plan.document), edit
