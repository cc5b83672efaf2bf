"""Facade retirement: which facades are still used, by whom, and removing the rest.

A facade is used when code imports its old path (an import statement, absolute or
relative), names it in a whole-string dotted reference (`mock.patch("old.path.f")`,
`import_module`, a plugin registry), in an argv-style nested string, or in tool
configuration. Mentions in comments, docstrings and prose do not count: they break
nothing when the facade goes (the diff of the apply listed them for review).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pyagent_workbench import safefiles
from pyagent_workbench.model import names
from pyagent_workbench.repo import Repo
from pyagent_workbench.rewrite import facades as facade_files
from pyagent_workbench.rewrite.files import is_config_file
from pyagent_workbench.rewrite.journal import Journal
from pyagent_workbench.rewrite.strings import DOTTED_REFERENCE, NESTED_REFERENCE
from pyagent_workbench.statedir import STATE_DIR


@dataclass(frozen=True)
class Use:
    path: str
    line: int
    text: str
    name: str
    """The old dotted name used (the facade's path or one below it)."""


@dataclass
class Facade:
    old: str
    new: str
    path: str
    is_package: bool
    uses: list[Use] = field(default_factory=list)

    @property
    def used(self) -> bool:
        return bool(self.uses)


def find_facades(repo: Repo) -> list[Facade]:
    found = []
    for path in repo.python_files:
        if not path.endswith(".py"):
            continue
        try:
            head = safefiles.read_regular(repo.root / path, limit=2000, head=True)
        except OSError:
            continue
        marker = facade_files.read_marker(head)
        if marker is None:
            continue
        old, new = marker
        found.append(Facade(old, new, path, PurePosixPath(path).name == "__init__.py"))
    return sorted(found, key=lambda f: f.old)


def find_uses(repo: Repo, facades: list[Facade]) -> list[Facade]:
    """Fill in each facade's uses; a package facade is used when anything below it is."""
    if not facades:
        return facades
    olds = sorted({f.old for f in facades}, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w.])(?:" + "|".join(re.escape(o) for o in olds) + r")(?:\.[A-Za-z_]\w*)*(?![\w])")
    worth_parsing = _worth_parsing(pattern, olds)
    facade_paths = {f.path for f in facades}
    uses: list[Use] = []
    for path in repo.files:
        if path in facade_paths or path.startswith(STATE_DIR + "/"):
            continue
        if path.endswith((".py", ".pyi")):
            uses.extend(_python_uses(repo, path, pattern, olds, worth_parsing))
        elif is_config_file(path):
            uses.extend(_config_uses(repo, path, pattern))

    by_name = {f.old: f for f in facades}
    for use in uses:
        # The facade that serves this name: the longest old path it lies under, and every
        # package facade above it (Python imports those first).
        for old in olds:
            if names.is_within(use.name, old):
                by_name[old].uses.append(use)
    return facades


def _worth_parsing(pattern: re.Pattern[str], olds: list[str]) -> re.Pattern[str]:
    """Text that may import an old path: the path itself, or `from <its package> import`
    (`from pkg.infra import db` names `pkg.infra.db` nowhere in one piece)."""
    parents = sorted({names.parent(o) for o in olds if "." in o}, key=len, reverse=True)
    if not parents:
        return pattern
    from_parent = (r"(?<![\w.])from\s+(?:" + "|".join(re.escape(p) for p in parents)
                   + r")\s+import(?![\w])")
    return re.compile(f"{pattern.pattern}|{from_parent}")


def _python_uses(repo: Repo, path: str, pattern: re.Pattern[str],
                 olds: list[str], worth_parsing: re.Pattern[str]) -> list[Use]:
    try:
        source = safefiles.read_regular(repo.root / path)
    except OSError:
        return []
    text = source.decode("utf-8", errors="replace")
    module = repo.module_name_for(path)
    if worth_parsing.search(text) is None and not ("from ." in text and module is not None):
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        # Unparsable: fall back to the text, which may over-count (safe: keeps a facade).
        return [Use(path, n, line.strip(), m.group(0))
                for n, line in enumerate(text.splitlines(), start=1)
                for m in [pattern.search(line)] if m]
    lines = text.splitlines()
    package = None
    if module is not None:
        package = module if PurePosixPath(path).stem == "__init__" else names.parent(module)
    found = []
    for node, name in _names_referred_to(tree, package):
        if any(names.is_within(name, old) for old in olds):
            line = getattr(node, "lineno", 1)
            found.append(Use(path, line, lines[line - 1].strip() if line <= len(lines) else "",
                             name))
    return found


def _names_referred_to(tree: ast.Module, package: str | None
                       ) -> Iterator[tuple[ast.AST, str]]:
    """Every dotted name the code refers to, with its node: modules and names imported
    (relative imports resolved in `package`; skipped when it is unknown), and whole or
    nested dotted references in strings other than docstrings."""
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                resolved = names.resolve_relative(package, node.level, node.module) if (
                    package is not None) else None
                if resolved is None:
                    continue
                base = resolved
            for alias in node.names:
                yield node, f"{base}.{alias.name}" if alias.name != "*" else base
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                id(node) not in docstrings):
            for name in _string_references(node.value):
                yield node, name


def _string_references(value: str) -> list[str]:
    """A whole-string dotted reference, or else the argv-style ones nested in the string."""
    whole = DOTTED_REFERENCE.match(value)
    if whole:
        return [whole.group("path")]
    return [nested.group("path") or nested.group("mpath")
            for nested in NESTED_REFERENCE.finditer(value)]


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _config_uses(repo: Repo, path: str, pattern: re.Pattern[str]) -> list[Use]:
    try:
        text = safefiles.read_regular(repo.root / path).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("#", ";")):
            continue
        for match in pattern.finditer(line.split(" #")[0]):
            found.append(Use(path, number, line.strip(), match.group(0)))
    return found


@dataclass
class Retirement:
    removed: list[Facade]
    kept: list[Facade]
    removed_dirs: list[str]


def retire(repo: Repo, facades: list[Facade]) -> Retirement:
    """Remove every unused facade (all or nothing, through the journal)."""
    unused = [f for f in facades if not f.used]
    kept = [f for f in facades if f.used]
    # A package facade whose submodule facades are still needed stays.
    needed_packages = {
        p.old for p in facades if p.is_package
        for f in kept if names.is_strictly_within(f.old, p.old)
    }
    unused = [f for f in unused if f.old not in needed_packages]
    kept += [f for f in facades if f.old in needed_packages and f not in kept]
    if not unused:
        return Retirement([], kept, [])
    paths = {f.path for f in unused}
    journal = Journal(repo.root, repo.state_dir)
    journal.begin(paths, git_index=None, plan="facades --remove")
    removed_dirs: list[str] = []
    try:
        for path in sorted(paths):
            journal.remove(repo.root / path)
        for directory in sorted({str(PurePosixPath(p).parent) for p in paths},
                                key=lambda d: -d.count("/")):
            base = repo.root / directory
            leftovers = [p for p in base.iterdir() if p.name != "__pycache__"] if (
                base.is_dir()) else []
            if base.is_dir() and not leftovers:
                journal.remove(base)
                removed_dirs.append(directory)
    except BaseException:
        journal.rollback()
        raise
    journal.commit()
    return Retirement(unused, kept, removed_dirs)
