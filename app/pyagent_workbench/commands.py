"""The CLI commands: each calls a use case (`application`) and renders its result; it
returns the process exit status. Argument parsing is `cli.py`'s."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pyagent_workbench import safefiles
from pyagent_workbench.analysis.graph import SyntaxProblem, build_graph
from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.application import applying, migrating, previewing, reporting, retiring
from pyagent_workbench.application.migrating import Selection
from pyagent_workbench.application.opening import open_plan, open_workspace
from pyagent_workbench.display import printable
from pyagent_workbench.errors import WorkbenchError
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


def _selection(args: argparse.Namespace) -> Selection:
    sources = tuple(dict.fromkeys(
        name.strip() for listed in args.moves for name in listed.split(",") if name.strip()))
    return Selection(tiers=tuple(dict.fromkeys(args.tier)), sources=sources,
                     batch=args.batch, max_files=args.max_files)


def run_diff(args: argparse.Namespace) -> int:
    workspace = open_workspace(args.plan, args.repo)
    selection = _selection(args)
    diff = previewing.diff_plan(workspace, facades_enabled=False if args.no_facades else None,
                                selection=selection)
    if diff.changeset is None:
        _out("this plan is already applied: nothing to change" if selection.everything
             else f"every move of {selection.describe()} has landed already: nothing to "
                  f"change")
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
        workspace, options, selection=_selection(args),
        progress=_progress if sys.stderr.isatty() else None,
        notice=lambda text: print(printable(f"note: {text}"), file=sys.stderr))
    result = applied.result
    if result is None:
        _out(applied.message)
        return 0
    for warning in result.changeset.warnings:
        _warn(warning)
    for note in result.notes:
        print(printable(f"note: {note}"), file=sys.stderr)
    if applied.stragglers:
        _out("rewrote the code still using old paths (the moves had landed)."
             + render.render_summary(result.changeset))
    else:
        _out("applied." + render.render_summary(result.changeset))
    if result.tests:
        _out(f"tests after the apply: {result.tests}")
    code = 0
    if result.verify is not None:
        _out(result.verify.render())
        code = 0 if result.verify.ok else 1
    if result.commits:
        has_facades = any(c.kind == "facade" for c in result.changeset.changes)
        second = "facades" if has_facades else "the plan's record"
        _out("committed: " + ", ".join(
            f"{commit[:12]} ({what})" for commit, what in zip(
                result.commits, ("moves and rewrites", second), strict=False)))
    if applied.remaining:
        _out(f"{applied.remaining} move{'s' if applied.remaining != 1 else ''} of the plan "
             f"still pending (`status` lists them)")
    if result.commit_error:
        _warn(f"not committed: {result.commit_error}")
        code = 1
    return code


def run_verify(args: argparse.Namespace) -> int:
    workspace = open_workspace(args.plan, args.repo)
    collecting = " and collects the tests with pytest" if not args.no_collect else ""
    print(f"note: verify imports every module{collecting}: this executes the repo's code",
          file=sys.stderr)
    report = applying.verify_applied(workspace, collect_tests=not args.no_collect,
                                     selection=_selection(args))
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
    from pyagent_workbench.application.suggesting import suggest_plan  # (networkx)

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
    facades = ([f for f in retiring.list_facades(opened.workspace) if f.uses]
               if opened.state != "none" else [])
    now = migrating.Baseline(len(result.violations), migrating.old_path_counts(facades))
    ratchet = _ratchet(args.baseline, now) if args.baseline is not None else None
    ok = result.ok if ratchet is None else not ratchet[0]
    if args.format == "json":
        _out(json.dumps({
            "schema": 1,
            "ok": ok,
            "violations": [
                {"importer": e.importer, "imported": e.imported, "path": e.path,
                 "line": e.line, "text": e.text, "importer_tier": e.importer_tier,
                 "imported_tier": e.imported_tier, "direction": e.direction,
                 "verdict": e.verdict}
                for e in result.violations
            ],
            "accepted": result.accepted,
            "accepted_gone": [list(g) for g in result.gone],
            "old_path_uses": [
                {"old": f.old, "new": f.new, "count": len(f.uses),
                 "uses": [{"path": u.path, "line": u.line, "text": u.text} for u in f.uses]}
                for f in facades],
            "baseline": None if ratchet is None else {
                "path": str(args.baseline), "grown": ratchet[0], "note": ratchet[1]},
        }, indent=2))
        return 0 if ok else 1
    for edge in result.violations:
        why = "marked must-fix" if edge.verdict == "must-fix" else "not accepted in the plan"
        _out(f"{edge.path}:{edge.line}: {edge.importer} -> {edge.imported} "
             f"({edge.importer_tier} -> {edge.imported_tier}, {edge.direction}): {why}")
    if result.gone:
        _out(f"{len(result.gone)} accepted edges are gone (fine; you may drop their reviews)")
    if facades:
        total = sum(len(f.uses) for f in facades)
        _out(f"old paths still used through their facades: {total} uses of "
             f"{len(facades)} modules (`apply PLAN` rewrites them to the new paths)")
        for facade in facades:
            _out(f"  {facade.old} -> {facade.new}: {len(facade.uses)} "
                 f"use{'s' if len(facade.uses) != 1 else ''}")
            for use in facade.uses[:20]:
                _out(f"    {use.path}:{use.line}: {use.text}")
            if len(facade.uses) > 20:
                _out(f"    ... and {len(facade.uses) - 20} more")
    if ratchet is not None:
        grown, note = ratchet
        for line in grown:
            _out(f"grown: {line}")
        _out(note)
        return 0 if not grown else 1
    if result.ok:
        _out(f"check passed: every cross-tier import is accepted ({result.accepted} edges)")
        return 0
    _out(f"check failed: {len(result.violations)} cross-tier imports are not accepted")
    return 1


def _ratchet(path: Path, now: migrating.Baseline) -> tuple[list[str], str]:
    """(what grew past the baseline, what was said about the file); the file is written
    when missing and tightened when counts shrank."""
    try:
        data = json.loads(safefiles.read_regular(path))
    except FileNotFoundError:
        safefiles.write_output(path, (json.dumps(now.as_json(), indent=1) + "\n").encode())
        return [], (f"baseline written to {path}: {now.cross_tier} cross-tier imports not "
                    f"accepted, {sum(now.old_paths.values())} uses of old paths")
    except (OSError, ValueError) as error:
        raise WorkbenchError(f"{path}: cannot read the baseline ({error})") from None
    baseline = migrating.Baseline.from_json(data)
    if baseline is None:
        raise WorkbenchError(f"{path}: not a baseline written by `check --baseline`")
    grown = baseline.grown(now)
    if grown:
        return grown, f"check failed: counts grew past the baseline in {path}"
    tighter = baseline.tightened(now)
    if tighter != baseline:
        safefiles.write_output(path, (json.dumps(tighter.as_json(), indent=1) + "\n").encode())
        return [], (f"check passed, and the baseline in {path} tightened (commit it): "
                    f"{tighter.cross_tier} cross-tier imports not accepted, "
                    f"{sum(tighter.old_paths.values())} uses of old paths")
    return [], (f"check passed: no count grew past the baseline in {path} "
                f"({now.cross_tier} cross-tier imports not accepted, "
                f"{sum(now.old_paths.values())} uses of old paths)")


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
    selection = Selection(tiers=tuple(args.tier), batch=args.batch)
    if not selection.everything:  # a batch's facades, retired when its old paths are free
        sources = [m.source for m in migrating.select(workspace.plan, selection)]
        facades = [f for f in facades if any(names.is_within(f.old, s) for s in sources)]
    if not facades:
        _out("no facades found" + ("" if selection.everything
                                   else f" for {selection.describe()}"))
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


def run_batches(args: argparse.Namespace) -> int:
    workspace = open_workspace(args.plan, args.repo)
    graph = build_graph(workspace.repo)
    _warn_syntax(graph.syntax_errors)
    budget = args.max_files or migrating.DEFAULT_MAX_FILES
    views = migrating.planned_batches(workspace, graph, max_files=budget)
    written = 0
    if args.write:
        written = migrating.record_batches(workspace.plan, views)
        if written:
            workspace.plan.save(args.plan)
    if args.json:
        _out(json.dumps({"schema": 1, "plan": str(args.plan), "max_files": budget,
                         "batches": [_batch_json(v) for v in views]}, indent=2))
        return 0
    if not views:
        _out("the plan has no moves")
        return 0
    for view in views:
        batch = view.batch
        proposed = "" if view.recorded else ", proposed"
        over = f", over the budget of {budget}" if batch.over_budget else ""
        owners = f"; owners: {' '.join(batch.owners)}" if batch.owners else ""
        _out(f"batch {batch.number} ({view.state}{proposed}): {', '.join(batch.tiers)}; "
             f"{len(batch.moves)} moves, {len(batch.files)} files{over}{owners}")
        for move in batch.moves:
            _out(f"    {move.source} -> {move.target}")
    if written:
        _out(f"\n{written} moves assigned their batch in {args.plan}")
    elif any(not v.recorded for v in views):
        _out("\nproposed batches are numbered as `apply --batch N` would take them; "
             "--write records them in the plan")
    return 0


def _batch_json(view: migrating.BatchView) -> dict[str, object]:
    batch = view.batch
    return {"number": batch.number, "state": view.state, "recorded": view.recorded,
            "tiers": list(batch.tiers),
            "moves": [{"source": m.source, "target": m.target, "tier": m.tier}
                      for m in batch.moves],
            "files": list(batch.files), "owners": list(batch.owners),
            "over_budget": batch.over_budget}


def run_status(args: argparse.Namespace) -> int:
    workspace = open_workspace(args.plan, args.repo)
    moves = migrating.progress(workspace, with_commits=True)
    landed = sum(p.landed for p in moves)
    if args.json:
        _out(json.dumps({
            "schema": 1, "plan": str(args.plan), "moves_total": len(moves),
            "moves_landed": landed,
            "moves": [{"source": p.move.source, "target": p.move.target, "tier": p.move.tier,
                       "batch": p.move.batch, "state": "landed" if p.landed else "pending",
                       "landed_on": p.move.landed if p.landed else None,
                       "commit": p.commit, "commit_from_git": p.commit_from_git,
                       "recorded": p.move.landed is not None}
                      for p in moves]}, indent=2))
        return 0
    by_batch: dict[int | None, list[migrating.MoveProgress]] = {}
    for item in moves:
        by_batch.setdefault(item.move.batch, []).append(item)
    for number in sorted(by_batch, key=lambda b: (b is None, b or 0)):
        items = by_batch[number]
        done = sum(p.landed for p in items)
        title = f"batch {number}" if number is not None else "no batch"
        _out(f"{title}: {done}/{len(items)} landed")
        for item in items:
            if item.landed:
                when = f" on {item.move.landed}" if item.move.landed else ""
                commit = (f" in {item.commit[:12]}" + (" (from git)" if item.commit_from_git
                                                         else "")) if item.commit else ""
                unrecorded = "" if item.move.landed else " (not recorded in the plan)"
                state = f"landed{when}{commit}{unrecorded}"
            else:
                state = "pending"
            _out(f"    {item.move.source} -> {item.move.target}: {state}")
    _out(f"\n{landed} of {len(moves)} moves landed")
    return 0
