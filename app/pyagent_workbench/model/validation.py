"""Plan validation: every problem named with its plan entry and, where possible, its line.

`check_document` checks the plan on its own (types, names, chains between moves);
`check_against_repo` checks it against the modules and files of a repository.
"""

from __future__ import annotations

import keyword
import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyagent_workbench.errors import PlanError
from pyagent_workbench.model import names
from pyagent_workbench.model.mapping import ModuleMapping
from pyagent_workbench.model.plan import SCHEMA, STATUSES, VERDICTS, Plan

_TOP_KEYS = {"schema", "status", "repo", "options", "tiers", "moves", "reviews", "suggestion"}
_REPO_KEYS = {"source_root": str, "packages": list, "containers": list}
_OPTION_KEYS = {"facades": bool, "carry_tests": bool}
_ENTRY_KEYS: dict[str, dict[str, tuple[type, bool]]] = {
    # key -> (type, required)
    "tiers": {"name": (str, True), "package": (str, True), "layer": (int, False)},
    "moves": {
        "source": (str, True), "target": (str, True), "tier": (str, False),
        "carry_tests": (bool, False),
    },
    "reviews": {
        "importer": (str, True), "imported": (str, True), "verdict": (str, True),
        "note": (str, False),
    },
}
_SINGULAR = {"tiers": "tier", "moves": "move", "reviews": "review"}
_MAX_ENTRIES = 100_000


class Locator:
    """Finds the line of a plan entry in the TOML text, for messages."""

    def __init__(self, text: str, where: str) -> None:
        self.where = where
        self.lines = text.splitlines()
        self._headers: dict[str, list[int]] = defaultdict(list)
        self._tables: dict[str, int] = {}
        for number, line in enumerate(self.lines, start=1):
            aot = re.match(r"\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]", line)
            if aot:
                self._headers[aot.group(1)].append(number)
                continue
            table = re.match(r"\s*\[\s*([A-Za-z0-9_.-]+)\s*\]", line)
            if table:
                self._tables.setdefault(table.group(1), number)

    def _section_end(self, start: int) -> int:
        for number in range(start + 1, len(self.lines) + 1):
            if re.match(r"\s*\[", self.lines[number - 1]):
                return number
        return len(self.lines) + 1

    def _key_in(self, start: int, key: str) -> int | None:
        pattern = re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=")
        for number in range(start + 1, self._section_end(start)):
            if pattern.match(self.lines[number - 1]):
                return number
        return None

    def entry(self, section: str, index: int, key: str | None = None) -> str:
        headers = self._headers.get(section, [])
        if index >= len(headers):
            return self.where
        line = headers[index]
        if key is not None:
            line = self._key_in(line, key) or line
        return f"{self.where}:{line}"

    def table_key(self, table: str | None, key: str) -> str:
        if table is None:
            pattern = re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=")
            for number, text in enumerate(self.lines, start=1):
                if re.match(r"\s*\[", text):
                    break
                if pattern.match(text):
                    return f"{self.where}:{number}"
            return self.where
        start = self._tables.get(table)
        if start is None:
            return self.where
        line = self._key_in(start, key) or start
        return f"{self.where}:{line}"


@dataclass
class _Checker:
    locator: Locator
    problems: list[PlanError]

    def add(self, message: str, where: str) -> None:
        self.problems.append(PlanError(message, where=where))


def _type_name(value: Any) -> str:
    return {str: "a string", bool: "true or false", int: "an integer", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _expected(kind: type) -> str:
    return {str: "a string", bool: "true or false", int: "an integer", list: "a list"}[kind]


def _plain(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def check_document(document: Any, text: str, where: str) -> list[PlanError]:
    """Problems with the plan on its own; an empty list when it is well formed."""
    c = _Checker(Locator(text, where), [])
    loc = c.locator
    data = _plain(document)

    for key in data:
        if key not in _TOP_KEYS:
            c.add(f"unknown key '{key}' (expected one of: {', '.join(sorted(_TOP_KEYS))})",
                  loc.table_key(None, key) if key not in loc._tables else loc.table_key(key, key))

    schema = data.get("schema")
    if schema is None:
        c.add("missing 'schema = 1'", where)
    elif type(schema) is not int or schema != SCHEMA:
        c.add(f"unknown schema {schema!r}: this version of pyagent-workbench reads schema "
              f"{SCHEMA}", loc.table_key(None, "schema"))

    status = data.get("status", "draft")
    if status not in STATUSES:
        c.add(f"unknown status {status!r} (expected \"draft\" or \"approved\")",
              loc.table_key(None, "status"))

    for table, allowed in (("repo", _REPO_KEYS), ("options", _OPTION_KEYS)):
        value = data.get(table, {})
        if not isinstance(value, dict):
            c.add(f"'{table}' must be a table", loc.table_key(None, table))
            continue
        for key, item in value.items():
            if key not in allowed:
                c.add(f"unknown key '{key}' in [{table}] (expected one of: "
                      f"{', '.join(sorted(allowed))})", loc.table_key(table, key))
            elif type(item) is not allowed[key]:
                c.add(f"[{table}] {key} must be {_expected(allowed[key])}, not "
                      f"{_type_name(item)}", loc.table_key(table, key))

    repo = data.get("repo", {}) if isinstance(data.get("repo", {}), dict) else {}
    source_root = repo.get("source_root")
    if isinstance(source_root, str):
        problem = source_root_problem(source_root)
        if problem:
            c.add(problem, loc.table_key("repo", "source_root"))
    for key in ("packages", "containers"):
        items = repo.get(key)
        if isinstance(items, list):
            for item in items:
                if not isinstance(item, str) or not names.is_dotted_name(item):
                    c.add(f"[repo] {key}: {item!r} is not a dotted module name",
                          loc.table_key("repo", key))
            if key == "packages" and any(isinstance(i, str) and "." in i for i in items):
                c.add("[repo] packages lists top-level packages only (no dots)",
                      loc.table_key("repo", key))

    entries: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for section, spec in _ENTRY_KEYS.items():
        value = data.get(section, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            c.add(f"'{section}' must be an array of tables ([[{section}]])",
                  loc.table_key(None, section))
            entries[section] = []
            continue
        if len(value) > _MAX_ENTRIES:
            c.add(f"{len(value)} {section}: more than {_MAX_ENTRIES} is not a plan a person "
                  f"can review", where)
            entries[section] = []
            continue
        good: list[tuple[int, dict[str, Any]]] = []
        for index, entry in enumerate(value):
            ok = True
            label = f"{_SINGULAR[section]} #{index + 1}"
            for key in entry:
                if key not in spec:
                    c.add(f"{label}: unknown key '{key}' (expected one of: "
                          f"{', '.join(spec)})", loc.entry(section, index, key))
                    ok = False
            for key, (kind, required) in spec.items():
                if key not in entry:
                    if required:
                        c.add(f"{label}: missing '{key}'", loc.entry(section, index))
                        ok = False
                elif type(entry[key]) is not kind:
                    c.add(f"{label}: {key} must be {_expected(kind)}, not "
                          f"{_type_name(entry[key])}", loc.entry(section, index, key))
                    ok = False
            if ok:
                good.append((index, entry))
        entries[section] = good

    tier_names: dict[str, int] = {}
    tier_packages: dict[str, int] = {}
    for index, tier in entries["tiers"]:
        label = f"tier '{tier['name']}'"
        if not names.is_identifier(tier["name"]):
            c.add(f"{label}: the name must be a Python identifier",
                  loc.entry("tiers", index, "name"))
        if tier["name"] in tier_names:
            c.add(f"{label} is declared twice (first as tier #{tier_names[tier['name']] + 1})",
                  loc.entry("tiers", index, "name"))
        tier_names.setdefault(tier["name"], index)
        if not names.is_dotted_name(tier["package"]):
            c.add(f"{label}: package '{tier['package']}' is not a valid dotted module name",
                  loc.entry("tiers", index, "package"))
        elif tier["package"] in tier_packages:
            c.add(f"{label}: package '{tier['package']}' is used by another tier",
                  loc.entry("tiers", index, "package"))
        tier_packages.setdefault(tier["package"], index)

    moves = entries["moves"]
    valid_moves: list[tuple[int, dict[str, Any]]] = []
    sources: dict[str, int] = {}
    for index, move in moves:
        source, target = move["source"], move["target"]
        label = f"move #{index + 1} ({source})"
        ok = True
        if not names.is_dotted_name(source):
            c.add(f"{label}: source '{source}' is not a valid dotted module name",
                  loc.entry("moves", index, "source"))
            ok = False
        if not names.is_dotted_name(target):
            c.add(f"{label}: target '{target}' is not a valid dotted module name"
                  f"{_why_not_dotted(target)}", loc.entry("moves", index, "target"))
            ok = False
        if source in sources:
            c.add(f"{label}: source '{source}' is moved twice (also by move "
                  f"#{sources[source] + 1})", loc.entry("moves", index, "source"))
            ok = False
        sources.setdefault(source, index)
        if ok and target == source:
            c.add(f"{label}: target is the same as the source", loc.entry("moves", index,
                                                                            "target"))
            ok = False
        elif ok and names.is_strictly_within(target, source):
            c.add(f"{label}: target '{target}' lies inside its own source",
                  loc.entry("moves", index, "target"))
            ok = False
        if "tier" in move and move["tier"] not in tier_names:
            c.add(f"{label}: tier '{move['tier']}' is not declared in [[tiers]]",
                  loc.entry("moves", index, "tier"))
        if ok:
            valid_moves.append((index, move))

    for index, move in valid_moves:
        for other_index, other in valid_moves:
            if other_index == index:
                continue
            # A target inside another move's source only makes sense when that other move
            # is a sub-move of this one (it overrides part of what this one moves).
            if names.is_within(move["target"], other["source"]) and not names.is_strictly_within(
                other["source"], move["source"]
            ):
                relation = (
                    "cycle" if names.is_within(other["target"], move["source"]) else "chain")
                c.add(
                    f"move #{index + 1} ({move['source']}): target '{move['target']}' lies in "
                    f"'{other['source']}', which move #{other_index + 1} moves away "
                    f"({relation}); "
                    f"give each source its final place, or split the plan in two",
                    loc.entry("moves", index, "target"),
                )
                break

    seen_edges: dict[tuple[str, str], int] = {}
    for index, review in entries["reviews"]:
        label = f"review #{index + 1} ({review['importer']} -> {review['imported']})"
        if review["verdict"] not in VERDICTS:
            c.add(f"{label}: unknown verdict {review['verdict']!r} (expected \"accepted\" or "
                  f"\"must-fix\")", loc.entry("reviews", index, "verdict"))
        for key in ("importer", "imported"):
            if not names.is_dotted_name(review[key]):
                c.add(f"{label}: {key} '{review[key]}' is not a dotted module name",
                      loc.entry("reviews", index, key))
        edge = (review["importer"], review["imported"])
        if edge in seen_edges:
            c.add(f"{label}: this edge is already reviewed by review #{seen_edges[edge] + 1}",
                  loc.entry("reviews", index))
        seen_edges.setdefault(edge, index)
    return c.problems


def source_root_problem(source_root: str) -> str | None:
    if source_root.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", source_root) or (
        os.path.isabs(source_root)
    ):
        return f"[repo] source_root '{source_root}' must be a path relative to the repo"
    normal = posixpath.normpath(source_root.replace("\\", "/"))
    if normal == ".." or normal.startswith("../"):
        return f"[repo] source_root '{source_root}' escapes the repo"
    return None


def _why_not_dotted(name: str) -> str:
    if not name:
        return " (it is empty)"
    if "/" in name or "\\" in name:
        return " (use dots, not a path)"
    for part in name.split("."):
        if part and keyword.iskeyword(part):
            return f" ('{part}' is a Python keyword)"
        if not part:
            return " (empty part between dots)"
        if not part.isidentifier():
            return f" ('{part}' is not an identifier)"
    return ""


def check_against_repo(
    plan: Plan,
    mapping: ModuleMapping,
    *,
    modules: dict[str, tuple[str, bool]],
    exists: Callable[[str], bool],
    text: str,
    where: str,
) -> list[PlanError]:
    """Problems only the repo reveals: unknown sources, collisions after the moves."""
    c = _Checker(Locator(text, where), [])
    loc = c.locator
    for index, move in enumerate(plan.moves):
        if move.source not in modules:
            close = _closest(move.source, modules)
            hint = f" (did you mean '{close}'?)" if close else ""
            c.add(f"move #{index + 1}: source '{move.source}' is not a module of the repo{hint}",
                  loc.entry("moves", index, "source"))
        top = move.target.split(".")[0]
        if not any(m.split(".")[0] == top for m in modules):
            c.add(f"move #{index + 1}: target '{move.target}' is outside the analysed packages "
                  f"({', '.join(sorted({m.split('.')[0] for m in modules}))})",
                  loc.entry("moves", index, "target"))
    for index, tier in enumerate(plan.tiers):
        top = tier.package.split(".")[0]
        if modules and not any(m.split(".")[0] == top for m in modules):
            c.add(f"tier '{tier.name}': package '{tier.package}' is outside the analysed "
                  f"packages", loc.entry("tiers", index, "package"))
    if c.problems:
        return c.problems

    # Collisions: two files landing on one path, or a moved file landing on a file that
    # stays. `__init__.py` files of merged packages are merged, not collisions.
    landing: dict[str, list[str]] = defaultdict(list)
    moved_away = {f.old for f in mapping.files}
    for file_move in mapping.files:
        landing[file_move.new].append(file_move.old)
    for new, olds in sorted(landing.items()):
        stays = exists(new) and new not in moved_away
        if len(olds) + stays < 2:
            continue
        if new.endswith(("/__init__.py", "/__init__.pyi")) or new in ("__init__.py",):
            continue
        who = " and ".join(f"'{o}'" for o in olds)
        reason = f"{who} would both land on '{new}'" if len(olds) > 1 else (
            f"{who} would land on '{new}', which exists already")
        found = _move_index_for(plan, mapping, olds[0])
        c.add(f"collision: {reason}; rename one of them in the plan",
              loc.entry("moves", found, "target") if found is not None else where)

    # A module and a package of the same name after the moves.
    new_files = set(landing) | {p for p in _existing_paths(modules) if p not in moved_away}
    for new in sorted(landing):
        if new.endswith(".py") and not new.endswith("/__init__.py"):
            package_init = new[:-3] + "/__init__.py"
            if package_init in new_files or (exists(new[:-3] + "/__init__.py") and (
                new[:-3] + "/__init__.py" not in moved_away
            )):
                found = _move_index_for(plan, mapping, landing[new][0])
                c.add(f"collision: '{new}' would sit beside a package of the same name "
                      f"('{package_init}')",
                      loc.entry("moves", found, "target") if found is not None else where)
    return c.problems


def _existing_paths(modules: dict[str, tuple[str, bool]]) -> list[str]:
    return [path for path, _ in modules.values()]


def _move_index_for(plan: Plan, mapping: ModuleMapping, old_path: str) -> int | None:
    file_move = next((f for f in mapping.files if f.old == old_path), None)
    if file_move is None:
        return None
    source = file_move.move.implied_by or file_move.move.source
    return next((i for i, m in enumerate(plan.moves) if m.source == source), None)


def _closest(name: str, modules: dict[str, Any]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(name, list(modules), n=1, cutoff=0.8)
    return matches[0] if matches else None
