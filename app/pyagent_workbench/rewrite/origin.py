"""Which names one `from` import statement held before a plan's first part landed.

A part of a plan that moves some of a statement's names splits it; a later part that
moves the rest joins the pieces again, so that the plan applied in parts ends as it
would at once. Two `from` lines the user wrote side by side look just like two pieces;
the tree before the first part (a git commit: `Resolver.origin`) tells them apart. It is
read only for the rare file where a join is in question, with `git show`, once a file.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import warnings
from collections.abc import Iterable

from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite.context import FileContext, absolute_module


def originally(resolver: Resolver, module: str, imported: Iterable[str]) -> tuple[str, ...]:
    """The full names `from module import <imported>` names, in order, as they were
    before the plan's first part (what an earlier part moved, under its old name)."""
    found = []
    for name in imported:
        full = f"{module}.{name}" if module else name
        found.append(resolver.old_name(full) or full)
    return tuple(found)


def imported_together(resolver: Resolver, context: FileContext,
                      wanted: tuple[str, ...]) -> bool:
    """Whether one `from` import statement of the file, before the plan's first part,
    imported the names of `wanted` in that order (full names, as they were then: two
    adjacent pieces of one statement hold its names in its order). Without a tree to
    read (`Resolver.origin` unset, the file not there, git failing), True: the pieces
    are taken as one statement's, as they most often are."""
    if resolver.origin is None or context.module is None:
        return True
    root, commit, prefix = resolver.origin
    module = resolver.old_name(context.module) or context.module
    path = prefix + module.replace(".", "/") + ("/__init__.py" if context.is_package
                                                 else ".py")
    package = module if context.is_package else module.rpartition(".")[0]
    statements = _statements(root, commit, path, package)
    if statements is None:
        return True
    return any(_in_order(wanted, names) for names in statements)


def _in_order(wanted: tuple[str, ...], names: tuple[str, ...]) -> bool:
    """`wanted` is a subsequence of `names`."""
    remaining = iter(names)
    return all(name in remaining for name in wanted)


@functools.lru_cache(maxsize=256)
def _statements(root: str, commit: str, path: str, package: str
                ) -> tuple[tuple[str, ...], ...] | None:
    """The full names each `from` import of the file at `commit` imports (`None` when
    the file cannot be read or parsed there)."""
    try:
        out = subprocess.run(["git", "-C", root, "show", f"{commit}:{path}"],
                             capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(out.stdout)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        base = absolute_module(node.level, node.module or "", package)
        if base is not None:
            found.append(tuple(f"{base}.{a.name}" if base else a.name
                               for a in node.names))
    return tuple(found)
