"""Plan validation against a repository: what only the repo's modules and files reveal.

Unknown sources, targets outside the analysed packages, a package moved to `__main__`,
two files landing on one path, two names differing only in case, a module beside a
package of the same name, a facade sharing its name with a new module, and (reading
`__init__.py` files) names a package binds that a module would land on, and merged
`__init__` files that would import themselves.
"""

from __future__ import annotations

import ast
import difflib
import posixpath
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pyagent_workbench.errors import PlanError
from pyagent_workbench.model import names
from pyagent_workbench.model.mapping import ModuleMapping
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.model.validation import Checker, Locator, is_test_path

Modules = dict[str, tuple[str, bool]]
"""Dotted name -> (path relative to the repo, is it a package)."""


def check_against_repo(
    plan: Plan,
    mapping: ModuleMapping,
    *,
    modules: Modules,
    exists: Callable[[str], bool],
    text: str,
    where: str,
    read: Callable[[str], bytes] | None = None,
) -> list[PlanError]:
    """Problems only the repo reveals; with `read` (to look into `__init__.py` files),
    the hazards of packages too. Each step runs only when the ones before found nothing:
    their findings would make its messages misleading."""
    check = _RepoCheck(Checker(Locator(text, where)), plan, mapping, modules, exists)
    check.names_exist()
    if check.problems:
        return check.problems
    check.files_do_not_collide()
    check.names_differ_by_more_than_case()
    check.modules_do_not_meet_packages()
    if plan.facades and not check.problems:
        check.facades_keep_their_names()
    if read is not None and not check.problems:
        check.packages_stay_sound(read)
    return check.problems


@dataclass
class _RepoCheck:
    checker: Checker
    plan: Plan
    mapping: ModuleMapping
    modules: Modules
    exists: Callable[[str], bool]
    index_of: dict[str, int] = field(init=False)
    """Move source -> its index in the plan (the first, should one be moved twice)."""
    landing: dict[str, list[str]] = field(init=False)
    """New path -> the old paths of the files moved there."""
    moved_away: set[str] = field(init=False)

    def __post_init__(self) -> None:
        moves = self.plan.moves
        self.index_of = {m.source: i for i, m in reversed(list(enumerate(moves)))}
        self.landing = defaultdict(list)
        for file_move in self.mapping.files:
            self.landing[file_move.new].append(file_move.old)
        self.moved_away = {f.old for f in self.mapping.files}

    @property
    def problems(self) -> list[PlanError]:
        return self.checker.problems

    def names_exist(self) -> None:
        """Sources are modules of the repo; targets and tier packages lie in the analysed
        packages."""
        tops = {m.split(".")[0] for m in self.modules}
        for index, move in enumerate(self.plan.moves):
            if move.source not in self.modules:
                close = _closest(move.source, self.modules) if index < 50 else None
                hint = f" (did you mean '{close}'?)" if close else ""
                self.checker.at_entry(f"move #{index + 1}: source '{move.source}' is not a "
                                      f"module of the repo{hint}", "moves", index, "source")
            if move.target.split(".")[0] not in tops:
                self.checker.at_entry(
                    f"move #{index + 1}: target '{move.target}' is outside the analysed "
                    f"packages ({', '.join(sorted(tops))})", "moves", index, "target")
            elif names.last(move.target) == "__main__" and self.modules.get(
                    move.source, ("", False))[1]:
                self.checker.at_entry(
                    f"move #{index + 1}: '{move.source}' is a package, and `python -m` "
                    f"refuses to run a package named __main__; move the module that runs "
                    f"the program there instead", "moves", index, "target")
        for index, tier in enumerate(self.plan.tiers):
            if self.modules and tier.package.split(".")[0] not in tops:
                self.checker.at_entry(f"tier '{tier.name}': package '{tier.package}' is "
                                      f"outside the analysed packages", "tiers", index, "package")

    def files_do_not_collide(self) -> None:
        """Two files landing on one path, or a moved file landing on a file that stays.
        `__init__.py` files of merged packages are merged, not collisions."""
        for new, olds in sorted(self.landing.items()):
            stays = self.exists(new) and new not in self.moved_away
            if len(olds) + stays < 2:
                continue
            if new.endswith(("/__init__.py", "/__init__.pyi")) or new in ("__init__.py",):
                continue
            who = " and ".join(f"'{o}'" for o in olds)
            reason = f"{who} would both land on '{new}'" if len(olds) > 1 else (
                f"{who} would land on '{new}', which exists already")
            self._add_for_file(f"collision: {reason}; rename one of them in the plan", olds[0])

    def names_differ_by_more_than_case(self) -> None:
        """A file or package landing beside one whose name differs only in case: the
        repository could no longer be checked out on macOS or Windows. What the plan
        alone reveals (its modules, their facades); `apply` checks again against every
        file on disk."""
        staying = [path.rstrip("/") for path, _ in self.modules.values()
                   if path.rstrip("/") not in self.moved_away]
        if self.plan.facades:
            staying += [f.old for f in self.mapping.files
                        if f.old.endswith(".py") and not is_test_path(f.old)]
        for arriving, other in case_clashes(staying, self.landing):
            landing = next(new for new in sorted(self.landing)
                           if new == arriving or new.startswith(arriving + "/"))
            self._add_for_file(
                f"'{arriving}' and '{other}' would differ only in case: the repository "
                f"could no longer be checked out on macOS or Windows; pick a name that "
                f"differs by more than case", self.landing[landing][0])

    def modules_do_not_meet_packages(self) -> None:
        """A module and a package of the same name after the moves."""
        new_files = set(self.landing) | {
            path for path, _ in self.modules.values() if path not in self.moved_away}
        for new in sorted(self.landing):
            if new.endswith(".py") and not new.endswith("/__init__.py"):
                package_init = new[:-3] + "/__init__.py"
                if package_init in new_files or self._stays(package_init):
                    self._add_for_file(f"collision: '{new}' would sit beside a package of the "
                                       f"same name ('{package_init}')", self.landing[new][0])
            elif new.endswith("/__init__.py"):
                module_file = new[: -len("/__init__.py")] + ".py"
                if (module_file in new_files or self.exists(module_file)) and (
                        module_file not in self.moved_away):
                    self._add_for_file(
                        f"collision: the package '{new[: -len('__init__.py')]}' would sit "
                        f"beside the module '{module_file}' and hide it (Python imports the "
                        f"package)", self.landing[new][0])

    def facades_keep_their_names(self) -> None:
        """A facade stays at every old path: it must not share a name with a new module."""
        for old in sorted(self.mapping.modules):
            path = self.modules.get(old, ("", False))[0]
            if not path.endswith(".py") or is_test_path(path):
                continue
            is_package = path.endswith("/__init__.py")
            other = (path[: -len("/__init__.py")] + ".py" if is_package
                     else path[:-3] + "/__init__.py")
            if other in self.landing:
                kind = "package" if is_package else "module"
                self._add_for_file(
                    f"with facades on, the facade left at '{path}' (the old {kind} {old}) "
                    f"and '{other}', which a move puts there, would share a name and one "
                    f"would hide the other; set facades = false in the plan, or give one "
                    f"of them another name", self.landing[other][0])

    def packages_stay_sound(self, read: Callable[[str], bytes]) -> None:
        for message, old in _init_problems(self.mapping, self.modules, read):
            move = self.mapping.move_covering(old)
            self._add_for_move(message, move.implied_by or move.source if move else None)

    def _stays(self, path: str) -> bool:
        return self.exists(path) and path not in self.moved_away

    def _add_for_file(self, message: str, old_path: str) -> None:
        """Reported at the target of the move carrying the file `old_path`."""
        file_move = next((f for f in self.mapping.files if f.old == old_path), None)
        move = file_move.move if file_move else None
        self._add_for_move(message, move.implied_by or move.source if move else None)

    def _add_for_move(self, message: str, source: str | None) -> None:
        found = self.index_of.get(source) if source is not None else None
        if found is None:
            self.checker.add(message, self.checker.locator.where)
        else:
            self.checker.at_entry(message, "moves", found, "target")


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


class _BindingCollector:
    """Names a package's `__init__` binds at import time, statement by statement."""

    def __init__(self, package: str, modules: Modules) -> None:
        self.package = package
        self.modules = modules
        self.found: list[_Binding] = []

    def visit(self, body: list[ast.stmt]) -> None:
        """In the order they run; a worklist, not recursion: an `elif` chain of thousands
        of branches nests that deep."""
        pending: list[Iterator[ast.stmt]] = [iter(body)]
        while pending:
            stmt = next(pending[-1], None)
            if stmt is None:
                pending.pop()
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.found.append(_Binding(stmt.name, stmt.lineno, None))
            elif isinstance(stmt, ast.Import):
                self._import(stmt)
            elif isinstance(stmt, ast.ImportFrom):
                self._import_from(stmt)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                self._assign(stmt)
            elif isinstance(stmt, ast.If):
                if not _names_type_checking(stmt.test):
                    pending.append(iter(stmt.body + stmt.orelse))
            elif isinstance(stmt, ast.Try):
                # (fallbacks in `except ImportError:` are not what runs)
                pending.append(iter(stmt.body + stmt.orelse + stmt.finalbody))
            elif isinstance(stmt, (ast.With, ast.For, ast.While)):
                pending.append(iter(stmt.body))

    def _import(self, stmt: ast.Import) -> None:
        for alias in stmt.names:
            if alias.asname:
                self.found.append(_Binding(alias.asname, stmt.lineno, alias.name,
                                           loads=alias.name))
            else:
                top = alias.name.split(".")[0]
                self.found.append(_Binding(top, stmt.lineno, top, loads=alias.name,
                                           chain=True))

    def _import_from(self, stmt: ast.ImportFrom) -> None:
        base = (names.resolve_relative(self.package, stmt.level, stmt.module) if stmt.level
                else stmt.module or "")
        if base is None:
            return
        for alias in stmt.names:
            if alias.name == "*":
                continue
            full = f"{base}.{alias.name}" if base else alias.name
            is_module = full in self.modules
            self.found.append(_Binding(alias.asname or alias.name, stmt.lineno,
                                       full if is_module else None,
                                       loads=full if is_module else base))

    def _assign(self, stmt: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    self.found.append(_Binding(node.id, stmt.lineno, None))



def _names_type_checking(test: ast.expr) -> bool:
    """`if TYPE_CHECKING:` or `if typing.TYPE_CHECKING:` (within any condition)."""
    return any((isinstance(node, ast.Name) and node.id == "TYPE_CHECKING")
               or (isinstance(node, ast.Attribute) and node.attr == "TYPE_CHECKING")
               for node in ast.walk(test))


def _init_bindings(source: bytes, package: str, modules: Modules) -> list[_Binding] | None:
    """Names a package's `__init__` binds at import time (TYPE_CHECKING blocks left out);
    `None` when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    collector = _BindingCollector(package, modules)
    collector.visit(tree.body)
    return collector.found


def _init_problems(mapping: ModuleMapping, modules: Modules,
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
            for binding in bindings or []:
                if binding.name in children.get(package, ()):
                    problems.extend(_hidden_module(mapping, final, package, init, path, binding))
                if len(inits) > 1:
                    problems.extend(_self_import(package, inits, init, path, binding))
    return problems


def _hidden_module(mapping: ModuleMapping, final: dict[str, list[str]], package: str,
                   init: str, path: str, binding: _Binding) -> list[tuple[str, str]]:
    """A module landing on a name the package's `__init__` binds to something else."""
    child = f"{package}.{binding.name}"
    same = binding.imported is not None and mapping.new_name(binding.imported) == child
    landed = final.get(child, [])
    # Side by side before the plan too (they move together): not ours.
    is_new = f"{init}.{binding.name}" not in landed
    if same or not is_new:
        return []
    culprit = next((o for o in landed if o != child), init)
    return [(f"'{child}' would be hidden: {path}:{binding.line} binds '{binding.name}' in "
             f"package {package}, and importing the module {child} rebinds that name; rename "
             f"one of them", culprit)]


def _self_import(package: str, inits: list[str], init: str, path: str,
                 binding: _Binding) -> list[tuple[str, str]]:
    """An `__init__` importing from another `__init__` merged into the same package."""
    loads = binding.loads
    other = next((i for i in inits if i != init and loads is not None and (
        loads == i or (binding.chain and names.is_within(loads, i)))), None)
    if other is None:
        return []
    return [(f"merge into {package}: {path}:{binding.line} imports from {other}, which is "
             f"merged into the same package, so the merged __init__.py would import itself "
             f"half-initialised; move that import into a submodule or merge these packages "
             f"by hand", init)]


def case_key(name: str) -> str:
    """A name as a case-insensitive file system compares it: macOS's folds case and
    Unicode normalisation, Windows' folds case."""
    return unicodedata.normalize("NFD", name).casefold()


def case_clashes(staying: Iterable[str], arriving: Iterable[str]) -> list[tuple[str, str]]:
    """(new, other): two paths (files, or directories on their way) that would share a
    directory under names differing only in case, `new` one the change creates.

    `staying` are the paths there before the change and after it, `arriving` the paths
    the change writes (both relative, POSIX separators); a clash the tree already has is
    not the change's doing and is not reported."""
    old_entries = {entry for path in staying for entry in _entries_on_the_way(path)}
    new_entries = {entry for path in arriving for entry in _entries_on_the_way(path)}
    by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in old_entries | new_entries:
        directory, name = posixpath.split(entry)
        by_key[(directory, case_key(name))].add(entry)
    clashes = set()
    for entries in by_key.values():
        created = sorted(entries - old_entries)
        if len(entries) > 1 and created:
            first = created[0]
            clashes.add((first, min(entries - {first})))
    return sorted(clashes)


def _entries_on_the_way(path: str) -> list[str]:
    """`a/b/c.py` -> [`a`, `a/b`, `a/b/c.py`]."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _closest(name: str, modules: dict[str, Any]) -> str | None:
    matches = difflib.get_close_matches(name, list(modules), n=1, cutoff=0.8)
    return matches[0] if matches else None
