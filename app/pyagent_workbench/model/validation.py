"""Plan validation: every problem named with its plan entry and, where possible, its line.

`check_document` checks the plan on its own (types, names, chains between moves);
`check_against_repo` checks it against the modules and files of a repository.
"""

from __future__ import annotations

import keyword
import os
import posixpath
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
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
_MAX_ENTRIES = {"tiers": 1_000, "moves": 10_000, "reviews": 100_000}
"""More entries than this is not a plan a person can review (and would be slow to read)."""
_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*(tiers|moves|reviews)[ \t]*\]\]", re.MULTILINE)


def too_long(text: str, where: str) -> PlanError | None:
    """Checked on the raw text, before the TOML parser spends minutes on a huge plan."""
    counts: dict[str, int] = defaultdict(int)
    for match in _HEADER.finditer(text):
        counts[match.group(1)] += 1
    for section, count in counts.items():
        if count > _MAX_ENTRIES[section]:
            return PlanError(f"{count} {section}: more than {_MAX_ENTRIES[section]} is not a "
                             f"plan a person can review; split it into several plans", where=where)
    return None


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
        if len(value) > _MAX_ENTRIES[section]:
            c.add(f"{len(value)} {section}: more than {_MAX_ENTRIES[section]} is not a plan a "
                  f"person can review; split it into several plans", where)
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

    by_source = {move["source"]: (index, move) for index, move in valid_moves}
    for index, move in valid_moves:
        # Sources the target lies in: the target itself and its ancestors (an index, not a
        # scan of every other move: plans can be long).
        for candidate in (move["target"], *names.ancestors(move["target"])):
            other_index, other = by_source.get(candidate, (index, move))
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

    # Two packages merged into one, one inside the other: the inner one's modules would
    # sit beside the outer one's, and every `outer.inner` reference would need to become
    # `outer` itself (no such rewrite exists: `from . import inner` has no equivalent).
    by_target: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for index, move in valid_moves:
        by_target[move["target"]].append((index, move["source"]))
    for target, landing in by_target.items():
        for index, source in landing:
            outer = next(((i, s) for i, s in landing if names.is_strictly_within(source, s)),
                         None)
            if outer is not None:
                c.add(f"move #{index + 1} ({source}): lands on '{target}' like move "
                      f"#{outer[0] + 1} ({outer[1]}), which contains it: a package cannot be "
                      f"merged with its own subpackage; move the subpackage's modules one by "
                      f"one", loc.entry("moves", index, "target"))

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
        if not names.is_identifier(part):
            return (f" ('{part}' is not in the form Python imports: it would be found as "
                    f"'{unicodedata.normalize('NFKC', part)}')")
    return ""


def check_against_repo(
    plan: Plan,
    mapping: ModuleMapping,
    *,
    modules: dict[str, tuple[str, bool]],
    exists: Callable[[str], bool],
    text: str,
    where: str,
    read: Callable[[str], bytes] | None = None,
) -> list[PlanError]:
    """Problems only the repo reveals: unknown sources, collisions after the moves, and
    (with `read`, to look into `__init__.py` files) names a package binds that a module
    would land on, and merged `__init__` files that would import themselves."""
    c = _Checker(Locator(text, where), [])
    loc = c.locator
    moves = plan.moves
    index_of = {m.source: i for i, m in reversed(list(enumerate(moves)))}
    tops = {m.split(".")[0] for m in modules}
    for index, move in enumerate(moves):
        if move.source not in modules:
            close = _closest(move.source, modules) if index < 50 else None
            hint = f" (did you mean '{close}'?)" if close else ""
            c.add(f"move #{index + 1}: source '{move.source}' is not a module of the repo{hint}",
                  loc.entry("moves", index, "source"))
        top = move.target.split(".")[0]
        if top not in tops:
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
        found = _move_index_for(index_of, mapping, olds[0])
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
                found = _move_index_for(index_of, mapping, landing[new][0])
                c.add(f"collision: '{new}' would sit beside a package of the same name "
                      f"('{package_init}')",
                      loc.entry("moves", found, "target") if found is not None else where)
        elif new.endswith("/__init__.py"):
            module_file = new[: -len("/__init__.py")] + ".py"
            if (module_file in new_files or exists(module_file)) and (
                    module_file not in moved_away):
                found = _move_index_for(index_of, mapping, landing[new][0])
                c.add(f"collision: the package '{new[: -len('__init__.py')]}' would sit beside "
                      f"the module '{module_file}' and hide it (Python imports the package)",
                      loc.entry("moves", found, "target") if found is not None else where)
    if plan.facades and not c.problems:
        # A facade stays at every old path: it must not share a name with a new module.
        for old in sorted(mapping.modules):
            path = modules.get(old, ("", False))[0]
            if not path.endswith(".py") or is_test_path(path):
                continue
            other = (path[: -len("/__init__.py")] + ".py" if path.endswith("/__init__.py")
                     else path[:-3] + "/__init__.py")
            if other in landing:
                found = _move_index_for(index_of, mapping, landing[other][0])
                kind = "package" if path.endswith("/__init__.py") else "module"
                c.add(f"with facades on, the facade left at '{path}' (the old {kind} {old}) "
                      f"and '{other}', which a move puts there, would share a name and one "
                      f"would hide the other; set facades = false in the plan, or give one "
                      f"of them another name",
                      loc.entry("moves", found, "target") if found is not None else where)
    if read is not None and not c.problems:
        for message, old in _init_problems(mapping, modules, read):
            found = _move_index_for_module(index_of, mapping, old)
            c.add(message, loc.entry("moves", found, "target") if found is not None else where)
    return c.problems


@dataclass(frozen=True)
class _Binding:
    name: str
    line: int
    imported: str | None
    """The module (old name) an import binds, or None for anything else."""
    loads: str | None = None
    """The module whose namespace the statement needs complete: the module imported
    (`import a.b`, `from a import b` for a submodule b), or P in `from P import name`."""
    chain: bool = False
    """`import a.b.c` without `as`: the code reaches it as `a.b.c`, through every package
    on the way (each must have finished initialising)."""


def _init_bindings(source: bytes, package: str, modules: dict[str, tuple[str, bool]]
                   ) -> list[_Binding] | None:
    """Names a package's `__init__` binds at import time (TYPE_CHECKING blocks left out)."""
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    found: list[_Binding] = []

    def absolute(node: ast.ImportFrom) -> str | None:
        if not node.level:
            return node.module or ""
        parts = package.split(".")
        if node.level - 1 >= len(parts):
            return None
        base = parts[: len(parts) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.append(_Binding(stmt.name, stmt.lineno, None))
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname:
                        found.append(_Binding(alias.asname, stmt.lineno, alias.name,
                                              loads=alias.name))
                    else:
                        top = alias.name.split(".")[0]
                        found.append(_Binding(top, stmt.lineno, top, loads=alias.name,
                                              chain=True))
            elif isinstance(stmt, ast.ImportFrom):
                base = absolute(stmt)
                if base is None:
                    continue
                for alias in stmt.names:
                    if alias.name == "*":
                        continue
                    full = f"{base}.{alias.name}" if base else alias.name
                    is_module = full in modules
                    found.append(_Binding(alias.asname or alias.name, stmt.lineno,
                                          full if is_module else None,
                                          loads=full if is_module else base))
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    for node in ast.walk(target):
                        if isinstance(node, ast.Name):
                            found.append(_Binding(node.id, stmt.lineno, None))
            elif isinstance(stmt, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(stmt.test):
                    visit(stmt.body)
                    visit(stmt.orelse)
            elif isinstance(stmt, ast.Try):
                visit(stmt.body)  # (fallbacks in `except ImportError:` are not what runs)
                visit(stmt.orelse)
                visit(stmt.finalbody)
            elif isinstance(stmt, (ast.With, ast.For, ast.While)):
                visit(stmt.body)

    visit(tree.body)
    return found


def _init_problems(mapping: ModuleMapping, modules: dict[str, tuple[str, bool]],
                   read: Callable[[str], bytes]) -> list[tuple[str, str]]:
    """(message, old module causing it) for two hazards a move can create in a package:

    * a module lands on a name the package's `__init__` binds to something else (the
      import system sets the submodule as that attribute: whichever comes last wins);
    * packages merged into one whose `__init__` files import each other (the merged
      `__init__` would import itself while half-initialised).
    """
    final: dict[str, list[str]] = defaultdict(list)
    for name in modules:
        final[mapping.new_name(name)].append(name)
    children: dict[str, set[str]] = defaultdict(set)
    for name in list(final) + list(mapping.new_packages):
        if "." in name:
            children[names.parent(name)].add(names.last(name))
    problems: list[tuple[str, str]] = []
    for package, olds in sorted(final.items()):
        inits = [o for o in olds if modules[o][1] and modules[o][0].endswith("__init__.py")]
        for init in inits:
            path = modules[init][0]
            try:
                bindings = _init_bindings(read(path), init, modules)
            except OSError:
                continue
            if bindings is None:
                continue
            for binding in bindings:
                child = f"{package}.{binding.name}"
                if binding.name in children.get(package, ()):
                    same = binding.imported is not None and mapping.new_name(
                        binding.imported) == child
                    landed = final.get(child, [])
                    # Side by side before the plan too (they move together): not ours.
                    is_new = f"{init}.{binding.name}" not in landed
                    if not same and is_new:
                        culprit = next((o for o in landed if o != child), init)
                        problems.append((
                            f"'{child}' would be hidden: {path}:{binding.line} binds "
                            f"'{binding.name}' in package {package}, and importing the module "
                            f"{child} rebinds that name; rename one of them", culprit))
                loads = binding.loads
                other = next((i for i in inits if i != init and loads is not None and (
                    loads == i or (binding.chain and names.is_within(loads, i)))), None)
                if len(inits) > 1 and other is not None:
                    problems.append((
                        f"merge into {package}: {path}:{binding.line} imports from {other}, "
                        f"which is merged into the same package, so the merged __init__.py "
                        f"would import itself half-initialised; move that import into a "
                        f"submodule or merge these packages by hand", init))
    return problems


def _move_index_for_module(index_of: dict[str, int], mapping: ModuleMapping, old: str
                           ) -> int | None:
    move = mapping.move_covering(old)
    if move is None:
        return None
    return index_of.get(move.implied_by or move.source)


def is_test_path(path: str) -> bool:
    """Test files get no facade (pytest would collect the facade as a second copy)."""
    pure = PurePosixPath(path)
    name = pure.name
    if name == "conftest.py" or name.startswith("test_") or pure.stem.endswith("_test"):
        return True
    return any(part in ("tests", "test") for part in pure.parts[:-1])


def _existing_paths(modules: dict[str, tuple[str, bool]]) -> list[str]:
    return [path for path, _ in modules.values()]


def _move_index_for(index_of: dict[str, int], mapping: ModuleMapping, old_path: str
                    ) -> int | None:
    file_move = next((f for f in mapping.files if f.old == old_path), None)
    if file_move is None:
        return None
    return index_of.get(file_move.move.implied_by or file_move.move.source)


def _closest(name: str, modules: dict[str, Any]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(name, list(modules), n=1, cutoff=0.8)
    return matches[0] if matches else None
