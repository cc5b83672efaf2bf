"""Render a change set as a git-style diff, a stat listing, or JSON."""

from __future__ import annotations

import difflib
from typing import Any

from pyagent_workbench.rewrite.engine import ChangeSet, FileChange


def _lines(data: bytes | None) -> list[str]:
    """The lines as git (and CPython) see them: broken at `\n` only, never at the form
    feeds, separators and NELs `str.splitlines` also breaks at."""
    if data is None:
        return []
    pieces = data.decode("utf-8", errors="replace").split("\n")
    return [piece + "\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


def _is_binary(data: bytes | None) -> bool:
    return data is not None and b"\0" in data[:8000]


def _similarity(old: bytes | None, new: bytes) -> int:
    if old == new:
        return 100
    if old is None:
        return 0
    matcher = difflib.SequenceMatcher(None, _lines(old), _lines(new), autojunk=False)
    return int(matcher.ratio() * 100)


def _body(old: bytes | None, new: bytes, a: str, b: str) -> list[str]:
    if old == new:
        return []
    if _is_binary(old) or _is_binary(new):
        return [f"Binary files {a} and {b} differ\n"]
    out = []
    for line in difflib.unified_diff(_lines(old), _lines(new), a, b, n=3):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return out


def render_change(change: FileChange) -> str:
    """One file's part of the diff (also shown on its own in the workbench)."""
    out: list[str] = []
    if change.kind == "move" and change.old_path:
        old, new = change.old_path, change.new_path
        out.append(f"diff --git a/{old} b/{new}\n")
        out.append(f"similarity index {_similarity(change.old_bytes, change.new_bytes)}%\n")
        out.append(f"rename from {old}\nrename to {new}\n")
        for extra in change.merged_from[1:]:
            out.append(f"merged from {extra}\n")
        out += _body(change.old_bytes, change.new_bytes, f"a/{old}", f"b/{new}")
    elif change.kind == "rewrite":
        path = change.new_path
        out.append(f"diff --git a/{path} b/{path}\n")
        for extra in change.merged_from:
            out.append(f"merged from {extra}\n")
        out += _body(change.old_bytes, change.new_bytes, f"a/{path}", f"b/{path}")
    else:
        path = change.new_path
        label = "facade" if change.kind == "facade" else "new package"
        out.append(f"diff --git a/{path} b/{path}\n")
        out.append(f"new file mode 100644 ({label})\n")
        if change.new_bytes:
            out += _body(None, change.new_bytes, "/dev/null", f"b/{path}")
    return "".join(out)


def render_diff(changeset: ChangeSet, *, show_facades: bool = True) -> str:
    parts = []
    for change in changeset.changes:
        if change.kind == "facade" and not show_facades:
            continue
        parts.append(render_change(change))
    for directory in changeset.removed_dirs:
        parts.append(f"# directory removed (empty after the moves): {directory}/\n")
    parts.append(render_summary(changeset))
    return "".join(parts)


def render_summary(changeset: ChangeSet) -> str:
    s = changeset.summary
    out = [
        "\n",
        f"summary: {s.files_moved} files moved, {s.files_rewritten} files rewritten, "
        f"{s.imports_changed} import statements changed, {s.strings_changed} string "
        f"references changed, {s.facades} facades, {s.packages_created} packages created\n",
    ]
    if changeset.warnings:
        out.append("\nwarnings:\n")
        out += [f"  {w}\n" for w in changeset.warnings]
    if changeset.problems:
        out.append("\nto review:\n")
        out += [f"  {p}\n" for p in changeset.problems]
    if changeset.unparsable:
        out.append("\nnot parsed (left as they are):\n")
        out += [f"  {p}\n" for p in changeset.unparsable]
    if changeset.mentions:
        out.append(f"\nold names mentioned in text ({len(changeset.mentions)}; not rewritten, "
                   f"review them):\n")
        out += [f"  {m.path}:{m.line}: [{m.kind}] {m.text}\n" for m in changeset.mentions]
    return "".join(out)


def render_stat(changeset: ChangeSet) -> str:
    out = []
    for change in changeset.changes:
        if change.kind == "move":
            detail = f"{change.old_path} => {change.new_path}"
        else:
            detail = change.new_path
        counts = []
        if change.imports_changed:
            counts.append(f"{change.imports_changed} imports")
        if change.strings_changed:
            counts.append(f"{change.strings_changed} strings")
        suffix = f" ({', '.join(counts)})" if counts else ""
        out.append(f" {change.kind:<8} {detail}{suffix}\n")
    return "".join(out) + render_summary(changeset)


def as_json(changeset: ChangeSet) -> dict[str, Any]:
    """The documented `diff --stat --json` schema (see README)."""
    return {
        "schema": 1,
        "summary": changeset.summary.as_dict(),
        "files": [
            {
                "kind": c.kind,
                "old_path": c.old_path,
                "new_path": c.new_path,
                "imports_changed": c.imports_changed,
                "strings_changed": c.strings_changed,
                "merged_from": list(c.merged_from),
            }
            for c in changeset.changes
        ],
        "removed_dirs": changeset.removed_dirs,
        "warnings": changeset.warnings,
        "problems": changeset.problems,
        "unparsable": changeset.unparsable,
        "mentions": [
            {"path": m.path, "line": m.line, "kind": m.kind, "text": m.text}
            for m in changeset.mentions
        ],
    }
