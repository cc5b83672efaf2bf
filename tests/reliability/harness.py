"""Run a plan over a generated repo and check that nothing was lost.

`round_trip` applies a plan to a copy of a repo and checks, against an untouched copy:
every module still imports; every module's value (and its probe's) is the same before
and after, read in ONE subprocess for both trees; the import graph is the old one mapped
through the plan (by the tool's `verify`, and by our own mapping here); `diff` predicted
exactly what `apply` wrote; a second `apply` changes nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyagent_workbench.analysis.graph import build_graph
from pyagent_workbench.errors import ApplyError, InvalidPlan
from pyagent_workbench.repo import Repo
from pyagent_workbench.rewrite import facades as facade_module
from pyagent_workbench.rewrite.apply import AlreadyApplied, ApplyOptions, apply_plan
from pyagent_workbench.rewrite.engine import ChangeSet, preview
from pyagent_workbench.workspace import Workspace
from support.cli import run
from support.plans import write_plan
from support.repos import git_init, tree_digest, write_files

from . import stats
from .gen import carried_tests, is_test_module, new_name

MEASURE = r"""
import ast, builtins, configparser, importlib, json, os, sys, warnings
warnings.simplefilter("ignore")


def describe(value):
    if isinstance(value, type(sys)):
        return ["module", sorted(getattr(value, k) for k in dir(value) if k.startswith("T_"))]
    if callable(value):
        try:
            return ["call", value()]
        except BaseException as error:
            return ["error", type(error).__name__]
    return ["value", value]


def module_names(root, source, tops):
    found = []
    for top in tops:
        for dirpath, dirnames, filenames in os.walk(os.path.join(source, top)):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            dotted = os.path.relpath(dirpath, source).replace(os.sep, ".")
            for name in sorted(filenames):
                if name == "__init__.py":
                    found.append(dotted)
                elif name.endswith(".py"):
                    found.append(dotted + "." + name[:-3])
    found += sorted(n[:-3] for n in os.listdir(root) if n.endswith(".py"))
    return found


def type_checking(module):
    path = getattr(module, "__file__", None)
    if not path:
        return []
    tree = ast.parse(open(path, "rb").read())
    out = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                space = {"__name__": module.__name__, "__package__": module.__package__,
                         "__builtins__": builtins}
                try:
                    exec(compile(ast.Module([stmt], []), path, "exec"), space)
                except BaseException as error:
                    out.append(["failed", ast.unparse(stmt), type(error).__name__])
                    continue
                for key, value in sorted(space.items()):
                    if key not in ("__name__", "__package__", "__builtins__"):
                        out.append([key, describe(value)])
    return out


def measure(tree, tops):
    # Each module is imported on its own, in a clean state (nothing of the repo imported),
    # so that a module relying on what another happened to import first shows up.
    root, source = tree["root"], tree["source"]
    meta_before = list(sys.meta_path)
    sys.path[0:0] = [source] if source == root else [source, root]
    scripts = {n[:-3] for n in os.listdir(root) if n.endswith(".py")}
    ours = set(tops) | scripts
    out = {"import_errors": {}, "values": {}, "type_checking": {}, "aliases": {},
           "entry_points": {}, "runs": {}}

    def clean():
        for name in list(sys.modules):
            if name.split(".")[0] in ours:
                del sys.modules[name]
        sys.meta_path[:] = meta_before
        sys.path_importer_cache.clear()
        importlib.invalidate_caches()
        builtins.__dict__["RUNS"] = []

    def runs_once(where):
        counts = {}
        for token in builtins.__dict__["RUNS"]:
            counts[token] = counts.get(token, 0) + 1
        for token, count in counts.items():
            out["runs"][str(token)] = max(count, out["runs"].get(str(token), 0))
            if count > 1:
                out["import_errors"][where] = f"token {token} executed {count} times"

    for name in module_names(root, source, tops):
        clean()
        try:
            importlib.import_module(name)
        except BaseException as error:
            out["import_errors"][name] = f"{type(error).__name__}: {error}"[:300]
        runs_once(name)
    for name, tokens in tree["modules"]:
        clean()
        try:
            module = importlib.import_module(name)
        except BaseException as error:
            for token in tokens:
                out["values"][str(token)] = f"import failed: {type(error).__name__}: {error}"
            continue
        for token in tokens:
            try:
                probe = getattr(module, f"probe_{token}")()
            except BaseException as error:
                probe = f"probe failed: {type(error).__name__}: {error}"
            out["values"][str(token)] = [getattr(module, f"T_{token}", None),
                                         getattr(module, f"V_{token}", None), probe]
        out["type_checking"][name] = type_checking(module)
        runs_once(name)
    for old, new in tree["aliases"]:
        for first, second in ((old, new), (new, old)):
            clean()
            try:
                same = importlib.import_module(first) is importlib.import_module(second)
                out["aliases"][f"{first} then {second}"] = same
            except BaseException as error:
                out["aliases"][f"{first} then {second}"] = f"{type(error).__name__}: {error}"
            runs_once(f"{first} then {second}")
    config = os.path.join(root, "setup.cfg")
    if os.path.exists(config):
        parser = configparser.ConfigParser()
        parser.read(config)
        for line in parser["options.entry_points"]["console_scripts"].strip().splitlines():
            key, _, ref = (x.strip() for x in line.partition("="))
            module, _, attr = ref.partition(":")
            clean()
            try:
                out["entry_points"][key] = getattr(importlib.import_module(module), attr)()
            except BaseException as error:
                out["entry_points"][key] = f"{type(error).__name__}: {error}"
    clean()
    builtins.__dict__.pop("RUNS")
    del sys.path[0:1 if source == root else 2]
    return out


request = json.loads(sys.stdin.read())
results = [measure(tree, request["tops"]) for tree in request["trees"]]
sys.stdout.write("@@" + json.dumps(results))
"""

TOKEN = re.compile(r"^T_(\d+) = \1$", re.MULTILINE)
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONDONTWRITEBYTECODE": "1",
       "HOME": os.environ.get("HOME", "/tmp")}


def measure(trees: list[dict[str, Any]], tops: list[str]) -> list[dict[str, Any]]:
    """Values of every module of several trees, in one fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", MEASURE],
                         input=json.dumps({"trees": trees, "tops": tops}),
                         capture_output=True, text=True, env=ENV, check=False, timeout=120)
    if "@@" not in out.stdout:
        raise AssertionError(f"the measuring interpreter failed: {out.stderr[-3000:]}")
    return list(json.loads(out.stdout.rsplit("@@", 1)[1]))


def module_name(path: str, source_root: str = ".") -> str:
    if source_root != "." and path.startswith(source_root + "/"):
        path = path[len(source_root) + 1:]
    stem = path[:-3]
    return stem[: -len("/__init__")].replace("/", ".") if stem.endswith("/__init__") else (
        stem.replace("/", "."))


def tokens_by_module(files: dict[str, str | bytes], source_root: str = "."
                     ) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path, content in files.items():
        if path.endswith(".py"):
            text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
            tokens = [int(t) for t in TOKEN.findall(text.replace("\r\n", "\n"))]
            if tokens:
                found[module_name(path, source_root)] = tokens
    return found


@dataclass
class Outcome:
    applied: bool
    refused: str | None = None
    changeset: ChangeSet | None = None
    notes: list[str] = field(default_factory=list)


def predicted_paths(changeset: ChangeSet) -> set[str]:
    predicted = {c.new_path for c in changeset.changes if c.is_modified or c.kind != "rewrite"}
    predicted |= {c.old_path for c in changeset.changes if c.kind == "move" and c.old_path}
    predicted |= {p for c in changeset.changes for p in c.merged_from}
    return predicted


def _digest(root: Path) -> dict[str, str]:
    return {p: d for p, d in tree_digest(root).items() if "__pycache__" not in p}


def round_trip(base: Path, files: dict[str, str | bytes], moves: list[tuple[str, str]], *,
               facades: bool, tops: list[str], git: bool = False,
               may_refuse: bool = False, refusal: str | None = None,
               source_root: str = ".") -> Outcome:
    """Apply `moves` to a repo made of `files` and check every property (see module doc).
    `may_refuse`: the plan is one the engine may rightly refuse (tree left untouched);
    `refusal`: validation must refuse it with a message containing this."""
    if base.exists():
        shutil.rmtree(base)
    before_dir, work = base / "before", base / "work"
    for root in (before_dir, work):
        root.mkdir(parents=True)
        write_files(root, files)
    if git:
        git_init(work)
    plan_path = write_plan(base / "plan.toml", moves, packages=tops, facades=facades,
                           source_root=source_root)
    stats.bump("round trips")

    try:
        workspace = Workspace.open(work, plan_path)
        problems = workspace.check()
    except InvalidPlan as error:  # refused by the plan's own checks, before the repo's
        problems = list(error.problems)
    digest_before = _digest(work)
    if refusal is not None:
        assert any(refusal in str(p) for p in problems), (
            f"validation should refuse ({refusal}): {[str(p) for p in problems]}")
        for command in ("diff", "apply"):
            result = run(command, plan_path, "--repo", work)
            assert result.code == 2 and refusal in result.err, result.err
            assert "Traceback" not in result.err
        assert _digest(work) == digest_before, "a refused apply changed the tree"
        stats.bump("unsafe plans refused")
        return Outcome(False, refused=refusal)
    assert not problems, f"a valid plan was refused: {[str(p) for p in problems]}"
    try:
        changeset = preview(workspace, build_graph(workspace.repo))
    except ApplyError as error:
        refusal = str(error)
        applied = run("apply", plan_path, "--repo", work)
        assert applied.code == 2 and "Traceback" not in applied.err, applied.err
        assert _digest(work) == digest_before, "a refused apply changed the tree"
        assert may_refuse, f"the engine refused a plan it must apply: {refusal}"
        return Outcome(False, refused=refusal)

    diff = run("diff", plan_path, "--repo", work, "--stat", "--json")
    assert diff.code == 0, diff.err
    listed = {(f["kind"], f["old_path"], f["new_path"]) for f in json.loads(diff.out)["files"]}
    assert listed == {(c.kind, c.old_path, c.new_path) for c in changeset.changes}

    result = apply_plan(Workspace.open(work, plan_path), ApplyOptions(plan_path=plan_path))
    assert result.verify is not None
    report = result.verify
    assert report.ok, report.render()

    # diff predicted exactly what apply wrote
    digest_after = _digest(work)
    changed = {p for p in digest_before.keys() | digest_after.keys()
               if digest_before.get(p) != digest_after.get(p)}
    assert changed == predicted_paths(changeset), (
        f"apply wrote {sorted(changed - predicted_paths(changeset))} unannounced, did not "
        f"write {sorted(predicted_paths(changeset) - changed)}")
    for change in changeset.changes:
        assert (work / change.new_path).read_bytes() == change.new_bytes, change.new_path
    for directory in changeset.removed_dirs:
        assert not (work / directory).exists(), directory

    # values before and after, one interpreter
    tokens = tokens_by_module(files, source_root)
    packages = [module_name(p, source_root) for p in files if p.endswith("/__init__.py")]
    moves = moves + carried_tests(moves, tokens, packages)
    after_modules: dict[str, list[int]] = defaultdict(list)
    for name, group in tokens.items():
        after_modules[new_name(name, moves)].extend(group)
    aliases = ([[old, new_name(old, moves)] for old in tokens
                if new_name(old, moves) != old and not is_test_module(old)]
               if facades else [])
    before, after = measure([
        {"root": str(before_dir), "source": str(before_dir / source_root),
         "modules": sorted(tokens.items()), "aliases": []},
        {"root": str(work), "source": str(work / source_root),
         "modules": sorted(after_modules.items()), "aliases": aliases},
    ], tops)
    assert not before["import_errors"], f"generator bug: {before['import_errors']}"
    assert not after["import_errors"], f"no longer imports: {after['import_errors']}"
    for token, value in before["values"].items():
        assert after["values"].get(token) == value, (
            f"module with token {token} changed: {value} -> {after['values'].get(token)}")
    assert after["entry_points"] == before["entry_points"]
    assert set(after["runs"]) == set(before["runs"])
    for old, same in after["aliases"].items():
        assert same is True, f"facade {old}: {same}"
    home = {token: name for name, group in after_modules.items() for token in group}

    def merged(items: list[Any]) -> list[Any]:
        """Modules named by where their tokens live after the plan (a merged package
        holds the tokens of both)."""
        return sorted(json.dumps([key, ["module", sorted({home[t] for t in value[1]})]]
                                 if value[0] == "module" else [key, value])
                      for key, value, *_ in items
                      # `import a.b` binds its root, which may change, or an alias
                      if key not in tops and not key.startswith("_"))

    for name in after_modules:
        olds = [o for o in tokens if new_name(o, moves) == name]
        expected = merged([item for o in olds for item in before["type_checking"][o]])
        got = merged(after["type_checking"][name])
        assert got == expected, f"TYPE_CHECKING imports of {name} changed: {expected} -> {got}"

    # our own graph check: old edges mapped through the plan, facades left out
    old_graph = build_graph(Repo(before_dir, source_root=source_root, packages=tops),
                            use_cache=False)
    new_repo = Repo(work, source_root=source_root, packages=tops)
    new_graph = build_graph(new_repo, use_cache=False)
    facade_names = {
        name for name, module in new_repo.modules.items()
        if module.path.endswith(".py") and facade_module.read_marker(
            (work / module.path).read_bytes()) is not None}
    expected_edges = {(new_name(a, moves), new_name(b, moves)) for a, b in old_graph.edges()}
    implicit = {(new_name(a, moves), new_name(b.rsplit(".", i)[0], moves))
                for a, b in old_graph.edges() for i in range(1, b.count(".") + 1)}
    actual = {(a, b) for a, b in new_graph.edges()
              if a not in facade_names and b not in facade_names}
    lost = {e for e in expected_edges - actual if e[0] != e[1]}
    added = {e for e in actual - expected_edges - implicit if e[0] != e[1]}
    assert not lost and not added, f"import graph: lost {sorted(lost)}, added {sorted(added)}"

    # a second apply changes nothing
    try:
        apply_plan(Workspace.open(work, plan_path), ApplyOptions(plan_path=plan_path, verify=False))
    except AlreadyApplied:
        pass
    else:
        raise AssertionError("a second apply did not say the plan was already applied")
    assert _digest(work) == digest_after
    stats.bump("examples applied and compared")
    return Outcome(True, changeset=changeset)
