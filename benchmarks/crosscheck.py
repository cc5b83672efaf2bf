"""Check the fast paths against the slow ones on a real tree: for every Python file of a
repo, the statement-level rewrite (`runner.rewrite_file`) must give exactly what libcst
on the whole file (`files.rewrite_python`) gives, and the engine's prefilter must keep
every file the whole-file rewrite changes or reports on.

    python -m benchmarks.crosscheck PLAN --repo REPO [--jobs 2]

Slow (the whole-file rewrite of every file); run it after changing the engine.
"""

from __future__ import annotations

import argparse
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path, PurePosixPath

from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite.context import FileContext
from pyagent_workbench.rewrite.files import FileRewrite, reference_pattern, rewrite_python
from pyagent_workbench.rewrite.statements import RewriteState, rewrite_file
from pyagent_workbench.workspace import Workspace

_STATE: RewriteState | None = None


def _init(state: RewriteState) -> None:
    global _STATE
    _STATE = state


def _compare(item: tuple[str, bytes, FileContext]
             ) -> tuple[str, str | None, FileRewrite]:
    path, source, context = item
    assert _STATE is not None
    slow = rewrite_python(source, context, _STATE.resolver)
    fast = rewrite_file(source, context, _STATE)
    same = (slow.new_bytes, slow.changed_imports, slow.changed_strings,
            sorted(slow.problems)) == (fast.new_bytes, fast.changed_imports,
                                       fast.changed_strings, sorted(fast.problems))
    return path, None if same else _explain(slow, fast), slow


def _explain(slow: object, fast: object) -> str:
    return f"slow={slow!r}\n  fast={fast!r}"[:3000]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("plan", type=Path)
    parser.add_argument("--repo", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    workspace = Workspace.open(args.repo or args.plan.parent, args.plan)
    repo = workspace.repo
    mapping = workspace.mapping
    resolver = Resolver.from_mapping(mapping, frozenset(workspace.module_table))
    pattern = reference_pattern([m.source for m in mapping.moves])
    state = RewriteState(resolver, re.compile(pattern.pattern.encode()))
    items = []
    for path in repo.python_files:
        name = repo.module_name_for(path)
        context = FileContext(path, name, PurePosixPath(path).stem == "__init__",
                              resolver.new_name(name) if name else None)
        items.append((path, (repo.root / path).read_bytes(), context))

    from pyagent_workbench.analysis.graph import build_graph
    from pyagent_workbench.rewrite.engine import preview

    changeset = preview(workspace, build_graph(repo, use_cache=False), facades_enabled=False)
    by_old = {c.old_path: c for c in changeset.changes if c.old_path and not c.merged_from}
    merged = {p for c in changeset.changes for p in c.merged_from}
    problems = set(changeset.problems)
    unparsable = {u.split(":")[0] for u in changeset.unparsable}

    mismatches = 0
    missed = 0
    with ProcessPoolExecutor(args.jobs, initializer=_init, initargs=(state,)) as pool:
        for (path, problem, slow), (_, source, _) in zip(
                pool.map(_compare, items, chunksize=8), items, strict=True):
            if problem is not None:
                mismatches += 1
                print(f"MISMATCH {path}\n  {problem}")
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
