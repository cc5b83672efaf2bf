"""Analysis on sample_repo/: suggest's figures checked against independent computations,
edges against a brute-force scan of the import statements, and check as a CI gate
(with its import-linter twin run through the real lint-imports)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from pyagent_workbench import statedir
from pyagent_workbench.analysis.graph import ImportGraph, build_graph
from pyagent_workbench.analysis.units import build_units
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.repo import Repo
from support.cli import run
from support.repos import SAMPLE_REPO, copy_sample, make_repo, tree_digest
from test_metrics import reference_turbomq

# -- references, written from the definitions -------------------------------------------------


def reference_mojo(a: dict[str, str], b: dict[str, str]) -> int:
    """MoJo through a general maximum-weight matching: sending A-cluster i to group j
    saves |A_i ∩ B_j| moves, and each distinct group used saves one join."""
    objects = sorted(set(a) & set(b))
    overlap: dict[tuple[str, str], int] = defaultdict(int)
    for obj in objects:
        overlap[(a[obj], b[obj])] += 1
    best = {i: max(v for (x, _), v in overlap.items() if x == i) for i in {a[o] for o in objects}}
    graph = nx.Graph()
    for (i, j), v in overlap.items():
        gain = v + 1 - best[i]
        if gain > 0:
            graph.add_edge(("a", i), ("b", j), weight=gain)
    matching = nx.max_weight_matching(graph)
    groups = sum(graph[u][v]["weight"] for u, v in matching)
    return (len(objects) - sum(best.values())) + (len(best) - groups)


def reference_mojofm(a: dict[str, str], b: dict[str, str]) -> float:
    objects = sorted(set(a) & set(b))
    sizes = sorted((sum(1 for o in objects if b[o] == c) for c in {b[o] for o in objects}),
                   reverse=True)
    groups = 0
    for size in sizes:
        groups += size > groups
    return (1 - reference_mojo(a, b) / (len(objects) - groups)) * 100


def assignment(plan: Plan) -> dict[str, str]:
    return {m.source: m.tier for m in plan.moves if m.tier}


def unit_digraph(repo: Path, units: list[str]) -> nx.DiGraph:
    """Unit-level import graph built from scratch from grimp's statements."""
    graph = build_graph(Repo(repo), use_cache=False)
    by_length = sorted(units, key=len, reverse=True)

    def unit_of(module: str) -> str | None:
        # A colocated test (x_test.py, test_x.py) belongs to the unit it tests: it moves too.
        parent, _, last = module.rpartition(".")
        if last.endswith("_test") or last.startswith("test_"):
            owner = f"{parent}.{last.removesuffix('_test').removeprefix('test_')}"
            if owner in units:
                module = owner
        return next((u for u in by_length if module == u or module.startswith(u + ".")), None)

    result = nx.DiGraph()
    result.add_nodes_from(units)
    for record in graph.imports:
        a, b = unit_of(record.importer), unit_of(record.imported)
        if a and b and a != b:
            weight = result.get_edge_data(a, b, {"weight": 0})["weight"]
            result.add_edge(a, b, weight=weight + 1)
    return result


# -- suggest ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def suggested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("suggest") / "draft.toml"
    result = run("suggest", SAMPLE_REPO, "--tiers", "5", "--compare",
                 SAMPLE_REPO / "phase1.toml", "-o", out)
    assert result.code == 0, result.err
    return out, result.out


def test_suggest_writes_a_valid_draft_with_the_target_tier_count(
        suggested: tuple[Path, str]) -> None:
    path, _ = suggested
    plan = Plan.load(path)
    assert plan.status == "draft"
    by_container = defaultdict(set)
    for tier in plan.tiers:
        by_container[tier.package.rpartition(".")[0]].add(tier.name)
    assert {c: len(t) for c, t in by_container.items()} == {
        "src.infrastructure": 5, "src.core.base": 5}
    placed = {m.source for m in plan.moves}
    infra = {p.name for p in (SAMPLE_REPO / "src/infrastructure").iterdir()
             if (p / "__init__.py").exists()}
    assert {f"src.infrastructure.{n}" for n in infra} <= placed
    assert all(t.layer is not None for t in plan.tiers)
    copy = path.parent / "repo"
    shutil.copytree(SAMPLE_REPO, copy)
    shutil.copy(path, copy / "draft.toml")
    assert run("diff", copy / "draft.toml", "--stat").code == 0


def test_suggest_figures_match_independent_computations(suggested: tuple[Path, str]) -> None:
    path, printed = suggested
    plan = Plan.load(path)
    figures = plan.figures
    tiers = assignment(plan)
    graph = unit_digraph(SAMPLE_REPO, sorted(tiers))
    communities = defaultdict(set)
    for unit, tier in tiers.items():
        communities[tier].add(unit)
    modularity = nx.community.modularity(graph, list(communities.values()), weight="weight")
    assert figures["modularity"] == pytest.approx(modularity, abs=1e-4)
    weights = {(a, b): d["weight"] for a, b, d in graph.edges(data=True)}
    assert figures["turbomq"] == pytest.approx(reference_turbomq(weights, tiers), abs=1e-4)
    phase1 = assignment(Plan.load(SAMPLE_REPO / "phase1.toml"))
    mine = {u: tiers.get(u, f"stays:{u}") for u in phase1}
    assert figures["mojofm"] == pytest.approx(reference_mojofm(mine, phase1), abs=0.01)
    for key in ("cross_tier_edges", "upward_edges", "tier_cycles", "modularity", "turbomq",
                "mojofm", "adjusted_rand"):
        assert f"{key}: {figures[key]}" in printed


def test_suggest_is_deterministic(suggested: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = suggested
    again = tmp_path / "again.toml"
    assert run("suggest", SAMPLE_REPO, "--tiers", "5", "--compare",
               SAMPLE_REPO / "phase1.toml", "-o", again).code == 0
    assert again.read_text() == path.read_text()


def test_suggest_reads_the_words_unless_a_resolution_asks_for_the_graph_alone(
        suggested: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = suggested
    assert "spectral(imports+words" in str(Plan.load(path).figures["method"])
    out = tmp_path / "graph-only.toml"
    result = run("suggest", SAMPLE_REPO, "--tiers", "5", "--resolution", "1.0", "-o", out)
    assert result.code == 0, result.err
    method = str(Plan.load(out).figures["method"])
    assert "louvain(resolution=1.0" in method and "spectral" not in method


# -- edges -----------------------------------------------------------------------------------


def brute_force_edges(repo: Path, plan: Plan) -> set[tuple[str, str, int]]:
    """Every import statement between modules of two different tiers, from `ast`."""
    modules: dict[str, Path] = {}
    for path in (repo / "src").rglob("*.py"):
        parts = list(path.relative_to(repo).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path

    def target(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    tier_of_source = assignment(plan)

    def tier(module: str) -> str | None:
        parent, _, last = module.rpartition(".")
        if last.endswith("_test") or last.startswith("test_"):  # travels with its module
            owner = f"{parent}.{last.removesuffix('_test').removeprefix('test_')}"
            if owner in tier_of_source:
                module = owner
        for source, name in tier_of_source.items():
            if module == source or module.startswith(source + "."):
                return name
        return None

    found = set()
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_bytes())):
            imported: list[str] = []
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    imported.append(full if full in modules else base)
            for name in imported:
                resolved = target(name)
                if resolved and resolved != module:
                    a, b = tier(module), tier(resolved)
                    if a and b and a != b:
                        found.add((module, resolved, node.lineno))
    return found


def test_edges_json_lists_every_cross_tier_import_and_the_cycle() -> None:
    result = run("edges", SAMPLE_REPO / "phase1.toml", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    plan = Plan.load(SAMPLE_REPO / "phase1.toml")
    listed = {(e["importer"], e["imported"], e["line"]) for e in data["edges"]}
    assert listed == brute_force_edges(SAMPLE_REPO, plan)
    for edge in data["edges"]:
        source = (SAMPLE_REPO / edge["path"]).read_text().splitlines()[edge["line"] - 1]
        assert edge["text"].split()[0] in source
        assert edge["direction"] in ("up", "down", "sideways")
    cycle = next(c for c in data["cycles"] if {"engine", "compute"} <= set(c["tiers"]))
    assert cycle["breaker_imports"]
    for breaker in cycle["breaker_imports"]:
        assert any(e["importer"] == breaker["importer"] and e["imported"] == breaker["imported"]
                   and e["in_cycle"] for e in data["edges"])
    assert data["summary"]["cross_tier_edges"] == len({(e["importer"], e["imported"])
                                                        for e in data["edges"]})


# -- check -----------------------------------------------------------------------------------


def accept_everything(plan_path: Path) -> None:
    data = json.loads(run("edges", plan_path, "--json").out)
    plan = Plan.load(plan_path)
    for edge in data["edges"]:
        plan.set_review(edge["importer"], edge["imported"], "accepted", "existing import")
    plan.save()


def test_check_fails_on_a_new_cross_tier_import_until_it_is_accepted(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path / "sample")
    plan = repo / "phase1.toml"
    assert run("check", plan).code == 1  # nothing reviewed yet
    accept_everything(plan)
    ok = run("check", plan)
    assert ok.code == 0, ok.out
    assert "check passed" in ok.out
    target = repo / "src/infrastructure/cuda/device.py"
    target.write_text(target.read_text() + "\nfrom src.infrastructure.fleet import health  # new\n")
    failed = run("check", plan)
    assert failed.code == 1
    assert ("src/infrastructure/cuda/device.py:" in failed.out
            and "src.infrastructure.cuda.device -> src.infrastructure.fleet.health" in failed.out)
    Plan.load(plan).set_review("src.infrastructure.cuda.device", "src.infrastructure.fleet.health",
                               "accepted", "reviewed")
    reviewed = Plan.load(plan)
    reviewed.set_review("src.infrastructure.cuda.device", "src.infrastructure.fleet.health",
                        "accepted", "reviewed")
    reviewed.save()
    assert run("check", plan).code == 0


def test_check_after_the_plan_is_applied_and_its_import_linter_contract(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path / "sample", approved=True)
    plan = repo / "phase1.toml"
    assert run("apply", plan, "--no-verify").code == 0
    after = run("check", plan)
    assert after.code == 0, after.out
    contract = run("check", plan, "--format", "import-linter")
    assert contract.code == 0
    assert "type = layers" in contract.out
    (repo / ".importlinter").write_text(contract.out)
    lint = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=repo,
        capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(repo)})
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "Contracts: 1 kept, 0 broken." in lint.stdout
    target = repo / "src/infrastructure/compute/cuda/device.py"
    target.write_text(target.read_text() +
                      "\nfrom src.infrastructure.swarm.fleet import health  # new\n")
    broken = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=repo,
        capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(repo)})
    assert broken.returncode == 1
    assert run("check", plan).code == 1


# -- errors, never tracebacks -----------------------------------------------------------------


def test_clear_errors_on_a_repo_without_python_packages(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "empty", {"README.md": "nothing here\n"})
    (repo / "plan.toml").write_text('schema = 1\nstatus = "draft"\n')
    for args in (["suggest", repo], ["edges", repo / "plan.toml"],
                 ["check", repo / "plan.toml"], ["diff", repo / "plan.toml"]):
        result = run(*args)
        assert result.code == 2, args
        assert result.err.startswith("error: no Python package found"), result.err
        assert "Traceback" not in result.err


def test_plan_naming_modules_that_do_not_exist(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path / "sample", git_repo=False)
    plan = Plan.load(repo / "phase1.toml")
    plan.set_move("src.infrastructure.nowhere", "src.infrastructure.engine.nowhere", "engine")
    plan.save()
    for command in ("edges", "check", "diff"):
        result = run(command, repo / "phase1.toml")
        assert result.code == 2
        assert "source 'src.infrastructure.nowhere' is not a module of the repo" in result.err


def test_a_syntax_error_is_reported_and_the_rest_analysed(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path / "sample", git_repo=False)
    broken = repo / "src/infrastructure/rag/broken_module.py"
    broken.write_text("def oops(:\n    pass\n")
    before = tree_digest(repo)
    for command in ("edges", "check"):
        result = run(command, repo / "phase1.toml")
        assert result.code in (0, 1), result.err
        assert ("warning: src/infrastructure/rag/broken_module.py:1: syntax error"
                in result.err), result.err
        assert "src.infrastructure" in result.out
    suggest = run("suggest", repo, "--tiers", "4")
    assert suggest.code == 0 and "syntax error" in suggest.err
    assert tree_digest(repo) == before


def test_dunder_modules_stay_with_their_package(tmp_path: Path) -> None:
    """`python -m pkg` runs `pkg/__main__.py`: the suggestion must never move it (nor
    `__about__` and its kind) into a tier; they are not units."""
    files: dict[str, str | bytes] = {"pkg/__init__.py": "", "pkg/__about__.py": "V = 1\n",
                                     "pkg/__main__.py": "from pkg import cli\ncli.main()\n",
                                     "pkg/cli.py": "from pkg import core\n\n\ndef main():\n"
                                                   "    return core.X\n"}
    for index in range(6):
        files[f"pkg/mod{index}.py"] = f"from pkg import core\nY{index} = core.X\n"
    files["pkg/core.py"] = "X = 1\n"
    repo = make_repo(tmp_path / "repo", files)
    graph = build_graph(Repo(repo, source_root=".", packages=["pkg"]), use_cache=False)
    units = build_units(graph, ["pkg"])
    assert "pkg.__main__" not in units.units and "pkg.__about__" not in units.units
    assert "pkg.cli" in units.units
    result = run("suggest", repo, "-o", repo / "plan.toml")
    assert result.code == 0, result.err
    plan = Plan.load(repo / "plan.toml")
    assert not [m for m in plan.moves if "__" in m.source], plan.moves


def test_a_public_test_module_is_a_unit_and_test_files_are_not(tmp_path: Path) -> None:
    """Only tests are left out, by pytest's names and by the folders that hold them:
    werkzeug's public `werkzeug.test` client (a module) and Django's `django.test`
    package of helpers are code, and count among their package's children; `tests`,
    a `testing` package holding test files, `test_*` and `*_test` modules are not."""
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "", "pkg/core.py": "X = 1\n",
        "pkg/test.py": "from pkg import core\n\n\nclass Client:\n    x = core.X\n",
        "pkg/helpers/__init__.py": "", "pkg/helpers/test/__init__.py": "",
        "pkg/helpers/test/client.py": "from pkg import core\n",
        "pkg/tests/__init__.py": "", "pkg/tests/helpers.py": "",
        "pkg/testing/__init__.py": "", "pkg/testing/test_core.py": "from pkg import core\n",
        "pkg/test_core.py": "from pkg import core\n", "pkg/core_test.py": "",
    }
    for index in range(6):
        files[f"pkg/mod{index}.py"] = f"from pkg import test\nY{index} = test.Client\n"
    repo = make_repo(tmp_path / "repo", files)
    graph = build_graph(Repo(repo, source_root=".", packages=["pkg"]), use_cache=False)
    units = build_units(graph, None)
    assert units.containers == ["pkg"]
    assert {"pkg.test", "pkg.helpers", "pkg.core"} <= set(units.units)
    assert "pkg.helpers.test.client" in units.units["pkg.helpers"].modules
    assert not {"pkg.tests", "pkg.testing", "pkg.test_core", "pkg.core_test"} & set(units.units)
    assert units.units["pkg.core"].modules == ("pkg.core", "pkg.core_test", "pkg.test_core")
    result = run("suggest", repo, "-o", repo / "plan.toml")
    assert result.code == 0, result.err
    plan = Plan.load(repo / "plan.toml")
    assert any(m.source == "pkg.test" and m.tier for m in plan.moves), plan.moves


# -- caches under the tool's folder ------------------------------------------------------------


def _same_graph(a: ImportGraph, b: ImportGraph) -> bool:
    return (a.modules, a.imports, a.syntax_errors) == (b.modules, b.imports, b.syntax_errors)


def add_an_import(repo_path: Path) -> None:
    """`agent_history` imports `shell_executor` from now on (with a new mtime)."""
    changed = repo_path / "src/core/base/agent_history.py"
    changed.write_text(changed.read_text() + "\nfrom src.core.base import shell_executor\n")
    stamp = changed.stat().st_mtime + 10
    os.utime(changed, (stamp, stamp))


def test_the_graph_is_cached_until_a_module_file_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyagent_workbench.analysis import graph as graph_module

    repo_path = copy_sample(tmp_path / "sample", git_repo=False)
    (repo_path / "src/infrastructure/rag/broken_module.py").write_text("def oops(:\n")
    repo = Repo(repo_path)
    fresh = build_graph(repo, use_cache=False)
    first = build_graph(repo)
    assert _same_graph(first, fresh) and first.syntax_errors
    assert (repo.state_dir / statedir.GRAPH_CACHE).is_file()

    def no_scan(*args: object) -> None:
        raise AssertionError("the graph was built again")

    with monkeypatch.context() as patch:
        patch.setattr(graph_module, "_build", no_scan)
        assert _same_graph(build_graph(Repo(repo_path)), fresh)

    # A changed module file (a new modification time) is scanned again.
    add_an_import(repo_path)
    again = build_graph(Repo(repo_path))
    assert _same_graph(again, build_graph(Repo(repo_path), use_cache=False))
    assert any(r.importer == "src.core.base.agent_history"
               and r.imported == "src.core.base.shell_executor" for r in again.imports)

    # A cache file that is not what the tool writes is ignored, never trusted.
    cache = repo.state_dir / statedir.GRAPH_CACHE
    key = json.loads(cache.read_text())["key"]
    for junk in ("not json", "[]", json.dumps({"key": key, "modules": [1], "imports": [],
                                               "syntax_errors": []}),
                 json.dumps({"key": key, "modules": [], "imports": [["a", "b"]],
                             "syntax_errors": []})):
        cache.write_text(junk)
        assert _same_graph(build_graph(Repo(repo_path)), again)


def test_a_second_suggestion_reuses_the_clustering_until_the_graph_or_the_words_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyagent_workbench.analysis import lexical, spectral

    repo_path = copy_sample(tmp_path / "sample", git_repo=False)
    first = run("suggest", repo_path, "--tiers", "4", "-o", tmp_path / "first.toml")
    assert first.code == 0, first.err
    assert (repo_path / ".pyagent-workbench" / statedir.CLUSTER_CACHE).is_file()
    calls = [0, 0]
    embed, read = spectral.embed, lexical.read_source

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return embed(*args, **kwargs)

    def counted_read(*args: Any, **kwargs: Any) -> Any:
        calls[1] += 1
        return read(*args, **kwargs)

    monkeypatch.setattr(spectral, "embed", counted)
    monkeypatch.setattr(lexical, "read_source", counted_read)
    second = run("suggest", repo_path, "--tiers", "4", "-o", tmp_path / "second.toml")
    assert second.code == 0, second.err
    assert calls == [0, 0]  # not clustered again, and no file read for its words
    assert (tmp_path / "second.toml").read_text() == (tmp_path / "first.toml").read_text()

    # Other options, other weights or other words are clustered again.
    assert run("suggest", repo_path, "--tiers", "3", "-o", tmp_path / "third.toml").code == 0
    assert calls[0] > 0 and calls[1] > 0
    calls[0] = 0
    add_an_import(repo_path)
    assert run("suggest", repo_path, "--tiers", "3", "-o", tmp_path / "fourth.toml").code == 0
    assert calls[0] > 0
    calls[0] = 0
    assert run("suggest", repo_path, "--tiers", "3", "-o", tmp_path / "fourth.toml").code == 0
    assert calls[0] == 0
    changed = repo_path / "src/core/base/agent_history.py"
    changed.write_text(changed.read_text() + '\n"""Words only: no import changed."""\n')
    stamp = changed.stat().st_mtime + 20
    os.utime(changed, (stamp, stamp))
    assert run("suggest", repo_path, "--tiers", "3", "-o", tmp_path / "fourth.toml").code == 0
    assert calls[0] > 0

    # A damaged cache is ignored: the answer is the one computed without it.
    cache = repo_path / ".pyagent-workbench" / statedir.CLUSTER_CACHE
    cache.unlink()
    assert run("suggest", repo_path, "--tiers", "4", "-o", tmp_path / "fifth.toml").code == 0
    entries = json.loads(cache.read_text())
    assert entries
    for junk in ({k: [1, 2, 3] for k in entries}, {k: ["m", [["x"]], 0.5] for k in entries},
                 []):
        cache.write_text(json.dumps(junk))
        result = run("suggest", repo_path, "--tiers", "4", "-o", tmp_path / "sixth.toml")
        assert result.code == 0, result.err
        assert (tmp_path / "sixth.toml").read_text() == (tmp_path / "fifth.toml").read_text()
