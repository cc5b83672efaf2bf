"""Merge the `__init__.py` of packages that a plan merges into one.

The merged file is the first package's `__init__` followed by each other's (all
already rewritten for the new location). It is refused, with the reason, when the
two bind the same name (one would silently shadow the other) or when a part cannot
be parsed. `__all__` lists are combined; `from __future__` imports move to the top.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


class MergeConflict(Exception):
    pass


@dataclass(frozen=True)
class InitPart:
    path: str
    """The old path, for messages and the separator comment."""
    content: bytes


def _bindings(tree: ast.Module) -> set[str]:
    bound: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            for alias in node.names:
                if alias.name != "*":
                    bound.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        bound.add(name.id)
    bound.discard("__all__")
    bound.discard("__doc__")
    return bound


def _docstring_span(tree: ast.Module) -> tuple[int, int] | None:
    if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(
        getattr(tree.body[0], "value", None), ast.Constant
    ) and isinstance(tree.body[0].value.value, str):  # type: ignore[attr-defined]
        node = tree.body[0]
        return node.lineno, node.end_lineno or node.lineno
    return None


def merge_inits(parts: list[InitPart]) -> bytes:
    """The merged `__init__.py`; raises `MergeConflict` when it cannot be merged safely."""
    trees = [_parse(part) for part in parts]
    _refuse_conflicts(parts, trees)
    newline = b"\r\n" if b"\r\n" in parts[0].content else b"\n"
    futures: list[bytes] = []
    bodies: list[bytes] = []
    has_all = False
    for index, (part, tree) in enumerate(zip(parts, trees, strict=True)):
        lines = part.content.splitlines(keepends=True)
        drop = _take_futures(tree, lines, futures, newline)
        defines_all = _defines_all(tree)
        if index and has_all and defines_all:
            lines = _extend_all(lines, tree)
        has_all = has_all or defines_all
        if index:
            _comment_out_docstring(lines, tree)
        body = b"".join(line for n, line in enumerate(lines) if n not in drop)
        if index and not body.strip():
            continue  # nothing of its own: no marker over an empty section
        if index:
            first = not any(earlier.strip() for earlier in bodies)
            body = ((b"" if first else newline) + b"# --- merged from " +
                    part.path.encode() + b" by pyagent-workbench ---" + newline + body)
        bodies.append(body if body.endswith((b"\n", b"\r")) or not body else body + newline)
    return _with_futures(bodies[0], trees[0], futures) + b"".join(bodies[1:])


def _parse(part: InitPart) -> ast.Module:
    try:
        return ast.parse(part.content)
    except SyntaxError as error:
        raise MergeConflict(f"{part.path} cannot be parsed (line {error.lineno})") from None
    except (RecursionError, MemoryError):
        raise MergeConflict(f"{part.path} cannot be parsed (nested too deeply for "
                            f"Python)") from None


def _refuse_conflicts(parts: list[InitPart], trees: list[ast.Module]) -> None:
    """A name bound by two parts (one would shadow the other), or a star import (what it
    binds is unknown)."""
    seen: dict[str, str] = {}
    for part, tree in zip(parts, trees, strict=True):
        for name in sorted(_bindings(tree)):
            if name in seen:
                raise MergeConflict(
                    f"'{name}' is defined by both {seen[name]} and {part.path}; rename one "
                    f"before merging the packages"
                )
            seen[name] = part.path
        if any(isinstance(n, ast.ImportFrom) and n.level == 0 and n.names[0].name == "*"
               for n in tree.body):
            raise MergeConflict(f"{part.path} star-imports; merge these __init__ files by hand")


def _take_futures(tree: ast.Module, lines: list[bytes], futures: list[bytes],
                  newline: bytes) -> set[int]:
    """Add a part's `from __future__` imports to `futures` (once each: they all go to the
    top of the merged file); returns the indexes of their lines, to drop from the part."""
    drop: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            text = b"".join(lines[node.lineno - 1:node.end_lineno])
            if text.strip() not in [f.strip() for f in futures]:
                futures.append(text if text.endswith((b"\n", b"\r")) else text + newline)
            drop.update(range(node.lineno - 1, node.end_lineno or node.lineno))
    return drop


def _defines_all(tree: ast.Module) -> bool:
    return any(
        isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and any(
            isinstance(t, ast.Name) and t.id == "__all__"
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))
        for n in tree.body
    )


def _comment_out_docstring(lines: list[bytes], tree: ast.Module) -> None:
    """A later part's docstring would be a bare string in the middle of the merged file."""
    span = _docstring_span(tree)
    if not span:
        return
    for number in range(span[0] - 1, span[1]):
        if lines[number].strip():
            lines[number] = b"# " + lines[number].lstrip(b" \t")


def _with_futures(first: bytes, tree: ast.Module, futures: list[bytes]) -> bytes:
    """The first part with every `from __future__` import at its top (after its
    docstring)."""
    if not futures:
        return first
    span = _docstring_span(tree)
    if not span:
        return b"".join(futures) + first
    first_lines = first.splitlines(keepends=True)
    cut = span[1]
    return b"".join(first_lines[:cut]) + b"".join(futures) + b"".join(first_lines[cut:])


def _extend_all(lines: list[bytes], tree: ast.Module) -> list[bytes]:
    """`__all__ = X` in a later part extends the first part's `__all__` instead."""
    lines = list(lines)
    for node in reversed(tree.body):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            index = node.lineno - 1
            lines[index] = lines[index].replace(b"__all__", b"_merged_all", 1)
            end = (node.end_lineno or node.lineno) - 1
            newline = b"\r\n" if lines[end].endswith(b"\r\n") else b"\n"
            if not lines[end].endswith((b"\n", b"\r")):
                lines[end] += newline
            lines.insert(end + 1, b"__all__ = [*__all__, *_merged_all]" + newline +
                         b"del _merged_all" + newline)
    return lines
