"""Check the fast paths against the slow ones on a real tree: for every Python file of a
repo, the statement-level rewrite (`statements.rewrite_file`) must give exactly what
libcst on the whole file (`files.rewrite_python`) gives, and the engine's prefilter must
keep every file the whole-file rewrite changes or reports on.

    python -m benchmarks.crosscheck PLAN --repo REPO [--jobs 2]

Slow (the whole-file rewrite of every file); run it after changing the engine. The tests
run the same comparison on every move case (tests/support/codemod.py).
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pyagent_workbench.analysis.graph import build_graph
from pyagent_workbench.rewrite import syntax
from pyagent_workbench.rewrite.context import FileContext, RewriteState
from pyagent_workbench.rewrite.engine import Preview, preview
from pyagent_workbench.rewrite.statements import RewriteComparison, compare_rewrites
from pyagent_workbench.workspace import Workspace

_STATE: RewriteState | None = None


def _init(state: RewriteState) -> None:
    global _STATE
    _STATE = state


def _compare(item: tuple[str, bytes, FileContext, bool]) -> tuple[str, RewriteComparison]:
    path, source, context, parses = item
    assert _STATE is not None
    return path, compare_rewrites(source, context, _STATE, parses=parses)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("plan", type=Path)
    parser.add_argument("--repo", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    workspace = Workspace.open(args.repo or args.plan.parent, args.plan)
    repo = workspace.repo
    whole_plan = Preview(workspace)
    # Where ruff finds a file valid, the statement-level rewrite parses only its
    # beginning, as the engine does (`rewrite.syntax`).
    parsing = syntax.parsing_files(repo.root, repo.python_files)
    items = [(path, (repo.root / path).read_bytes(), whole_plan.context_of(path),
              path in parsing) for path in repo.python_files]

    # The rewrite as computed, before the project's sorter and formatter are applied.
    changeset = preview(workspace, build_graph(repo, use_cache=False), facades_enabled=False,
                        conform=False)
    by_old = {c.old_path: c for c in changeset.changes if c.old_path and not c.merged_from}
    merged = {p for c in changeset.changes for p in c.merged_from}
    problems = set(changeset.problems)
    unparsable = {u.split(":")[0] for u in changeset.unparsable}

    mismatches = 0
    missed = 0
    with ProcessPoolExecutor(args.jobs, initializer=_init,
                             initargs=(whole_plan.rewrite_state,)) as pool:
        for (path, comparison), (_, source, _, _) in zip(
                pool.map(_compare, items, chunksize=8), items, strict=True):
            if not comparison.agree:
                mismatches += 1
                print(f"MISMATCH {path}\n  {comparison.explain()}")
            # Where the whole file is too deep for libcst, only the statements that
            # change are rewritten: that rewrite is what the engine must have kept.
            slow = (comparison.whole_file if comparison.whole_file.too_deep_at is None
                    else comparison.by_statement)
            if slow.new_bytes is None:
                ok = path in unparsable
            elif path in merged:
                ok = True
            else:
                change = by_old.get(path)
                now = change.new_bytes if change is not None else source
                ok = now == slow.new_bytes and set(slow.problems) <= problems
            if not ok:
                missed += 1
                print(f"PREFILTER MISSED {path}")
    print(f"{len(items)} files: {mismatches} mismatches, {missed} missed by the prefilter")
    return 1 if mismatches or missed else 0


if __name__ == "__main__":
    sys.exit(main())
