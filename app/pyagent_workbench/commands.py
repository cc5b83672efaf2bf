"""The CLI commands: each calls a use case (`application`) and renders its result; it
returns the process exit status. Argument parsing is `cli.py`'s."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pyagent_workbench.analysis.graph import SyntaxProblem
from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.application import applying, previewing, reporting, retiring
from pyagent_workbench.application.opening import open_plan, open_workspace
from pyagent_workbench.application.suggesting import suggest_plan
from pyagent_workbench.display import printable
from pyagent_workbench.model import names
from pyagent_workbench.rewrite import diff as render
from pyagent_workbench.rewrite.apply import ApplyOptions


def _out(text: str, *, data: bool = False) -> None:
    """Print for a person: control characters from the repo or the plan escaped
    (`display.printable`). `data` (a patch another tool reads) goes out as it is, unless
    it goes to a terminal."""
    if not data or sys.stdout.isatty():
        text = printable(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _warn(text: str) -> None:
    print(printable(f"warning: {text}"), file=sys.stderr)


def _warn_syntax(problems: list[SyntaxProblem]) -> None:
    for problem in problems:
        _warn(f"{problem} (file left out of the analysis)")


def run_diff(args: argparse.Namespace) -> int:
    workspace = open_workspace(args.plan, args.repo)
    diff = previewing.diff_plan(workspace, facades_enabled=False if args.no_facades else None)
    if diff.changeset is None:
        _out("this plan is already applied: nothing to change")
        return 0
    if args.json:
        _out(json.dumps(render.as_json(diff.changeset), indent=2))
    elif args.stat:
        _out(render.render_stat(diff.changeset))
    else:
        _out(render.render_diff(diff.changeset), data=True)
    return 0


def run_apply(args: argparse.Namespace) -> int:
    workspace = open_workspace(args.plan, args.repo)
    options = ApplyOptions(
        facades_enabled=False if args.no_facades else None, allow_dirty=args.allow_dirty,
        force=args.force, verify=not args.no_verify, collect_tests=not args.no_collect,
        run_tests=args.run_tests, plan_path=args.plan, commit=args.commit)
    applied = applying.apply(
        workspace, options, progress=_progress if sys.stderr.isatty() else None,
        notice=lambda text: print(printable(f"note: {text}"), file=sys.stderr))
    result = applied.result
    if result is None:
        _out(applied.message)
        return 0
    for warning in result.changeset.warnings:
        _warn(warning)
    for note in result.notes:
        print(printable(f"note: {note}"), file=sys.stderr)
    _out("applied." + render.render_summary(result.changeset))
    if result.tests:
        _out(f"tests after the apply: {result.tests}")
    code = 0
    if result.verify is not None:
        _out(result.verify.render())
        code = 0 if result.verify.ok else 1
    if result.commits:
        _out("committed: " + ", ".join(
            f"{commit[:12]} ({what})" for commit, what in zip(
                result.commits, ("moves and rewrites", "facades"), strict=False)))
    if result.commit_error:
        _warn(f"not committed: {result.commit_error}")
        code = 1
    return code


def run_verify(args: argparse.Namespace) -> int:
    workspace = open_workspace(args.plan, args.repo)
    collecting = " and collects the tests with pytest" if not args.no_collect else ""
    print(f"note: verify imports every module{collecting}: this executes the repo's code",
          file=sys.stderr)
    report = applying.verify_applied(workspace, collect_tests=not args.no_collect)
    if args.json:
        _out(json.dumps(report.as_json(), indent=2))
    else:
        _out(report.render())
    return 0 if report.ok else 1


def run_recover(args: argparse.Namespace) -> int:
    if applying.recover_repo(args.path):
        _out(f"recovered: {args.path.resolve()} is back to its state before the "
             f"interrupted apply")
    else:
        _out("nothing to recover (no journal of an interrupted apply)")
    return 0


def _progress(step: str, done: int, total: int) -> None:
    sys.stderr.write(f"\r{step}: {done}/{total}   ")
    sys.stderr.flush()
    if done >= total:
        sys.stderr.write("\n")


def run_suggest(args: argparse.Namespace) -> int:
    suggested = suggest_plan(args.path, tiers=args.tiers, resolution=args.resolution,
                             seed=args.seed, containers=args.container,
                             compare=args.compare, output=args.output)
    _warn_syntax(suggested.syntax_errors)
    result, figures = suggested.suggestion, suggested.figures
    if args.json:
        _out(json.dumps({
            "schema": 1,
            "figures": figures,
            "tiers": [{"name": t.name, "container": t.container, "layer": t.layer,
                       "members": t.members} for t in result.tiers],
            "plan": str(args.output) if args.output else None,
            "containers": {
                "chosen": result.plan.containers or [],
                "candidates": [{"name": c.name, "children": c.children, "files": c.files,
                                "sibling_imports": c.sibling_imports,
                                "score": round(c.score, 2)} for c in result.candidates],
            },
        }, indent=2))
        return 0
    for tier in result.tiers:
        members = ", ".join(names.last(m) for m in tier.members)
        _out(f"{tier.container}.{tier.name} (layer {tier.layer}): {members}")
    _out("")
    chosen = result.plan.containers or []
    _out(f"restructured: {', '.join(chosen)}")
    others = [c for c in result.candidates if not any(
        names.is_within(c.name, p) or names.is_within(p, c.name) for p in chosen)]
    if others:
        shown = ", ".join(f"{c.name} ({c.children} children)" for c in others[:5])
        more = f" and {len(others) - 5} more" if len(others) > 5 else ""
        _out(f"left as they are (--container PKG to restructure one): {shown}{more}")
    _out("")
    for key, value in figures.items():
        _out(f"{key}: {value}")
    if args.output is not None:
        _out(f"\ndraft plan written to {args.output}")
    return 0


def run_edges(args: argparse.Namespace) -> int:
    opened = open_plan(args.plan, args.repo)
    _warn_syntax(opened.graph.syntax_errors)
    view = opened.view
    if args.json:
        _out(json.dumps(edges_json(view, args.plan), indent=2))
        return 0
    edges = view.cross_tier_edges
    cycles = view.tier_cycles()
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
    progress = reporting.review_progress(view)
    _out(f"\n{progress.total} cross-tier edges ({len(edges)} import statements), "
         f"{view.metrics.figures().upward_edges} upward, {len(cycles)} tier cycles, "
         f"{progress.reviewed}/{progress.total} reviewed")
    return 0


def edges_json(view: PlanView, plan_path: Path) -> dict[str, object]:
    """The documented `edges --json` schema (README, "edges --json")."""
    edges = view.cross_tier_edges
    figures = view.metrics.figures()
    progress = reporting.review_progress(view)
    return {
        "schema": 1,
        "plan": str(plan_path),
        "tiers": [{"name": t.name, "package": t.package, "layer": t.layer}
                  for t in view.plan.tiers],
        "summary": {
            "cross_tier_edges": progress.total,
            "import_statements": len(edges),
            "upward_edges": figures.upward_edges,
            "tier_cycles": len(view.tier_cycles()),
            "reviewed": progress.reviewed,
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
    opened = open_plan(args.plan, args.repo)
    _warn_syntax(opened.graph.syntax_errors)
    if args.format == "import-linter":
        _out(reporting.import_linter_config(opened))
        return 0
    result = reporting.check_plan(opened)
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
    opened = open_plan(args.plan, args.repo)
    _warn_syntax(opened.graph.syntax_errors)
    written = reporting.write_migration_report(
        opened.view, opened.workspace, args.plan, state=opened.state, output=args.output,
        with_diff=not args.no_diff)
    _out("report written: " + ", ".join(str(p) for p in written))
    return 0


def run_facades(args: argparse.Namespace) -> int:
    workspace = open_workspace(args.plan, args.repo)
    facades = retiring.list_facades(workspace)
    if not facades:
        _out("no facades found")
        return 0
    if args.list:
        if args.json:
            _out(json.dumps({
                "schema": 1,
                "facades": [
                    {"old": f.old, "new": f.new, "path": f.path, "used": f.used,
                     "changed": f.changed, "uses": [{"path": u.path, "line": u.line, "text": u.text}
                              for u in f.uses]}
                    for f in facades
                ],
            }, indent=2))
            return 0
        for facade in facades:
            state = f"used by {len(facade.uses)}" if facade.used else "unused"
            if facade.changed:
                state += f"; {facade.changed}: --remove keeps it"
            _out(f"{facade.path}: {facade.old} -> {facade.new} ({state})")
            for use in facade.uses[:20]:
                _out(f"    {use.path}:{use.line}: {use.text}")
        unused = sum(1 for f in facades if not f.used)
        _out(f"\n{len(facades)} facades, {unused} unused (remove them with --remove)")
        return 0
    result = retiring.retire_facades(workspace, facades)
    for facade in result.removed:
        _out(f"removed {facade.path} ({facade.old})")
    for directory in result.removed_dirs:
        _out(f"removed empty directory {directory}/")
    for facade in result.kept:
        if facade.changed:
            _out(f"kept {facade.path}: {facade.changed}")
        elif facade.uses:
            _out(f"kept {facade.path}: still used ({len(facade.uses)} uses, e.g. "
                 f"{facade.uses[0].path}:{facade.uses[0].line})")
        else:
            _out(f"kept {facade.path}: a facade below it is still used")
    _out(f"{len(result.removed)} facades removed, {len(result.kept)} kept")
    return 0
