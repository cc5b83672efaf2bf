"""Use cases behind the CLI commands; each returns the process exit status."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.workspace import Workspace


class NotYetAvailable(WorkbenchError):
    """A command whose capability has not landed in this version."""


def _not_yet(what: str) -> int:
    raise NotYetAvailable(f"'{what}' is not available in this version of pyagent-workbench yet")


def run_open(args: argparse.Namespace) -> int:
    return _not_yet("the workbench UI")


def run_suggest(args: argparse.Namespace) -> int:
    return _not_yet("suggest")


def run_edges(args: argparse.Namespace) -> int:
    return _not_yet("edges")


def run_check(args: argparse.Namespace) -> int:
    return _not_yet("check")


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
    if args.run_tests or not args.no_verify:
        print("note: verify imports every module, and --run-tests runs your tests: both "
              "execute the repo's code", file=sys.stderr)
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
