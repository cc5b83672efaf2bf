"""Plan validation: every problem named with its plan entry and, where possible, its line.

`check_document` checks the plan on its own (types, names, chains between moves), one
section of the file after another; `repo_validation.check_against_repo` checks it
against the modules and files of a repository.
"""

from __future__ import annotations

import keyword
import os
import posixpath
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from pyagent_workbench.errors import PlanError
from pyagent_workbench.model import names
from pyagent_workbench.model.schema import (
    ENTRY_KEYS,
    MAX_ENTRIES,
    OPTION_KEYS,
    REPO_KEYS,
    SCHEMA,
    SINGULAR,
    STATUSES,
    TOP_KEYS,
    VERDICTS,
    plain,
)
from pyagent_workbench.textlines import numbered_lines

_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*(tiers|moves|reviews)[ \t]*\]\]", re.MULTILINE)

Entries = list[tuple[int, dict[str, Any]]]
"""Entries of one array of tables as (index in the file, entry)."""


def too_long(text: str, where: str) -> PlanError | None:
    """Checked on the raw text, before the TOML parser spends minutes on a huge plan."""
    counts: dict[str, int] = defaultdict(int)
    for match in _HEADER.finditer(text):
        counts[match.group(1)] += 1
    for section, count in counts.items():
        if count > MAX_ENTRIES[section]:
            return PlanError(f"{count} {section}: more than {MAX_ENTRIES[section]} is not a "
                             f"plan a person can review; split it into several plans", where=where)
    return None


class Locator:
    """Finds the line of a plan entry in the TOML text, for messages."""

    def __init__(self, text: str, where: str) -> None:
        self.where = where
        self.lines = numbered_lines(text)  # (as TOML and editors count them)
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

    def top_level(self, key: str) -> str:
        """A key of the document itself: its `[key]` table, or its `key = ...` line."""
        return self.table_key(key, key) if key in self._tables else self.table_key(None, key)

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
class Checker:
    """The problems found so far, and where in the plan text each one is."""

    locator: Locator
    problems: list[PlanError] = field(default_factory=list)

    def add(self, message: str, where: str) -> None:
        self.problems.append(PlanError(message, where=where))

    def at_entry(self, message: str, section: str, index: int, key: str | None = None) -> None:
        self.add(message, self.locator.entry(section, index, key))


def _type_name(value: Any) -> str:
    return {str: "a string", bool: "true or false", int: "an integer", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _expected(kind: type) -> str:
    return {str: "a string", bool: "true or false", int: "an integer", list: "a list"}[kind]


def check_document(document: Any, text: str, where: str) -> list[PlanError]:
    """Problems with the plan on its own; an empty list when it is well formed."""
    checker = Checker(Locator(text, where))
    data = plain(document)
    _check_top_level(checker, data)
    for table, allowed in (("repo", REPO_KEYS), ("options", OPTION_KEYS)):
        _check_settings_table(checker, data, table, allowed)
    repo = data.get("repo", {}) if isinstance(data.get("repo", {}), dict) else {}
    _check_repo_values(checker, repo)
    options = data.get("options", {})
    _check_options_values(checker, options if isinstance(options, dict) else {})
    entries = {section: _well_formed_entries(checker, data, section) for section in ENTRY_KEYS}
    tier_names = _check_tiers(checker, entries["tiers"])
    moves = _check_moves(checker, entries["moves"], tier_names)
    _check_move_chains(checker, moves)
    _check_merges_into_subpackages(checker, moves)
    _check_reviews(checker, entries["reviews"])
    return checker.problems


def _check_top_level(checker: Checker, data: dict[str, Any]) -> None:
    """Unknown keys, the schema number and the status."""
    loc = checker.locator
    for key in data:
        if key not in TOP_KEYS:
            checker.add(f"unknown key '{key}' (expected one of: {', '.join(sorted(TOP_KEYS))})",
                        loc.top_level(key))
    schema = data.get("schema")
    if schema is None:
        checker.add("missing 'schema = 1'", loc.where)
    elif type(schema) is not int or schema != SCHEMA:
        checker.add(f"unknown schema {schema!r}: this version of pyagent-workbench reads "
                    f"schema {SCHEMA}", loc.table_key(None, "schema"))
    status = data.get("status", "draft")
    if status not in STATUSES:
        checker.add(f"unknown status {status!r} (expected \"draft\" or \"approved\")",
                    loc.table_key(None, "status"))


def _check_settings_table(checker: Checker, data: dict[str, Any], table: str,
                          allowed: dict[str, type]) -> None:
    """`[repo]` or `[options]`: a table of known keys, each of its type."""
    loc = checker.locator
    value = data.get(table, {})
    if not isinstance(value, dict):
        checker.add(f"'{table}' must be a table", loc.table_key(None, table))
        return
    for key, item in value.items():
        if key not in allowed:
            checker.add(f"unknown key '{key}' in [{table}] (expected one of: "
                        f"{', '.join(sorted(allowed))})", loc.table_key(table, key))
        elif type(item) is not allowed[key]:
            checker.add(f"[{table}] {key} must be {_expected(allowed[key])}, not "
                        f"{_type_name(item)}", loc.table_key(table, key))


_REMOVAL = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+-]{0,19}")
"""`[options] deprecate`: a day (2027-06-30) or a version (3.0, 2.0rc1), written into
the facades' code: short, and of these characters only."""


def _check_options_values(checker: Checker, options: dict[str, Any]) -> None:
    removal = options.get("deprecate")
    if isinstance(removal, str) and not _REMOVAL.fullmatch(removal):
        checker.add(f"[options] deprecate must be a day (2027-06-30) or a version (3.0), "
                    f"at most 20 letters, digits, '.', '+' or '-', not {removal!r}",
                    checker.locator.table_key("options", "deprecate"))


def _check_repo_values(checker: Checker, repo: dict[str, Any]) -> None:
    """`[repo]`: a source root inside the repo, dotted names for packages and containers."""
    loc = checker.locator
    source_root = repo.get("source_root")
    if isinstance(source_root, str):
        problem = source_root_problem(source_root)
        if problem:
            checker.add(problem, loc.table_key("repo", "source_root"))
    for key in ("packages", "containers"):
        items = repo.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, str) or not names.is_dotted_name(item):
                checker.add(f"[repo] {key}: {item!r} is not a dotted module name",
                            loc.table_key("repo", key))
        if key == "packages" and any(isinstance(i, str) and "." in i for i in items):
            checker.add("[repo] packages lists top-level packages only (no dots)",
                        loc.table_key("repo", key))


def _well_formed_entries(checker: Checker, data: dict[str, Any], section: str) -> Entries:
    """The entries of `[[section]]` with every key known and of its type (the others are
    reported, and left out of the checks that follow)."""
    value = data.get(section, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        checker.add(f"'{section}' must be an array of tables ([[{section}]])",
                    checker.locator.table_key(None, section))
        return []
    if len(value) > MAX_ENTRIES[section]:
        checker.add(f"{len(value)} {section}: more than {MAX_ENTRIES[section]} is not a plan "
                    f"a person can review; split it into several plans", checker.locator.where)
        return []
    return [(index, entry) for index, entry in enumerate(value)
            if _entry_is_well_formed(checker, section, index, entry)]


def _entry_is_well_formed(checker: Checker, section: str, index: int,
                          entry: dict[str, Any]) -> bool:
    spec = ENTRY_KEYS[section]
    label = f"{SINGULAR[section]} #{index + 1}"
    ok = True
    for key in entry:
        if key not in spec:
            checker.at_entry(f"{label}: unknown key '{key}' (expected one of: "
                             f"{', '.join(spec)})", section, index, key)
            ok = False
    for key, (kind, required) in spec.items():
        if key not in entry:
            if required:
                checker.at_entry(f"{label}: missing '{key}'", section, index)
                ok = False
        elif type(entry[key]) is not kind:
            checker.at_entry(f"{label}: {key} must be {_expected(kind)}, not "
                             f"{_type_name(entry[key])}", section, index, key)
            ok = False
    return ok


def _check_tiers(checker: Checker, tiers: Entries) -> set[str]:
    """Identifiers for names, dotted names for packages, each declared once; returns the
    names declared."""
    first_by_name: dict[str, int] = {}
    first_by_package: dict[str, int] = {}
    for index, tier in tiers:
        label = f"tier '{tier['name']}'"
        if not names.is_identifier(tier["name"]):
            checker.at_entry(f"{label}: the name must be a Python identifier",
                             "tiers", index, "name")
        if tier["name"] in first_by_name:
            checker.at_entry(f"{label} is declared twice (first as tier "
                             f"#{first_by_name[tier['name']] + 1})", "tiers", index, "name")
        first_by_name.setdefault(tier["name"], index)
        if not names.is_dotted_name(tier["package"]):
            checker.at_entry(f"{label}: package '{tier['package']}' is not a valid dotted "
                             f"module name", "tiers", index, "package")
        elif tier["package"] in first_by_package:
            checker.at_entry(f"{label}: package '{tier['package']}' is used by another tier",
                             "tiers", index, "package")
        first_by_package.setdefault(tier["package"], index)
    return set(first_by_name)


def _check_moves(checker: Checker, moves: Entries, tier_names: set[str]) -> Entries:
    """Each move on its own; returns the moves whose source and target make sense (the
    ones the checks between moves look at)."""
    first_by_source: dict[str, int] = {}
    valid: Entries = []
    for index, move in moves:
        if _move_is_valid(checker, index, move, first_by_source):
            valid.append((index, move))
        first_by_source.setdefault(move["source"], index)
        if "tier" in move and move["tier"] not in tier_names:
            checker.at_entry(f"move #{index + 1} ({move['source']}): tier '{move['tier']}' is "
                             f"not declared in [[tiers]]", "moves", index, "tier")
        _check_progress(checker, index, move)
    return valid


_LANDED = re.compile(r"\d{4}-\d{2}-\d{2}")
_COMMIT = re.compile(r"[0-9a-f]{7,64}")


def _check_progress(checker: Checker, index: int, move: dict[str, Any]) -> None:
    """What an apply records on a move: its batch, the day it landed, its commit."""
    label = f"move #{index + 1} ({move['source']})"
    batch, landed, commit = move.get("batch"), move.get("landed"), move.get("commit")
    if isinstance(batch, int) and not 1 <= batch <= MAX_ENTRIES["moves"]:
        checker.at_entry(f"{label}: batch must be a number from 1 to "
                         f"{MAX_ENTRIES['moves']}, not {batch}", "moves", index, "batch")
    if isinstance(landed, str) and not _LANDED.fullmatch(landed):
        checker.at_entry(f"{label}: landed must be a day written YYYY-MM-DD, not "
                         f"{landed!r}", "moves", index, "landed")
    if isinstance(commit, str) and not _COMMIT.fullmatch(commit):
        checker.at_entry(f"{label}: commit must be a commit id (7 to 64 lower-case hex "
                         f"digits), not {commit!r}", "moves", index, "commit")


def _move_is_valid(checker: Checker, index: int, move: dict[str, Any],
                   first_by_source: dict[str, int]) -> bool:
    source, target = move["source"], move["target"]
    label = f"move #{index + 1} ({source})"
    ok = True
    if not names.is_dotted_name(source):
        checker.at_entry(f"{label}: source '{source}' is not a valid dotted module name",
                         "moves", index, "source")
        ok = False
    if not names.is_dotted_name(target):
        checker.at_entry(f"{label}: target '{target}' is not a valid dotted module name"
                         f"{_why_not_dotted(target)}", "moves", index, "target")
        ok = False
    if source in first_by_source:
        checker.at_entry(f"{label}: source '{source}' is moved twice (also by move "
                         f"#{first_by_source[source] + 1})", "moves", index, "source")
        ok = False
    if not ok:
        return False
    if target == source:
        checker.at_entry(f"{label}: target is the same as the source", "moves", index, "target")
        return False
    if names.is_strictly_within(target, source):
        checker.at_entry(f"{label}: target '{target}' lies inside its own source",
                         "moves", index, "target")
        return False
    dunder = _dunder_target_problem(source, target)
    if dunder:
        checker.at_entry(f"{label}: target '{target}': {dunder}", "moves", index, "target")
        return False
    return True


def _is_dunder(part: str) -> bool:
    return len(part) > 4 and part.startswith("__") and part.endswith("__")


def _dunder_target_problem(source: str, target: str) -> str | None:
    """Python and its tools give `__*__` names a meaning of their own (the language
    reference reserves them): `__init__` is a package's own file (a module moved there
    would be merged into, or overwrite, the package), `__pycache__` is the bytecode
    folder every tool skips and deletes, and packaging tools read `__about__` at its
    path. So a target takes no dunder name, but two that invent nothing: `__main__` as a
    module (what `python -m package` runs: moving a command-line module there is a
    common restructuring), and the name the module already has (`pkg.__version__` moved
    to another package keeps its name). A package named `__main__` is refused with the
    repository's modules (`repo_validation`), which say what is a package."""
    parts = target.split(".")
    for position, part in enumerate(parts):
        if not _is_dunder(part):
            continue
        if part == "__init__":
            return ("'__init__' is the file of a package itself, never a module's name; "
                    "to merge a module into a package, merge its code into that "
                    "package's __init__.py by hand")
        if position < len(parts) - 1:
            return (f"'{part}' cannot name a package: Python and its tools give __*__ "
                    f"names their own meaning (__pycache__ is the bytecode folder they "
                    f"skip and delete); pick another name")
        if part != "__main__" and part != names.last(source):
            return (f"'{part}' is a name Python reserves (__*__); a module may be moved to "
                    f"__main__ (what `python -m` runs) or keep the dunder name it has, "
                    f"nothing else; pick another name")
    return None


def _check_move_chains(checker: Checker, moves: Entries) -> None:
    """A target inside another move's source: the plan would need two steps."""
    by_source = {move["source"]: (index, move) for index, move in moves}
    for index, move in moves:
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
                checker.at_entry(
                    f"move #{index + 1} ({move['source']}): target '{move['target']}' lies in "
                    f"'{other['source']}', which move #{other_index + 1} moves away "
                    f"({relation}); "
                    f"give each source its final place, or split the plan in two",
                    "moves", index, "target",
                )
                break


def _check_merges_into_subpackages(checker: Checker, moves: Entries) -> None:
    """Two packages merged into one, one inside the other: the inner one's modules would
    sit beside the outer one's, and every `outer.inner` reference would need to become
    `outer` itself (no such rewrite exists: `from . import inner` has no equivalent)."""
    by_target: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for index, move in moves:
        by_target[move["target"]].append((index, move["source"]))
    for target, landing in by_target.items():
        for index, source in landing:
            outer = next(((i, s) for i, s in landing if names.is_strictly_within(source, s)),
                         None)
            if outer is not None:
                checker.at_entry(
                    f"move #{index + 1} ({source}): lands on '{target}' like move "
                    f"#{outer[0] + 1} ({outer[1]}), which contains it: a package cannot be "
                    f"merged with its own subpackage; move the subpackage's modules one by "
                    f"one", "moves", index, "target")


def _check_reviews(checker: Checker, reviews: Entries) -> None:
    """Known verdicts, dotted module names, one review per edge."""
    first_by_edge: dict[tuple[str, str], int] = {}
    for index, review in reviews:
        label = f"review #{index + 1} ({review['importer']} -> {review['imported']})"
        if review["verdict"] not in VERDICTS:
            checker.at_entry(f"{label}: unknown verdict {review['verdict']!r} (expected "
                             f"\"accepted\" or \"must-fix\")", "reviews", index, "verdict")
        for key in ("importer", "imported"):
            if not names.is_graph_module_name(review[key]):
                checker.at_entry(f"{label}: {key} '{review[key]}' is not a dotted module name",
                                 "reviews", index, key)
        edge = (review["importer"], review["imported"])
        if edge in first_by_edge:
            checker.at_entry(f"{label}: this edge is already reviewed by review "
                             f"#{first_by_edge[edge] + 1}", "reviews", index)
        first_by_edge.setdefault(edge, index)


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


def is_test_path(path: str) -> bool:
    """Test files get no facade (pytest would collect the facade as a second copy): by
    pytest's names, and whatever lies in a `tests` directory. A `test` directory may be
    a public package of helpers (Django's `django.test`): its modules keep facades."""
    pure = PurePosixPath(path)
    name = pure.name
    if name == "conftest.py" or name.startswith("test_") or pure.stem.endswith("_test"):
        return True
    return "tests" in pure.parts[:-1]
