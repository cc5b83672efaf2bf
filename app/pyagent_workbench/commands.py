"""Use cases behind the CLI commands; each returns the process exit status."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.workspace import Workspace

if TYPE_CHECKING:
    from pyagent_workbench.analysis.planview import PlanView


class NotYetAvailable(WorkbenchError):
    """A command whose capability has not landed in this version."""


def _not_yet(what: str) -> int:
    raise NotYetAvailable(f"'{what}' is not available in this version of pyagent-workbench yet")


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def open_workspace(plan_path: Path, repo_path: Path | None) -> Workspace:
    """The plan and its repo (by default the directory the plan is in)."""
    repo = repo_path if repo_path is not None else plan_path.resolve().parent
    return Workspace.open(repo, plan_path)


def run_diff(args: argparse.Namespace) -> int:
    from pyagent_workbench.analysis.graph import build_graph
    from pyagent_workbench.rewrite import diff as render
    from pyagent_workbench.rewrite.apply import applied_state, record_last_diff
    from pyagent_workbench.rewrite.engine import preview

    workspace = open_workspace(args.plan, args.repo)
    if applied_state(workspace) == "all":
        _out("this plan is already applied: nothing to change")
        return 0
    workspace.require_valid()
    graph = build_graph(workspace.repo)
    changeset = preview(workspace, graph,
                        facades_enabled=False if args.no_facades else None)
    record_last_diff(workspace, changeset)
    if args.json:
        _out(json.dumps(render.as_json(changeset), indent=2))
    elif args.stat:
        _out(render.render_stat(changeset))
    else:
        _out(render.render_diff(changeset))
    return 0


def run_apply(args: argparse.Namespace) -> int:
    from pyagent_workbench.rewrite import diff as render
    from pyagent_workbench.rewrite.apply import AlreadyApplied, apply_plan

    workspace = open_workspace(args.plan, args.repo)
    try:
        result = apply_plan(
            workspace,
            facades_enabled=False if args.no_facades else None,
            allow_dirty=args.allow_dirty,
            force=args.force,
            verify=not args.no_verify,
            run_tests=args.run_tests,
            plan_path=args.plan,
            progress=_progress if sys.stderr.isatty() else None,
            notice=lambda text: print(f"note: {text}", file=sys.stderr),
        )
    except AlreadyApplied as done:
        _out(str(done))
        return 0
    for warning in result.changeset.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _out("applied." + render.render_summary(result.changeset))
    if result.tests:
        _out(f"tests after the apply: {result.tests}")
    if result.verify is not None:
        _out(result.verify.render())  # type: ignore[attr-defined]
        return 0 if result.verify.ok else 1  # type: ignore[attr-defined]
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from pyagent_workbench.rewrite.verify import verify

    workspace = open_workspace(args.plan, args.repo)
    print("note: verify imports every module: this executes the repo's code", file=sys.stderr)
    report = verify(workspace)
    if args.json:
        _out(json.dumps(report.as_json(), indent=2))
    else:
        _out(report.render())
    return 0 if report.ok else 1


def run_recover(args: argparse.Namespace) -> int:
    from pyagent_workbench.rewrite.apply import recover

    root = args.path.resolve()
    if not root.is_dir():
        raise WorkbenchError(f"not a directory: {args.path}")
    if recover(root):
        _out(f"recovered: {root} is back to its state before the interrupted apply")
    else:
        _out("nothing to recover (no journal of an interrupted apply)")
    return 0


def _progress(step: str, done: int, total: int) -> None:
    sys.stderr.write(f"\r{step}: {done}/{total}   ")
    sys.stderr.flush()
    if done >= total:
        sys.stderr.write("\n")


def _warn_syntax(graph: object) -> None:
    for problem in getattr(graph, "syntax_errors", []):
        print(f"warning: {problem} (file left out of the analysis)", file=sys.stderr)


def analysis_view(plan_path: Path, repo_path: Path | None) -> PlanView:
    """The plan over today's import graph, for `edges` and `check` (which also run after
    the plan has been applied, when its sources are gone)."""
    from pyagent_workbench.analysis.graph import build_graph
    from pyagent_workbench.analysis.planview import PlanView
    from pyagent_workbench.rewrite.apply import applied_state

    workspace = open_workspace(plan_path, repo_path)
    if applied_state(workspace) == "none":
        workspace.require_valid()
    graph = build_graph(workspace.repo)
    _warn_syntax(graph)
    return PlanView(workspace.repo, graph, workspace.plan)


def run_suggest(args: argparse.Namespace) -> int:
    from pyagent_workbench.analysis.graph import build_graph
    from pyagent_workbench.analysis.planview import PlanView
    from pyagent_workbench.analysis.suggest import compare_with, suggest
    from pyagent_workbench.model.plan import Plan
    from pyagent_workbench.repo import Repo

    if args.tiers is not None and args.tiers < 1:
        raise WorkbenchError("--tiers must be at least 1")
    repo = Repo(args.path)
    graph = build_graph(repo)
    _warn_syntax(graph)
    result = suggest(repo, graph, tiers=args.tiers, resolution=args.resolution,
                     seed=args.seed, containers=args.container)
    if not result.tiers:
        raise WorkbenchError(
            "no container with at least two units found; name one with --container PKG")
    if args.compare is not None:
        reference = Plan.load(args.compare)
        view = PlanView(repo, graph, result.plan)
        result.comparison = compare_with(result, view, reference)
    figures = {
        "method": ", ".join(f"{c}: {m}" for c, m in sorted(result.methods.items())),
        "seed": args.seed,
        **({"target_tiers": args.tiers} if args.tiers else {}),
        **result.record(),
    }
    result.plan.set_figures(figures)
    if args.output is not None:
        result.plan.save(args.output)
    if args.json:
        _out(json.dumps({
            "schema": 1,
            "figures": figures,
            "tiers": [{"name": t.name, "container": t.container, "layer": t.layer,
                       "members": t.members} for t in result.tiers],
            "plan": str(args.output) if args.output else None,
        }, indent=2))
        return 0
    for tier in result.tiers:
        members = ", ".join(names_last(m) for m in tier.members)
        _out(f"{tier.container}.{tier.name} (layer {tier.layer}): {members}")
    _out("")
    for key, value in figures.items():
        _out(f"{key}: {value}")
    if args.output is not None:
        _out(f"\ndraft plan written to {args.output}")
    return 0


def names_last(name: str) -> str:
    return name.rpartition(".")[2]


def run_edges(args: argparse.Namespace) -> int:
    view = analysis_view(args.plan, args.repo)
    edges = view.cross_tier_edges
    cycles = view.tier_cycles()
    figures = view.metrics.figures()
    if args.json:
        _out(json.dumps(edges_json(view, args.plan), indent=2))
        return 0
    for edge in edges:
        verdict = edge.verdict or "unreviewed"
        cycle = " cycle" if edge.in_cycle else ""
        _out(f"{edge.path}:{edge.line}: {edge.importer} -> {edge.imported} "
             f"[{edge.importer_tier} -> {edge.imported_tier}, {edge.direction}{cycle}, "
             f"{verdict}]  {edge.text}")
    for tier_cycle in cycles:
        _out(f"\ntier cycle: {' <-> '.join(tier_cycle.tiers)}; break it by removing:")
        for record in tier_cycle.breaker_edges:
            path = view.repo.path_for_module(record.importer) or record.importer
            _out(f"  {path}:{record.line}: {record.importer} -> {record.imported}  "
                 f"{record.text}")
    pairs = view.edge_pairs()
    reviewed = sum(1 for edges_ in pairs.values() if edges_[0].review is not None)
    _out(f"\n{len(pairs)} cross-tier edges ({len(edges)} import statements), "
         f"{figures.upward_edges} upward, {len(cycles)} tier cycles, "
         f"{reviewed}/{len(pairs)} reviewed")
    return 0


def edges_json(view: PlanView, plan_path: Path) -> dict[str, object]:
    """The documented `edges --json` schema (README, "edges --json")."""
    edges = view.cross_tier_edges
    pairs = view.edge_pairs()
    figures = view.metrics.figures()
    return {
        "schema": 1,
        "plan": str(plan_path),
        "tiers": [{"name": t.name, "package": t.package, "layer": t.layer}
                  for t in view.plan.tiers],
        "summary": {
            "cross_tier_edges": len(pairs),
            "import_statements": len(edges),
            "upward_edges": figures.upward_edges,
            "tier_cycles": len(view.tier_cycles()),
            "reviewed": sum(1 for e in pairs.values() if e[0].review is not None),
        },
        "edges": [
            {
                "importer": e.importer, "imported": e.imported, "path": e.path,
                "line": e.line, "text": e.text, "importer_tier": e.importer_tier,
                "imported_tier": e.imported_tier, "direction": e.direction,
                "in_cycle": e.in_cycle, "verdict": e.verdict,
                "note": e.review.note if e.review else None,
            }
            for e in edges
        ],
        "cycles": [
            {
                "tiers": list(c.tiers),
                "breakers": [{"from_tier": a, "to_tier": b} for a, b in c.breakers],
                "breaker_imports": [
                    {"importer": r.importer, "imported": r.imported,
                     "path": view.repo.path_for_module(r.importer) or r.importer,
                     "line": r.line, "text": r.text}
                    for r in c.breaker_edges
                ],
            }
            for c in view.tier_cycles()
        ],
    }


def run_check(args: argparse.Namespace) -> int:
    from pyagent_workbench.analysis.check import import_linter_contract
    from pyagent_workbench.analysis.check import run_check as check

    view = analysis_view(args.plan, args.repo)
    if args.format == "import-linter":
        _out(import_linter_contract(view))
        return 0
    result = check(view)
    if args.format == "json":
        _out(json.dumps({
            "schema": 1,
            "ok": result.ok,
            "violations": [
                {"importer": e.importer, "imported": e.imported, "path": e.path,
                 "line": e.line, "text": e.text, "importer_tier": e.importer_tier,
                 "imported_tier": e.imported_tier, "direction": e.direction,
                 "verdict": e.verdict}
                for e in result.violations
            ],
            "accepted": result.accepted,
            "accepted_gone": [list(g) for g in result.gone],
        }, indent=2))
        return 0 if result.ok else 1
    for edge in result.violations:
        why = "marked must-fix" if edge.verdict == "must-fix" else "not accepted in the plan"
        _out(f"{edge.path}:{edge.line}: {edge.importer} -> {edge.imported} "
             f"({edge.importer_tier} -> {edge.imported_tier}, {edge.direction}): {why}")
    if result.gone:
        _out(f"{len(result.gone)} accepted edges are gone (fine; you may drop their reviews)")
    if result.ok:
        _out(f"check passed: every cross-tier import is accepted ({result.accepted} edges)")
        return 0
    _out(f"check failed: {len(result.violations)} cross-tier imports are not accepted")
    return 1


def run_report(args: argparse.Namespace) -> int:
    from pyagent_workbench.analysis.graph import build_graph
    from pyagent_workbench.analysis.planview import PlanView
    from pyagent_workbench.report import collect, write_report
    from pyagent_workbench.rewrite.apply import applied_state
    from pyagent_workbench.rewrite.engine import preview

    workspace = open_workspace(args.plan, args.repo)
    state = applied_state(workspace)
    if state == "none":
        workspace.require_valid()
    graph = build_graph(workspace.repo)
    _warn_syntax(graph)
    view = PlanView(workspace.repo, graph, workspace.plan)
    summary = None
    if state == "none" and not args.no_diff:
        summary = preview(workspace, graph).summary
    data = collect(view, args.plan.name, summary=summary, applied=state == "all")
    output = args.output or args.plan.with_name(args.plan.stem + "-report.md")
    written = write_report(data, output)
    _out("report written: " + ", ".join(str(p) for p in written))
    return 0


def run_facades(args: argparse.Namespace) -> int:
    from pyagent_workbench.rewrite.retire import find_facades, find_uses, retire

    workspace = open_workspace(args.plan, args.repo)
    repo = workspace.repo
    facades = find_uses(repo, find_facades(repo))
    if not facades:
        _out("no facades found")
        return 0
    if args.list:
        if args.json:
            _out(json.dumps({
                "schema": 1,
                "facades": [
                    {"old": f.old, "new": f.new, "path": f.path, "used": f.used,
                     "uses": [{"path": u.path, "line": u.line, "text": u.text}
                              for u in f.uses]}
                    for f in facades
                ],
            }, indent=2))
            return 0
        for facade in facades:
            state = f"used by {len(facade.uses)}" if facade.used else "unused"
            _out(f"{facade.path}: {facade.old} -> {facade.new} ({state})")
            for use in facade.uses[:20]:
                _out(f"    {use.path}:{use.line}: {use.text}")
        unused = sum(1 for f in facades if not f.used)
        _out(f"\n{len(facades)} facades, {unused} unused (remove them with --remove)")
        return 0
    result = retire(repo, facades)
    for facade in result.removed:
        _out(f"removed {facade.path} ({facade.old})")
    for directory in result.removed_dirs:
        _out(f"removed empty directory {directory}/")
    for facade in result.kept:
        _out(f"kept {facade.path}: still used ({len(facade.uses)} uses, e.g. "
             f"{facade.uses[0].path}:{facade.uses[0].line})" if facade.uses else
             f"kept {facade.path}: a facade below it is still used")
    _out(f"{len(result.removed)} facades removed, {len(result.kept)} kept")
    return 0
