"""Resolve a plan's moves into the exact old -> new mapping of every module and file.

The whole mapping is resolved before anything is rewritten, so that a file touched
by several moves is rewritten once, with every move applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pyagent_workbench.model import names
from pyagent_workbench.model.schema import Move

PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class ResolvedMove:
    """A move of the plan, or one it implies (a colocated test carried along)."""

    source: str
    target: str
    is_package: bool
    implied_by: str | None = None


@dataclass(frozen=True)
class FileMove:
    old: str
    new: str
    """Both relative to the repo root, POSIX separators."""
    move: ResolvedMove
    """The move that carries this file."""


@dataclass
class ModuleMapping:
    """Old dotted name -> new dotted name for every module a plan moves, and the files."""

    moves: list[ResolvedMove]
    modules: dict[str, str] = field(default_factory=dict)
    """Every moved module (packages included), old name -> new name."""
    packages: set[str] = field(default_factory=set)
    """Old names (of `modules`) that are packages."""
    files: list[FileMove] = field(default_factory=list)
    new_packages: list[str] = field(default_factory=list)
    """Packages the moves need that do not exist yet (their `__init__.py` is created)."""
    _by_source: dict[str, ResolvedMove] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_source = {m.source: m for m in self.moves}

    def move_covering(self, name: str) -> ResolvedMove | None:
        """The move that decides where `name` goes: the one with the longest source that
        is `name` or one of its ancestors."""
        candidate = name
        while candidate:
            move = self._by_source.get(candidate)
            if move is not None:
                return move
            candidate = names.parent(candidate)
        return None

    def new_name(self, name: str) -> str:
        """Where a module (or any dotted name below one) lives after the plan."""
        move = self.move_covering(name)
        return names.rebase(name, move.source, move.target) if move else name

    def is_moved(self, name: str) -> bool:
        return self.move_covering(name) is not None


def colocated_tests(module_path: str, exists: Callable[[str], bool]) -> list[str]:
    """Test files living beside a module: `<name>_test.py` and `test_<name>.py`."""
    path = PurePosixPath(module_path)
    stem = path.stem
    candidates = [path.with_name(f"{stem}_test.py"), path.with_name(f"test_{stem}.py")]
    return [c.as_posix() for c in candidates if exists(c.as_posix())]


def resolve(
    moves: Iterable[Move],
    *,
    modules: Mapping[str, tuple[str, bool]],
    source_prefix: str,
    files_under: Callable[[str], list[str]],
    exists: Callable[[str], bool],
    carry_tests: bool = True,
) -> ModuleMapping:
    """Resolve `moves` against the repo.

    `modules` maps each dotted name to (its path, is it a package); `source_prefix` is the
    source root as a path prefix (`""` or `"src/"`); `files_under(dir)` lists every file in
    a directory tree (data files included, caches excluded).
    """
    mapping = ModuleMapping(moves=_resolve_moves(list(moves), modules, exists, carry_tests))
    for name, (_, is_package) in modules.items():
        if mapping.is_moved(name):
            mapping.modules[name] = mapping.new_name(name)
            if is_package:
                mapping.packages.add(name)
    mapping.files = _file_moves(mapping, modules, source_prefix, files_under, exists)
    mapping.new_packages = _packages_to_create(mapping, modules)
    return mapping


def _resolve_moves(moves: list[Move], modules: Mapping[str, tuple[str, bool]],
                   exists: Callable[[str], bool], carry_tests: bool) -> list[ResolvedMove]:
    """The plan's moves, each followed by the colocated tests it carries along."""
    explicit = {m.source for m in moves}
    resolved: list[ResolvedMove] = []
    for move in moves:
        info = modules.get(move.source)
        is_package = bool(info and info[1])
        resolved.append(ResolvedMove(move.source, move.target, is_package))
        wants_tests = carry_tests if move.carry_tests is None else move.carry_tests
        if info and not is_package and wants_tests:
            resolved.extend(
                test for test in _carried_tests(move, info[0], exists)
                if test.source not in explicit and test.source in modules)
    return resolved


def _carried_tests(move: Move, path: str, exists: Callable[[str], bool]
                   ) -> list[ResolvedMove]:
    """The tests beside a moved module, renamed along with it (`test_a` -> `test_b`)."""
    old_stem, new_stem = names.last(move.source), names.last(move.target)
    carried = []
    for test_path in colocated_tests(path, exists):
        test_stem = PurePosixPath(test_path).stem
        # Exactly the two shapes `colocated_tests` finds: renaming by replacing the old
        # name anywhere would hit `test_` itself (`test_st` for `st` -> `store` became
        # `testore_st`, which pytest no longer collects).
        new_test_stem = (f"test_{new_stem}" if test_stem == f"test_{old_stem}"
                         else f"{new_stem}_test")
        carried.append(ResolvedMove(
            names.parent(move.source) + "." + test_stem,
            names.parent(move.target) + "." + new_test_stem,
            is_package=False,
            implied_by=move.source,
        ))
    return carried


def _file_moves(mapping: ModuleMapping, modules: Mapping[str, tuple[str, bool]],
                source_prefix: str, files_under: Callable[[str], list[str]],
                exists: Callable[[str], bool]) -> list[FileMove]:
    """Every file of a moved package directory, and a moved module with its stub, sorted
    by old path."""
    seen: set[str] = set()
    files: list[FileMove] = []
    for carried in mapping.moves:
        info = modules.get(carried.source)
        if info is None:
            continue
        for file in _files_of(*info, files_under=files_under, exists=exists):
            if file in seen:
                continue
            seen.add(file)
            placed = _new_path(file, mapping, source_prefix)
            if placed is not None and placed[0] != file:
                files.append(FileMove(file, placed[0], placed[1]))
    files.sort(key=lambda f: f.old)
    return files


def _files_of(path: str, is_package: bool, *, files_under: Callable[[str], list[str]],
              exists: Callable[[str], bool]) -> list[str]:
    if is_package:
        directory = path[: -len("__init__.py")] if path.endswith("__init__.py") else path
        return files_under(directory.rstrip("/"))
    stub = path[:-3] + ".pyi"
    return [path, stub] if exists(stub) else [path]


def _packages_to_create(mapping: ModuleMapping, modules: Mapping[str, tuple[str, bool]]
                        ) -> list[str]:
    """Ancestors of new names that exist nowhere (sorted)."""
    existing_packages = {
        n for n, (_, is_pkg) in modules.items() if is_pkg and not mapping.is_moved(n)
    }
    new_package_names = {mapping.modules[p] for p in mapping.packages}
    needed: set[str] = set()
    for new in mapping.modules.values():
        for ancestor in names.ancestors(new):
            if ancestor not in existing_packages and ancestor not in new_package_names:
                needed.add(ancestor)
    return sorted(needed)


def _dotted_key(path: str, source_prefix: str) -> list[str] | None:
    """The dotted parts a file sits under: `src/a/b.py` -> [src, a, b]; data files keep
    their full name as the last part."""
    if not path.startswith(source_prefix):
        return None
    parts = _parts(path[len(source_prefix):])
    last = parts[-1]
    for suffix in PYTHON_SUFFIXES:
        if last.endswith(suffix):
            stem = last[: -len(suffix)]
            if stem == "__init__":
                parts.pop()
            else:
                parts[-1] = stem
            break
    return parts


def _parts(relative: str) -> list[str]:
    """`PurePosixPath(relative).parts` of a relative path, without pathlib's cost (the
    mapping places every file of every moved package: thousands)."""
    return [part for part in relative.split("/") if part not in ("", ".")]


def _stem_and_suffix(name: str) -> tuple[str, str]:
    """A file name's `PurePosixPath` stem and suffix (`.bashrc` has none, `a.` neither)."""
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:
        return name[:dot], name[dot:]
    return name, ""


def _new_path(
    path: str, mapping: ModuleMapping, source_prefix: str
) -> tuple[str, ResolvedMove] | None:
    key = _dotted_key(path, source_prefix)
    if key is None:
        return None
    name = path.rpartition("/")[2]
    stem, suffix = _stem_and_suffix(name)
    is_python = suffix in PYTHON_SUFFIXES
    is_init = stem == "__init__" and is_python
    # Longest moved prefix of the key decides.
    for length in range(len(key), 0, -1):
        prefix = ".".join(key[:length])
        move = mapping._by_source.get(prefix)
        if move is None:
            continue
        target_parts = move.target.split(".")
        rest = key[length:]
        if is_init:
            new_parts = [*target_parts, *rest, name]
        elif is_python and not rest:
            new_parts = [*target_parts[:-1], target_parts[-1] + suffix]
        elif is_python:
            new_parts = [*target_parts, *rest[:-1], rest[-1] + suffix]
        else:
            new_parts = [*target_parts, *rest]
        return source_prefix + "/".join(new_parts), move
    return None
