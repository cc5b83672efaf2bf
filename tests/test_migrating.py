"""A plan landed in parts (issue 17): apply and diff of tiers, moves and batches, the
plan's record of what landed, `status` and `batches`, on repos the tests make."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyagent_workbench.analysis.batches import Footprint, bound_groups, plan_batches
from pyagent_workbench.application import applying, migrating
from pyagent_workbench.application.migrating import Selection
from pyagent_workbench.codeowners import parse as parse_codeowners
from pyagent_workbench.errors import InvalidPlan, WorkbenchError
from pyagent_workbench.model.plan import Move, Plan
from pyagent_workbench.rewrite.apply import ApplyOptions
from pyagent_workbench.rewrite.journal import KILL_SWITCH
from pyagent_workbench.workspace import Workspace
from support.cli import run
from support.plans import review_and_approve
from support.repos import copy_sample, git, make_repo, tree_digest

MODULES = 12
TIERS = ("core", "api", "util")
SEEDS = [int(s) for s in os.environ.get("PARTS_SEEDS", "1,2,3,4,5,6").split(",")]
"""`PARTS_SEEDS=1,2,...,200` tries more random plans and orders."""


def tangled_files(seed: int) -> dict[str, str | bytes]:
    """A package whose modules import each other every way Python allows (names from a
    package, relative, aliased, parenthesised with comments, inside functions), with
    dotted-path strings and a test patching by path: statements that a move of part of
    the plan splits and a later move splits again."""
    rng = random.Random(seed)
    forms = [
        lambda j, k: f"from pkg import m{j}, m{k}\n",
        lambda j, k: f"from . import m{j}, m{k}\n",
        lambda j, k: f"import pkg.m{j}\nimport pkg.m{k} as alias{k}\n",
        lambda j, k: f"from pkg.m{j} import C{j}, f{j}\nfrom .m{k} import C{k}\n",
        lambda j, k: f"from pkg import (\n    m{j},  # keep\n    m{k},\n)\n",
        lambda j, k: f"from pkg import m{j} as mod{j}, m{k}\n",
    ]
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "from .m0 import C0\nfrom pkg.m1 import C1 as One\n"
                           "__all__ = ['C0', 'One']\n",
        "pkg/sub/__init__.py": "",
    }
    for i in range(MODULES):
        others = [x for x in range(MODULES) if x != i]
        body = "".join(rng.choice(forms)(*rng.sample(others, 2)) for _ in range(3))
        j = rng.choice(others)
        body += (f"\nREF = 'pkg.m{j}.C{j}'\nPATCH = \"pkg.m{j}.f{j}\"\n\n\n"
                 f"class C{i}:\n    pass\n\n\ndef f{i}():\n    import pkg.m{j}\n"
                 f"    return pkg.m{j}.C{j}\n")
        files[f"pkg/m{i}.py"] = body
    user = "".join(f"from pkg.m{i} import C{i}\n" for i in rng.sample(range(MODULES), 6))
    user += "from pkg import " + ", ".join(f"m{i}" for i in rng.sample(range(MODULES), 5))
    user += "\nfrom .. import " + ", ".join(f"m{i}" for i in rng.sample(range(MODULES), 4))
    files["pkg/sub/user.py"] = user + "\n"
    files["tests/test_all.py"] = "".join(f"import pkg.m{i}\n" for i in range(MODULES)) + (
        "\n\ndef test_patch(monkeypatch):\n" + "".join(
            f"    monkeypatch.setattr('pkg.m{i}.C{i}', 1)\n" for i in range(MODULES)))
    return files


def tangled_repo(root: Path, seed: int, *, facades: bool) -> Path:
    rng = random.Random(seed)
    make_repo(root, tangled_files(seed), git_repo=False)
    plan = Plan.new(source_root=".", packages=["pkg"])
    for tier in TIERS:
        plan.add_tier(tier, f"pkg.{tier}")
    for i in range(MODULES):
        tier = TIERS[i % 3] if i < 3 else rng.choice(TIERS)  # every tier has a move
        plan.set_move(f"pkg.m{i}", f"pkg.{tier}.m{i}", tier)
    plan.set_option("facades", facades)
    return approved_and_committed(root, plan)


def approved_and_committed(root: Path, plan: Plan, *, history: bool = True) -> Path:
    """The plan saved as `root/plan.toml`, every edge accepted and approved, the repo a
    git repo with it all committed (`history`: else nothing is committed)."""
    plan.save(root / "plan.toml")
    review_and_approve(root / "plan.toml", root)
    git(root, "init", "-q", "-b", "main")
    if history:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
    return root


def apply_part(root: Path, selection: Selection | None = None, **options: object
               ) -> applying.Applied:
    plan_path = root / "plan.toml"
    workspace = Workspace.open(root, plan_path)
    return applying.apply(workspace, ApplyOptions(verify=False, plan_path=plan_path,
                                                  allow_dirty=True, **options),  # type: ignore[arg-type]
                          selection=selection)


def without_progress(plan_text: str) -> str:
    """The plan less what an apply records on its moves (days, commits, batches)."""
    return "\n".join(line for line in plan_text.splitlines()
                     if not line.startswith(("landed = ", "commit = ", "batch = ")))


@pytest.mark.parametrize("history", [True, False], ids=["git history", "no history"])
def test_two_lines_written_side_by_side_stay_apart_as_at_once(tmp_path: Path,
                                                               history: bool) -> None:
    """Two `from` lines of one module written side by side, whose names land in one
    module in different parts, look like two pieces of one statement to the later part:
    the tree before the first part (git) tells them apart, and they stay two lines, as
    the plan applied at once leaves them. Without that tree (no commit to read), they
    are taken for pieces and joined: the one case that ends otherwise."""
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "", "pkg/a.py": "A = 1\n", "pkg/b.py": "B = 2\n",
        "pkg/user.py": "from pkg import a\nfrom pkg import b\n\nprint(a.A, b.B)\n"}
    outputs = []
    for name, steps in (("once", [Selection()]),
                        ("parts", [Selection(sources=("pkg.a",)), Selection()])):
        root = make_repo(tmp_path / name, files, git_repo=False)
        plan = Plan.new(source_root=".", packages=["pkg"])
        plan.add_tier("low", "pkg.low")
        plan.set_move("pkg.a", "pkg.low.a", "low")
        plan.set_move("pkg.b", "pkg.low.b", "low")
        approved_and_committed(root, plan, history=history)
        for step in steps:
            assert apply_part(root, step).result is not None
        outputs.append((root / "pkg/user.py").read_text())
    apart = "from pkg.low import a\nfrom pkg.low import b\n\nprint(a.A, b.B)\n"
    joined = "from pkg.low import a, b\n\nprint(a.A, b.B)\n"
    assert outputs == ([apart, apart] if history else [apart, joined])


@pytest.mark.parametrize("seed", SEEDS)
def test_a_plan_applied_in_parts_ends_byte_identical_to_the_plan_applied_at_once(
        tmp_path: Path, seed: int) -> None:
    """Tiers, batches and single moves, in a random order: the tree ends the same, byte
    for byte, as one apply of the whole plan (facades on for odd seeds, off for even)."""
    rng = random.Random(seed)
    once = tangled_repo(tmp_path / "once", seed, facades=bool(seed % 2))
    parts = tmp_path / "parts"
    shutil.copytree(once, parts, symlinks=True)
    applied = apply_part(once)
    assert applied.result is not None and applied.remaining == 0

    assert run("batches", parts / "plan.toml", "--max-files", "6", "--write").code == 0
    steps = 0
    while True:
        plan = Plan.load(parts / "plan.toml")
        states = migrating.progress(Workspace.open(parts, parts / "plan.toml"))
        pending = [p.move for p in states if not p.landed]
        if not pending:
            break
        kind = rng.choice(["tier", "batch", "moves"])
        if kind == "tier":
            selection = Selection(tiers=(rng.choice([m.tier for m in pending]),))
        elif kind == "batch":
            selection = Selection(batch=rng.choice([m.batch for m in pending]))
        else:
            chosen = rng.sample(pending, min(len(pending), rng.randint(1, 3)))
            selection = Selection(sources=tuple(m.source for m in chosen))
        result = apply_part(parts, selection)
        assert result.result is not None, (selection, result.message)
        steps += 1
        landed = {m.source for m in Plan.load(parts / "plan.toml").moves if m.landed}
        assert landed >= {m.source for m in plan.moves
                          if m.source in {c.source for c in migrating.select(plan, selection)}}
    assert steps >= 2

    ours, theirs = tree_digest(once), tree_digest(parts)
    differing = sorted(k for k in ours.keys() | theirs.keys()
                       if k != "plan.toml" and ours.get(k) != theirs.get(k))
    assert differing == []
    assert without_progress((once / "plan.toml").read_text()) == without_progress(
        (parts / "plan.toml").read_text())
    assert all(m.landed for m in Plan.load(parts / "plan.toml").moves)


def test_apply_takes_only_the_pending_moves_of_a_partly_applied_plan(tmp_path: Path) -> None:
    root = tangled_repo(tmp_path / "repo", 7, facades=True)
    first = apply_part(root, Selection(tiers=("api",)))
    assert first.result is not None
    api = {m.source for m in Plan.load(root / "plan.toml").moves if m.tier == "api"}
    assert {c.old_path for c in first.result.changeset.changes if c.kind == "move"} == {
        source.replace(".", "/") + ".py" for source in api}
    assert first.remaining == MODULES - len(api)
    # Again: nothing of that tier is left.
    again = apply_part(root, Selection(tiers=("api",)))
    assert again.result is None and "landed already" in again.message
    # The rest, with nothing named: the pending moves only.
    rest = apply_part(root)
    assert rest.result is not None and rest.remaining == 0
    moved = {c.old_path for c in rest.result.changeset.changes if c.kind == "move"}
    assert moved == {f"pkg/{m.rpartition('.')[2]}.py"
                     for m in {f"pkg.m{i}" for i in range(MODULES)} - api}
    assert apply_part(root).message == "this plan is already applied: nothing to do"


def test_diff_of_a_tier_shows_that_tier_alone(tmp_path: Path) -> None:
    root = tangled_repo(tmp_path / "repo", 8, facades=True)
    plan = Plan.load(root / "plan.toml")
    core = sorted(m.source for m in plan.moves if m.tier == "core")
    shown = run("diff", root / "plan.toml", "--tier", "core", "--stat", "--json")
    assert shown.code == 0, shown.err
    moved = {f["old_path"] for f in json.loads(shown.out)["files"] if f["kind"] == "move"}
    assert moved == {m.replace(".", "/") + ".py" for m in core}
    before = tree_digest(root)
    assert run("apply", root / "plan.toml", "--tier", "core", "--no-verify").code == 0
    assert tree_digest(root) != before
    done = run("diff", root / "plan.toml", "--tier", "core")
    assert done.code == 0 and "every move of tier core has landed already" in done.out
    rest = run("diff", root / "plan.toml", "--stat", "--json")
    moved = {f["old_path"] for f in json.loads(rest.out)["files"] if f["kind"] == "move"}
    assert moved and not moved & {m.replace(".", "/") + ".py" for m in core}


def test_a_selection_naming_what_the_plan_lacks_is_refused(tmp_path: Path) -> None:
    root = tangled_repo(tmp_path / "repo", 9, facades=True)
    before = tree_digest(root)
    for args, message in (
            (["--tier", "engine"], "the plan has no tier 'engine' (its tiers: api, core, util)"),
            (["--moves", "pkg.m1,pkg.nothing"], "the plan has no move of 'pkg.nothing'"),
            (["--moves", "m3"], "(did you mean 'pkg.m3'?)"),
            (["--batch", "99"], "the plan has no batch 99 (its batches: 1, ")):
        result = run("apply", root / "plan.toml", *args, "--no-verify")
        assert result.code == 2 and message in result.err, (args, result.err)
    assert tree_digest(root) == before


def test_moves_bound_together_land_together(tmp_path: Path) -> None:
    """Two packages merged into one target, and a package with one of its modules moved
    elsewhere: naming one move takes the others."""
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "", "pkg/a/__init__.py": "", "pkg/a/x.py": "X = 1\n",
        "pkg/b/__init__.py": "", "pkg/b/y.py": "from pkg.a.x import X\n",
        "pkg/c/__init__.py": "", "pkg/c/z.py": "from pkg.b.y import X\n",
        "pkg/c/w.py": "W = 2\n", "pkg/d.py": "from pkg.c.w import W\n"}
    root = make_repo(tmp_path / "repo", files, git_repo=False)
    plan = Plan.new(source_root=".", packages=["pkg"])
    plan.add_tier("low", "pkg.low")
    for source, target in (("pkg.a", "pkg.low.ab"), ("pkg.b", "pkg.low.ab"),
                           ("pkg.c", "pkg.low.c"), ("pkg.c.w", "pkg.low.w"),
                           ("pkg.d", "pkg.low.d")):
        plan.set_move(source, target, "low")
    groups = bound_groups(plan.moves)
    assert [[m.source for m in g] for g in groups] == [
        ["pkg.a", "pkg.b"], ["pkg.c", "pkg.c.w"], ["pkg.d"]]
    assert [m.source for m in migrating.select(plan, Selection(sources=("pkg.b",)))] == [
        "pkg.a", "pkg.b"]
    approved_and_committed(root, plan)
    assert apply_part(root, Selection(sources=("pkg.c.w",))).result is not None
    landed = {m.source for m in Plan.load(root / "plan.toml").moves if m.landed}
    assert landed == {"pkg.c", "pkg.c.w"}
    assert (root / "pkg/low/w.py").is_file() and (root / "pkg/low/c/z.py").is_file()


def test_the_plan_records_each_landing_and_status_reads_it(tmp_path: Path) -> None:
    root = tangled_repo(tmp_path / "repo", 10, facades=True)
    result = run("apply", root / "plan.toml", "--tier", "util", "--commit", "--no-verify")
    assert result.code == 0, result.err
    assert "still pending" in result.out
    head = git(root, "rev-parse", "HEAD~1").strip()  # the moves; HEAD: facades + record
    plan = Plan.load(root / "plan.toml")
    util = [m for m in plan.moves if m.tier == "util"]
    assert util and all(m.landed and m.commit == head for m in util)
    assert all(m.landed is None and m.commit is None for m in plan.moves if m.tier != "util")
    assert git(root, "status", "--porcelain") == ""  # the record is committed too
    assert "plan.toml" in git(root, "show", "--stat", "--format=", "HEAD")

    status = run("status", root / "plan.toml", "--json")
    data = json.loads(status.out)
    assert data["moves_landed"] == len(util) and data["moves_total"] == MODULES
    landed = [m for m in data["moves"] if m["state"] == "landed"]
    assert {m["source"] for m in landed} == {m.source for m in util}
    assert all(m["commit"] == head and not m["commit_from_git"] for m in landed)

    # The record lost (the plan file as it was before): the tree and git still tell.
    git(root, "show", "HEAD~2:plan.toml")
    (root / "plan.toml").write_text(git(root, "show", "HEAD~2:plan.toml"))
    data = json.loads(run("status", root / "plan.toml", "--json").out)
    landed = [m for m in data["moves"] if m["state"] == "landed"]
    assert {m["source"] for m in landed} == {m.source for m in util}
    assert all(m["commit"] == head and m["commit_from_git"] and not m["recorded"]
               for m in landed)
    text = run("status", root / "plan.toml").out
    assert f"landed in {head[:12]} (from git) (not recorded in the plan)" in text
    assert f"{len(util)} of {MODULES} moves landed" in text


def test_a_batch_killed_mid_apply_is_recovered_and_applied_again(tmp_path: Path) -> None:
    root = tangled_repo(tmp_path / "repo", 11, facades=True)
    assert run("apply", root / "plan.toml", "--tier", "core", "--no-verify").code == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "batch core")
    before = tree_digest(root)
    killed = subprocess.run(
        [sys.executable, "-m", "pyagent_workbench", "apply", str(root / "plan.toml"),
         "--tier", "api", "--no-verify"], env={**os.environ, KILL_SWITCH: "20"},
        capture_output=True, text=True, check=False)
    assert killed.returncode < 0, killed.stderr
    assert tree_digest(root) != before  # killed halfway through its writes
    assert run("apply", root / "plan.toml", "--tier", "api").code == 2  # journal first
    assert run("recover", root).code == 0
    assert tree_digest(root) == before
    states = {p.move.tier: p.landed for p in
              migrating.progress(Workspace.open(root, root / "plan.toml"))}
    assert states == {"core": True, "api": False, "util": False}
    assert run("apply", root / "plan.toml", "--tier", "api", "--no-verify", "--commit"
               ).code == 0
    assert run("apply", root / "plan.toml", "--no-verify", "--commit").code == 0
    assert all(p.landed for p in migrating.progress(Workspace.open(root, root / "plan.toml")))


def test_batches_are_planned_recorded_and_applied_by_number(tmp_path: Path) -> None:
    root = tangled_repo(tmp_path / "repo", 12, facades=True)
    shown = run("batches", root / "plan.toml", "--max-files", "8", "--json")
    assert shown.code == 0, shown.err
    batches = json.loads(shown.out)["batches"]
    assert len(batches) >= 3
    assert [b["number"] for b in batches] == list(range(1, len(batches) + 1))
    assert all(len(b["tiers"]) == 1 and not b["recorded"] for b in batches)
    order = [b["tiers"][0] for b in batches]
    assert order == sorted(order, key=["core", "api", "util"].index)  # the plan's order
    # Applying batch 2 by number records every proposed batch as shown.
    assert run("apply", root / "plan.toml", "--batch", "2", "--max-files", "8",
               "--no-verify").code == 0
    plan = Plan.load(root / "plan.toml")
    recorded = {m.source: m.batch for m in plan.moves}
    assert recorded == {m["source"]: b["number"] for b in batches for m in b["moves"]}
    assert {m.source for m in plan.moves if m.landed} == {
        m["source"] for m in batches[1]["moves"]}
    again = json.loads(run("batches", root / "plan.toml", "--json").out)["batches"]
    assert [(b["number"], b["state"], b["recorded"]) for b in again][:3] == [
        (1, "pending", True), (2, "landed", True), (3, "pending", True)]


def test_the_sample_plan_lands_tier_by_tier_engine_first(tmp_path: Path) -> None:
    """The proposal: "Initialize the Tier 1 migration (Engine)". The shipped plan records
    one batch a tier, engine first; each batch leaves the sample's own tests passing."""
    root = copy_sample(tmp_path / "sample", approved=True)
    plan = Plan.load(root / "phase1.toml")
    first = [m for m in plan.moves if m.batch == 1]
    assert first and all(m.tier == "engine" for m in first)
    assert all(m.batch is not None and m.landed is None for m in plan.moves)
    for batch in (1, 2):
        result = run("apply", root / "phase1.toml", "--batch", str(batch), "--commit",
                     "--no-collect")
        assert result.code == 0, result.out[-2000:] + result.err
        tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p",
                                "no:cacheprovider"], cwd=root, capture_output=True,
                               text=True, check=False)
        assert tests.returncode == 0, tests.stdout[-2000:]
    status = json.loads(run("status", root / "phase1.toml", "--json").out)
    landed = {m["tier"] for m in status["moves"] if m["state"] == "landed"}
    assert landed == {m.tier for m in plan.moves if m.batch in (1, 2)}
    assert "engine" in landed


# -- batches, planned -------------------------------------------------------------------


def moves_of(*specs: tuple[str, str, str]) -> list[Move]:
    return [Move(source, target, tier) for source, target, tier in specs]


def test_batches_follow_the_tiers_budget_and_dependencies() -> None:
    moves = moves_of(("p.a", "p.t1.a", "t1"), ("p.b", "p.t1.b", "t1"), ("p.c", "p.t1.c", "t1"),
                     ("p.d", "p.t2.d", "t2"), ("p.e", "p.t2.e", "t2"))
    files = {"p.a": {"a", "x"}, "p.b": {"b", "x", "y"}, "p.c": {"c"}, "p.d": {"d"},
             "p.e": {"e"}}
    imports = {"p.a": {"p.b"}, "p.b": set(), "p.c": {"p.a"}, "p.d": set(), "p.e": set()}

    def footprint(move: Move) -> Footprint:
        return Footprint(frozenset({move.source}), frozenset(files[move.source]),
                         frozenset(imports[move.source]))

    batches = plan_batches(moves, ["t2", "t1"], footprint=footprint, max_files=4)
    assert [[m.source for m in b.moves] for b in batches] == [
        ["p.d", "p.e"], ["p.b", "p.a"], ["p.c"]]  # t2 first; b before a (a imports b)
    assert [b.number for b in batches] == [1, 2, 3]
    assert batches[1].files == ("a", "b", "x", "y")
    one = plan_batches(moves, ["t1", "t2"], footprint=footprint, max_files=1,
                       first_number=5)
    assert [b.number for b in one] == [5, 6, 7, 8, 9]
    assert [b.over_budget for b in one] == [True, True, False, False, False]


def test_batches_group_a_tier_by_code_owners() -> None:
    owners = parse_codeowners("* @all\n/p/web/ @web-team\n/p/db/** @db-team @dba\n")
    moves = moves_of(("p.web.a", "p.t.a", "t"), ("p.db.b", "p.t.b", "t"),
                     ("p.web.c", "p.t.c", "t"), ("p.db.d", "p.t.d", "t"))

    def footprint(move: Move) -> Footprint:
        path = move.source.replace(".", "/") + ".py"
        return Footprint(frozenset({path}), frozenset({path, "p/main.py"}), frozenset())

    batches = plan_batches(moves, ["t"], footprint=footprint, owners_of=owners.owners_of,
                           max_files=10)
    assert [[m.source for m in b.moves] for b in batches] == [
        ["p.web.a", "p.web.c"], ["p.db.b", "p.db.d"]]
    assert batches[0].owners == ("@all", "@web-team")
    assert batches[1].owners == ("@all", "@db-team", "@dba")


@pytest.mark.parametrize(("pattern", "path", "owned"), [
    ("*", "a/b/c.py", True),
    ("*.py", "deep/down/x.py", True),
    ("*.py", "x.txt", False),
    ("/docs/", "docs/a/b.md", True),
    ("/docs/", "src/docs/a.md", False),
    ("src/docs", "lib/src/docs/a.md", False),  # a slash in front or in the middle anchors
    ("apps/", "src/apps/x.py", True),  # a trailing slash alone does not
    ("src/*.py", "src/a.py", True),
    ("src/*.py", "src/a/b.py", False),
    ("src/**/x.py", "src/x.py", True),
    ("src/**/x.py", "src/a/b/x.py", True),
    ("/src/app", "src/app/deep/x.py", True),
    ("/src/app", "src/application.py", False),
    ("a\\ b.py", "a b.py", True),
    ("!x.py", "x.py", False),
])
def test_codeowners_patterns_match_as_git_and_github_read_them(pattern: str, path: str,
                                                                owned: bool) -> None:
    owners = parse_codeowners(f"{pattern} @team  # why\n")
    assert (owners.owners_of(path) == ("@team",)) is owned


def test_codeowners_last_match_wins_and_an_ownerless_line_unsets() -> None:
    owners = parse_codeowners("# comment\n\n[Backend]\n*.py @py\n/gen/ \n/gen/keep.py @gen\n")
    assert owners.owners_of("a.py") == ("@py",)
    assert owners.owners_of("gen/x.py") == ()
    assert owners.owners_of("gen/keep.py") == ("@gen",)


def test_the_plan_checks_what_progress_it_records() -> None:
    base = ('schema = 1\n[[tiers]]\nname = "t"\npackage = "p.t"\n[[moves]]\n'
            'source = "p.a"\ntarget = "p.t.a"\ntier = "t"\n')
    good = base + 'batch = 2\nlanded = "2026-11-26"\ncommit = "0123abc"\n'
    plan = Plan.parse(good)
    assert plan.moves[0] == Move("p.a", "p.t.a", "t", batch=2, landed="2026-11-26",
                                 commit="0123abc")
    assert plan.dumps() == good
    for extra, message in (('batch = 0\n', "batch must be a number from 1"),
                           ('landed = "yesterday"\n', "landed must be a day"),
                           ('commit = "HEAD"\n', "commit must be a commit id"),
                           ('batch = "1"\n', "batch must be")):
        with pytest.raises(InvalidPlan, match=message):
            Plan.parse(base + extra)


def test_recording_progress_keeps_the_rest_of_the_plan_as_written() -> None:
    text = ('schema = 1  # ours\n\n[[moves]]\nsource = "p.a"  # why\ntarget = "p.t.a"\n\n'
            '# next\n[[moves]]\nsource = "p.b"\ntarget = "p.t.b"\n')
    plan = Plan.parse(text)
    plan.set_progress("p.a", batch=1, landed="2026-11-26")
    plan.set_progress("p.a", commit="abcdef1")
    assert plan.dumps() == (
        'schema = 1  # ours\n\n[[moves]]\nsource = "p.a"  # why\ntarget = "p.t.a"\n'
        'batch = 1\nlanded = "2026-11-26"\ncommit = "abcdef1"\n\n'
        '# next\n[[moves]]\nsource = "p.b"\ntarget = "p.t.b"\n')
    plan.clear_progress("p.a")
    assert plan.dumps() == text
    with pytest.raises(WorkbenchError):
        migrating.select(plan, Selection(batch=1))


def test_a_straggler_written_after_a_batch_is_found_by_check_and_rewritten_by_apply(
        tmp_path: Path) -> None:
    """New code written against an old path (it works, through the facade) while the
    migration is under way: `check` lists it, the ratchet fails on it, and `apply` on the
    landed moves rewrites it."""
    root = tangled_repo(tmp_path / "repo", 13, facades=True)
    plan = root / "plan.toml"
    assert run("apply", plan, "--tier", "core", "--commit", "--no-verify").code == 0
    core = sorted(m.source for m in Plan.load(plan).moves if m.tier == "core")
    baseline = root / "baseline.json"
    first = run("check", plan, "--baseline", baseline)
    assert first.code == 0 and "baseline written" in first.out, first.out
    git(root, "add", "baseline.json")
    git(root, "commit", "-q", "-m", "the migration's baseline")

    old = core[0]
    (root / "pkg/sub/late.py").write_text(
        f"from {names_parent(old)} import {old.rpartition('.')[2]}\n"
        f"import {old}\n\n\ndef f():\n    return {old}.C{old[5:]}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "new code through the old path")
    found = run("check", plan)
    assert f"{old} -> " in found.out and "pkg/sub/late.py:1: from pkg import" in found.out
    assert "pkg/sub/late.py:2: import " in found.out
    grown = run("check", plan, "--baseline", baseline)
    assert grown.code == 1 and f"grown: uses of the old path {old}: 2 (baseline 0)" in grown.out

    rewritten = run("apply", plan, "--tier", "core", "--commit")
    assert rewritten.code == 0, rewritten.out + rewritten.err
    assert "rewrote the code still using old paths" in rewritten.out
    text = (root / "pkg/sub/late.py").read_text()
    new = old.replace("pkg.", "pkg.core.")
    assert f"import {new}\n" in text and f"return {new}.C" in text
    assert f"from pkg.core import {old.rpartition('.')[2]}" in text
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "log", "-1", "--format=%s").startswith("Rewrite the uses of old paths")
    # The plan's record is untouched: those moves landed in the batch's commit.
    landed = {m.source: m.commit for m in Plan.load(plan).moves if m.landed}
    assert set(landed) == set(core) and len(set(landed.values())) == 1
    # Back within the baseline; then nothing more to rewrite.
    assert run("check", plan, "--baseline", baseline).code == 0
    again = run("apply", plan, "--tier", "core")
    assert again.code == 0 and "nothing to do" in again.out


def names_parent(name: str) -> str:
    return name.rpartition(".")[0]


def test_the_report_shows_the_batches_the_old_paths_in_use_and_the_burn_down(
        tmp_path: Path) -> None:
    root = tangled_repo(tmp_path / "repo", 14, facades=True)
    plan = root / "plan.toml"
    assert run("batches", plan, "--max-files", "1000", "--write").code == 0
    git(root, "commit", "-q", "-am", "batches")
    assert run("apply", plan, "--batch", "1", "--commit", "--no-verify").code == 0
    old = next(m.source for m in Plan.load(plan).moves if m.landed)
    (root / "pkg/sub/late.py").write_text(f"import {old}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "new code through an old path")
    assert run("apply", plan, "--batch", "2", "--commit", "--no-verify").code == 0

    written = run("report", plan, "-o", tmp_path / "report.md", "--no-diff")
    assert written.code == 0, written.err
    text = (tmp_path / "report.md").read_text()
    section = text[text.index("## Migration in batches"):text.index("## Commands")]
    landed = sum(1 for m in Plan.load(plan).moves if m.landed)
    assert f"{landed} of {MODULES} moves landed." in section
    commits = {m.batch: m.commit for m in Plan.load(plan).moves if m.commit}
    assert "| 1 | core | " in section and f"| landed | {commits[1][:10]} |" in section
    assert f"| landed | {commits[2][:10]} |" in section
    assert "| 3 | util | " in section and "| pending | — |" in section
    assert f"| `{old}` | 1 |" in section  # the straggler, through its facade
    rows = [[cell.strip() for cell in line.split("|")[1:-1]]
            for line in section[section.index("| commit |"):].splitlines()[2:]
            if line.startswith("| `")]
    ids = git(root, "log", "--reverse", "--format=%H", "HEAD~6..HEAD").split()
    assert [row[0].split(" ", 1)[0].strip("`") for row in rows] == [c[:10] for c in ids]
    landed_by_then = [int(row[1]) for row in rows]
    lines = [int(row[2]) for row in rows]
    assert landed_by_then[0] == 0 and lines[0] == 0  # before the first batch: none
    assert lines[1:3] == [0, 0]  # batch 1 and its facades: every use rewritten
    assert lines[3] == 1  # the straggler
    assert landed_by_then[-1] == landed


# -- facades on a schedule --------------------------------------------------------------------

SMALL = {
    "pkg/__init__.py": "",
    "pkg/shapes.py": "class Square:\n    def __init__(self, side):\n        self.side = side\n",
    "pkg/units.py": "METRE = 1.0\n",
    "pkg/app.py": "from pkg.shapes import Square\nfrom pkg import units\n\n\n"
                  "def area(side):\n    return Square(side).side ** 2 * units.METRE\n",
}


def small_repo(root: Path, *, deprecate: str | None = None) -> Path:
    make_repo(root, SMALL, git_repo=False)
    plan = Plan.new(source_root=".", packages=["pkg"])
    plan.add_tier("model", "pkg.model")
    plan.add_tier("common", "pkg.common")
    plan.set_move("pkg.shapes", "pkg.model.shapes", "model")
    plan.set_move("pkg.units", "pkg.common.units", "common")
    if deprecate is not None:
        plan.set_option("deprecate", deprecate)
    return approved_and_committed(root, plan)


def python(root: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, check=False, env={**os.environ, "PYTHONPATH": str(root)})


@pytest.mark.parametrize(("deprecate", "said"), [
    ("2027-06-30", "(removed on 2027-06-30)"), ("3.0", "(removed in version 3.0)"),
    (None, "import it from there\n")])
def test_a_facade_warns_once_with_the_new_path_and_the_removal_date(
        tmp_path: Path, deprecate: str | None, said: str) -> None:
    root = small_repo(tmp_path / "repo", deprecate=deprecate)
    assert run("apply", root / "plan.toml", "--commit").code == 0
    imported = python(root, "import warnings\nwarnings.simplefilter('default')\n"
                            "import pkg.shapes\nimport pkg.shapes\nfrom pkg.shapes import Square\n")
    assert imported.returncode == 0, imported.stderr
    warning = ("DeprecationWarning: pkg.shapes moved to pkg.model.shapes; import it from "
               "there")
    assert imported.stderr.count(warning) == 1, imported.stderr
    assert said in imported.stderr
    # The dated facade is still the tool's own: --remove retires it once unused.
    removed = run("facades", root / "plan.toml", "--remove")
    assert removed.code == 0 and "removed pkg/shapes.py (pkg.shapes)" in removed.out, removed.out


@pytest.mark.parametrize("value", ["soon", "2027-06-30 ", "1.0\"; import os", "x" * 21, ""])
def test_a_removal_date_must_be_a_day_or_a_version(value: str) -> None:
    text = f'schema = 1\n[options]\ndeprecate = {json.dumps(value)}\n'
    if value == "soon":  # a word is a version too: `soon` is accepted
        assert Plan.parse(text).deprecate == "soon"
        return
    with pytest.raises(InvalidPlan, match="deprecate must be a day"):
        Plan.parse(text)


def test_a_pickle_written_before_the_move_loads_after_it(tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    saved = python(root, "import pickle, pkg.shapes\n"
                         "open('square.pickle', 'wb').write(pickle.dumps(pkg.shapes.Square(3)))")
    assert saved.returncode == 0, saved.stderr
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a pickle")
    assert run("apply", root / "plan.toml", "--batch", "1", "--commit").code == 0
    loaded = python(root, "import pickle, pkg.model.shapes\n"
                          "square = pickle.loads(open('square.pickle', 'rb').read())\n"
                          "assert type(square) is pkg.model.shapes.Square, type(square)\n"
                          "print(square.side)")
    assert loaded.returncode == 0 and loaded.stdout == "3\n", loaded.stderr


def test_facades_are_retired_batch_by_batch(tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    plan = root / "plan.toml"
    assert run("batches", plan, "--write").code == 0
    git(root, "commit", "-q", "-am", "batches")
    assert run("apply", plan, "--commit").code == 0
    (root / "pkg/late.py").write_text("from pkg import units\n")  # the old path, in use
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "late")
    batch_of = {m.source: m.batch for m in Plan.load(plan).moves}
    units = batch_of["pkg.units"]
    kept = run("facades", plan, "--remove", "--batch", str(units))
    assert kept.code == 0 and "kept pkg/units.py: still used" in kept.out, kept.out
    assert (root / "pkg/shapes.py").is_file()  # another batch's: not looked at
    removed = run("facades", plan, "--remove", "--batch", str(batch_of["pkg.shapes"]))
    assert "removed pkg/shapes.py (pkg.shapes)" in removed.out, removed.out
    assert (root / "pkg/units.py").is_file()
    nothing = run("facades", plan, "--list", "--batch", "9")
    assert nothing.code == 2 and "the plan has no batch 9" in nothing.err


def test_type_checkers_follow_an_old_path_through_its_facade(tmp_path: Path) -> None:
    """mypy (strict) resolves names imported through a facade to the moved module's own:
    a right use checks, a wrong one is caught as it would be through the new path."""
    root = small_repo(tmp_path / "repo")
    (root / "pkg/shapes.py").write_text(
        "class Square:\n    def __init__(self, side: int) -> None:\n        self.side = side\n")
    git(root, "commit", "-q", "-am", "typed")
    assert run("apply", root / "plan.toml", "--commit").code == 0
    (root / "late.py").write_text(
        "import pkg.shapes\nfrom pkg.shapes import Square\n\n"
        "right: int = Square(2).side\nwrong: str = pkg.shapes.Square(3).side\n")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir",
         str(tmp_path / "mypy-cache"), "late.py"], cwd=root, capture_output=True, text=True,
        check=False)
    assert checked.stdout.splitlines() == [
        'late.py:5: error: Incompatible types in assignment (expression has type "int", '
        'variable has type "str")  [assignment]',
        "Found 1 error in 1 file (checked 1 source file)"], checked.stdout


def test_a_plan_landed_in_parts_is_verified_part_by_part(tmp_path: Path) -> None:
    root = small_repo(tmp_path / "repo")
    plan = root / "plan.toml"
    assert run("batches", plan, "--write").code == 0
    git(root, "commit", "-q", "-am", "batches")
    assert run("apply", plan, "--batch", "1", "--commit").code == 0
    whole = run("verify", plan, "--no-collect")
    assert whole.code == 2 and "verify one as it was applied (--batch 1)" in whole.err
    part = run("verify", plan, "--no-collect", "--batch", "1")
    assert part.code == 0 and "checked: OK" in part.out, part.out + part.err
