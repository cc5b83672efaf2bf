"""Tier names in the container's own words (issue 14): the word a group's members share,
else its most central members' words; never a word none of its members carries, never
a fixed vocabulary, always a unique identifier that no module of the container has."""

from __future__ import annotations

import random
from pathlib import Path

from pyagent_workbench.analysis.naming import name_tiers, words
from pyagent_workbench.model.names import is_identifier
from pyagent_workbench.model.plan import Plan
from support.cli import run
from support.repos import make_repo

PLANTED = {
    "cache": ["cache_store", "cache_index", "cache_policy", "cache_keys"],
    "render": ["render_page", "render_table", "render_text", "render_box"],
    "wire": ["wire_codec", "wire_frame", "wire_socket", "wire_proto"],
}
"""Three planted tiers, their members carrying the tier's word."""


def planted_repo(root: Path) -> Path:
    """`app.parts`: the planted tiers' units import within their tier (and `render` the
    `cache` tier, `wire` the `render` tier, once each); `app.parts.misc_*` modules
    scattered among them carry no shared word."""
    rng = random.Random(11)
    files: dict[str, str | bytes] = {"app/__init__.py": "", "app/parts/__init__.py": ""}
    below = {"cache": None, "render": "cache", "wire": "render"}
    for word, members in PLANTED.items():
        for member in members:
            inside = [m for m in members if m != member]
            imports = [f"from app.parts import {m}" for m in rng.sample(inside, 3)]
            if below[word] and member == members[0]:
                imports.append(f"from app.parts import {PLANTED[below[word]][0]}")
            files[f"app/parts/{member}.py"] = "\n".join(imports) + "\nX = 1\n"
    return make_repo(root, files)


def test_planted_tiers_are_named_by_the_word_their_members_share(tmp_path: Path) -> None:
    repo = planted_repo(tmp_path / "repo")
    result = run("suggest", repo, "--tiers", "3", "-o", repo / "plan.toml")
    assert result.code == 0, result.err
    plan = Plan.load(repo / "plan.toml")
    members: dict[str, set[str]] = {}
    for move in plan.moves:
        if move.tier:
            members.setdefault(move.tier, set()).add(move.source.rpartition(".")[2])
    assert members == {word: set(units) for word, units in PLANTED.items()}


def test_groups_sharing_no_word_take_their_central_members_words() -> None:
    groups = [["p.attention", "p.decoding", "p.sampling"], ["p.kv_transfer", "p.memory"],
              ["p.tokenizer"]]
    centrality = {"p.decoding": 3.0, "p.attention": 2.0, "p.memory": 1.0}
    taken = {"attention", "decoding", "sampling", "kv_transfer", "memory", "tokenizer", "p"}
    names = name_tiers(groups, centrality, taken)
    assert names[0] == "decoding_attention"
    assert names[1] in ("memory_transfer", "memory_kv")
    assert names[2] == "tokenizer_tier"  # its only word is a module's name: never reused


def test_a_word_two_members_of_many_carry_does_not_name_the_group() -> None:
    # rich: console, segment, control... with `_windows` and `_windows_renderer` among
    # them is not a `windows` tier; its most central member names it.
    group = ["r._windows", "r._windows_renderer", "r.console", "r.segment", "r.control",
             "r.pager", "r.region", "r.protocol", "r.errors"]
    centrality = {"r.console": 9.0, "r.segment": 8.0}
    names = name_tiers([group, ["r.style", "r.color"]], centrality, {"style", "color"})
    assert names[0] == "console"
    small = ["r._windows", "r._windows_renderer", "r.console", "r.segment"]
    assert name_tiers([small], centrality, set()) == ["windows"]  # half of them: it does


def test_names_are_unique_identifiers_carried_by_members_and_free(tmp_path: Path) -> None:
    """On random groups of random names: every name is an identifier, unique, not taken,
    and made of words its members carry (the structural `_tier` suffix aside)."""
    rng = random.Random(4)
    vocabulary = ["core", "base", "util", "io", "net", "db", "ui", "api", "log", "auth",
                  "task", "job", "queue", "file", "path", "text", "data", "model", "view"]
    for _ in range(200):
        units = sorted({"pkg." + "_".join(rng.sample(vocabulary, rng.randint(1, 3)))
                        for _ in range(rng.randint(3, 30))})
        rng.shuffle(units)
        cut = sorted(rng.sample(range(1, len(units)), rng.randint(0, min(6, len(units) - 1))))
        groups = [sorted(units[a:b]) for a, b in zip([0, *cut], [*cut, len(units)],
                                                     strict=True)]
        taken = {u.rpartition(".")[2] for u in units} | {"pkg"}
        names = name_tiers(groups, {u: rng.random() for u in units}, taken)
        assert len(set(names)) == len(names)
        assert not set(names) & taken
        for name, members in zip(names, groups, strict=True):
            assert is_identifier(name), name
            carried = {w for m in members for w in words(m)}
            parts = name.removesuffix("_tier").rstrip("0123456789").split("_")
            assert set(parts) <= carried, (name, members)
