"""The library-level workloads the runner measures, each run in a fresh process:

    python -m benchmarks.workload analysis REPO
        graph + units + suggestion + metrics (the workbench's startup minus the UI)
    python -m benchmarks.workload metric-move REPO [--moves 60]
        one unit's move: `PlanView.move_unit` (plan edit + figures) and `PlanMetrics.move`
    python -m benchmarks.workload preview REPO PLAN SOURCE
        `engine.preview(workspace, graph, only=[SOURCE], jobs=1, sweep=False)`: the
        TUI's diff pane, called as the workbench calls it

Each prints one JSON line of timings (seconds).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path


def analysis(repo_path: Path) -> dict[str, object]:
    start = time.perf_counter()
    from pyagent_workbench.analysis.graph import build_graph
    from pyagent_workbench.analysis.planview import PlanView
    from pyagent_workbench.analysis.suggest import suggest
    from pyagent_workbench.analysis.units import build_units
    from pyagent_workbench.repo import Repo

    imported = time.perf_counter()
    repo = Repo(repo_path)
    graph = build_graph(repo)
    graphed = time.perf_counter()
    package_names = {n for n, m in repo.modules.items() if m.is_package}
    units = build_units(graph, None, package_names)
    united = time.perf_counter()
    suggestion = suggest(repo, graph)
    suggested = time.perf_counter()
    # The workbench starts from the suggestion's own view, as `Session.open` does.
    view = suggestion.view or PlanView(repo, graph, suggestion.plan, units=units)
    figures = view.metrics.figures()
    edges = len(view.cross_tier_edges)
    done = time.perf_counter()
    return {
        "imports": imported - start, "graph": graphed - imported, "units": united - graphed,
        "suggest": suggested - united, "view_and_figures": done - suggested,
        "total": done - start, "modules": len(graph.modules), "import_statements":
        len(graph.imports), "units_count": len(units.units), "tiers": len(suggestion.tiers),
        "cross_tier_edges": edges, "modularity": round(figures.modularity, 4),
    }


def metric_move(repo_path: Path, moves: int) -> dict[str, object]:
    from pyagent_workbench.analysis.graph import build_graph
    from pyagent_workbench.analysis.planview import PlanView
    from pyagent_workbench.analysis.suggest import suggest
    from pyagent_workbench.repo import Repo

    repo = Repo(repo_path)
    graph = build_graph(repo)
    suggestion = suggest(repo, graph)
    view = PlanView(repo, graph, suggestion.plan)
    tiers = [t.name for t in suggestion.tiers]
    units = sorted(u for u in view.units.units if view.tiermap.tier_of(u))
    step = max(1, len(units) // moves)
    view_times: list[float] = []
    metric_times: list[float] = []
    for i, unit in enumerate(units[::step][:moves]):
        container = view.units.units[unit].container
        options = [t.name for t in suggestion.tiers if t.container == container]
        current = view.tiermap.tier_of(unit)
        target = next((t for t in options[i % len(options):] + options if t != current), None)
        if target is None:
            continue
        t0 = time.perf_counter()
        view.move_unit(unit, target)
        figures = view.metrics.figures()
        t1 = time.perf_counter()
        view_times.append(t1 - t0)
        t0 = time.perf_counter()
        view.metrics.move(unit, current)
        view.metrics.figures()
        t1 = time.perf_counter()
        metric_times.append(t1 - t0)
        view.metrics.move(unit, target)
    return {
        "modules": len(graph.modules), "units_count": len(view.units.units),
        "tiers": len(tiers), "moves": len(view_times),
        "move_unit_median": statistics.median(view_times), "move_unit_max": max(view_times),
        "metrics_move_median": statistics.median(metric_times),
        "metrics_move_max": max(metric_times), "last_modularity": round(figures.modularity, 4),
    }


def preview_one(repo_path: Path, plan_path: Path, source: str) -> dict[str, object]:
    start = time.perf_counter()
    from pyagent_workbench.analysis.graph import build_graph

    # The rewrite's modules (libcst), which the workbench imports once its board is up.
    from pyagent_workbench.rewrite import statements  # noqa: F401
    from pyagent_workbench.rewrite.engine import preview
    from pyagent_workbench.workspace import Workspace

    workspace = Workspace.open(repo_path, plan_path)
    graph = build_graph(workspace.repo)
    _ = workspace.mapping
    ready = time.perf_counter()
    changeset = preview(workspace, graph, only=[source], jobs=1, sweep=False)
    done = time.perf_counter()
    summary = changeset.summary
    return {"setup": ready - start, "preview": done - ready,
            "files_rewritten": summary.files_rewritten, "files_moved": summary.files_moved,
            "imports_changed": summary.imports_changed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("analysis")
    one.add_argument("repo", type=Path)
    two = sub.add_parser("metric-move")
    two.add_argument("repo", type=Path)
    two.add_argument("--moves", type=int, default=60)
    three = sub.add_parser("preview")
    three.add_argument("repo", type=Path)
    three.add_argument("plan", type=Path)
    three.add_argument("source")
    args = parser.parse_args(argv)
    if args.what == "analysis":
        result = analysis(args.repo)
    elif args.what == "metric-move":
        result = metric_move(args.repo, args.moves)
    else:
        result = preview_one(args.repo, args.plan, args.source)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
