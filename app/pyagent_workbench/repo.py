"""The user's repository as the workbench sees it: layout, files and module names.

Nothing here imports or executes the user's code: modules are found by walking the
file tree, the way Python's path finder would see it from `source_root`.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

from pyagent_workbench import gitrepo, statedir
from pyagent_workbench.errors import RepoError
from pyagent_workbench.model.mapping import PYTHON_SUFFIXES
from pyagent_workbench.model.names import is_dotted_name, is_identifier
from pyagent_workbench.statedir import STATE_DIR

# Directories never analysed or rewritten when the repo is not a git work tree (in a git
# work tree, `.gitignore` decides, as it does for the user).
_SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".env", "env",
        "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis",
        "build", "dist", "node_modules", "site-packages", ".eggs", STATE_DIR,
    }
)
# Top-level directories that hold packages but are not the project's own code.
_NOT_PROJECT_PACKAGES = frozenset(
    {"tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks",
     "scripts", "tools", "build", "dist", "sample_repo"}
)


@dataclass(frozen=True)
class ModuleFile:
    """One importable module (or package) inside the analysed packages."""

    name: str
    path: str
    """Path relative to the repo root, POSIX separators; `.../__init__.py` for a package."""
    is_package: bool


@dataclass(frozen=True)
class Layout:
    source_root: str
    packages: tuple[str, ...]


class Repo:
    """A repository on disk, with the layout a plan (or auto-detection) gives it."""

    def __init__(self, root: Path, *, source_root: str | None = None,
                 packages: list[str] | None = None) -> None:
        self.root = root.resolve()
        if not self.root.is_dir():
            raise RepoError(f"not a directory: {root}")
        detected: Layout | None = None
        if source_root is None or not packages:
            detected = detect_layout(self.root, source_root)
        self.source_root = _normalise_source_root(
            source_root if source_root is not None else detected.source_root  # type: ignore[union-attr]
        )
        self.packages: tuple[str, ...] = (
            tuple(packages) if packages else detected.packages  # type: ignore[union-attr]
        )
        if not self.packages:
            raise RepoError(
                f"no Python package found in {self.root} (looked in source root "
                f"'{self.source_root}'); set [repo] packages in the plan"
            )
        for package in self.packages:
            if not is_dotted_name(package) or "." in package:
                raise RepoError(f"'{package}' is not a top-level package name")
            if not (self.source_dir / package).is_dir():
                raise RepoError(
                    f"package '{package}' not found under source root '{self.source_root}'"
                )

    @property
    def source_dir(self) -> Path:
        return self.root / self.source_root if self.source_root != "." else self.root

    @property
    def state_dir(self) -> Path:
        return statedir.state_dir(self.root)

    # -- files ----------------------------------------------------------------------

    @cached_property
    def is_git(self) -> bool:
        return gitrepo.is_work_tree(self.root)

    @cached_property
    def files(self) -> tuple[str, ...]:
        """Every file of the project (relative POSIX paths), ignored and tool dirs excluded."""
        listed = gitrepo.unignored_files(self.root) if self.is_git else None
        if listed is None:
            listed = _walk_files(self.root)
        return tuple(sorted(p for p in listed if not p.startswith(STATE_DIR + "/")))

    @cached_property
    def links(self) -> dict[str, str]:
        """Each listed file that is a symbolic link, with where it resolves (as the
        listing found them: one pass, asked by the plan's checks and the rewrite)."""
        found: dict[str, str] = {}
        base = str(self.root)
        for path in self.files:
            full = os.path.join(base, path)
            if os.path.islink(full):
                found[path] = os.path.realpath(full)
        return found

    @cached_property
    def python_files(self) -> tuple[str, ...]:
        return tuple(p for p in self.files if p.endswith(PYTHON_SUFFIXES))

    def refresh(self) -> None:
        """Forget cached listings (after the tree changed)."""
        for name in ("files", "python_files", "modules", "is_git", "_regular_packages",
                     "links"):
            self.__dict__.pop(name, None)

    def rescanned(self) -> Repo:
        """The same repo, its listings to be read again: after an apply, whose plan may
        have emptied a package directory the constructor would refuse."""
        fresh = copy.copy(self)
        fresh.refresh()
        return fresh

    # -- modules --------------------------------------------------------------------

    @cached_property
    def modules(self) -> dict[str, ModuleFile]:
        """Modules of the analysed packages by dotted name (`.py` files only; a stub beside
        a module travels with it)."""
        prefix = "" if self.source_root == "." else self.source_root + "/"
        found: dict[str, ModuleFile] = {}
        package_dirs: set[str] = set()
        for path in self.files:
            if not path.endswith(".py") or not path.startswith(prefix):
                continue
            parts = path[len(prefix):].split("/")  # (listed paths are normal: no `.`, no `//`)
            if parts[0] not in self.packages or len(parts) < 2:
                continue
            if not all(is_identifier(p) for p in parts[:-1]):
                continue
            stem = parts[-1][:-3]
            if stem == "__init__":
                name = ".".join(parts[:-1])
                found[name] = ModuleFile(name, path, is_package=True)
                package_dirs.add(name)
            elif is_identifier(stem):
                name = ".".join((*parts[:-1], stem))
                found.setdefault(name, ModuleFile(name, path, is_package=False))
        # Namespace packages: directories holding modules but no __init__.py.
        for name in list(found):
            for ancestor in _ancestors(name):
                if ancestor not in found:
                    directory = prefix + ancestor.replace(".", "/")
                    found[ancestor] = ModuleFile(ancestor, directory + "/", is_package=True)
        return dict(sorted(found.items()))

    def module_name_for(self, path: str) -> str | None:
        """The dotted name a Python file is imported as, inside or outside the analysed
        packages (tests and scripts included); `None` when it has no importable name."""
        p = PurePosixPath(path)
        if p.suffix not in PYTHON_SUFFIXES:
            return None
        stem = p.stem
        parts: list[str] = [] if stem == "__init__" else [stem]
        prefix = "" if self.source_root == "." else self.source_root + "/"
        if path.startswith(prefix):
            parts = list(PurePosixPath(path[len(prefix):]).parent.parts) + parts
            if parts and parts[0] in self.packages:
                return ".".join(parts) if all(is_identifier(x) for x in parts) else None
        # Outside the analysed packages: climb while the directory is a regular package.
        parts = [] if stem == "__init__" else [stem]
        directory = p.parent
        while str(directory) not in ("", ".") and self._is_regular_package(str(directory)):
            parts.insert(0, directory.name)
            directory = directory.parent
        if not parts:
            return None
        return ".".join(parts) if all(is_identifier(x) for x in parts) else None

    def _is_regular_package(self, directory: str) -> bool:
        """Whether the folder holds an `__init__.py` (asked once per folder: the engine
        names every test file of a project, thousands in the same few folders)."""
        known = self._regular_packages
        if directory not in known:
            known[directory] = os.path.isfile(os.path.join(self.root, directory, "__init__.py"))
        return known[directory]

    @cached_property
    def _regular_packages(self) -> dict[str, bool]:
        return {}

    def path_for_module(self, name: str) -> str | None:
        module = self.modules.get(name)
        return module.path if module else None


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _normalise_source_root(source_root: str) -> str:
    if os.path.isabs(source_root) or source_root.startswith(("/", "\\")) or (
        len(source_root) > 1 and source_root[1] == ":"
    ):
        raise RepoError(f"source_root '{source_root}' must be relative to the repo")
    normal = os.path.normpath(source_root).replace(os.sep, "/")
    if normal == ".." or normal.startswith("../"):
        raise RepoError(f"source_root '{source_root}' escapes the repo")
    return normal


def detect_layout(root: Path, source_root: str | None = None) -> Layout:
    """Guess where the code lives: a src layout, a flat layout, or a package named `src`.

    `src/` with an `__init__.py` is a package literally named `src` (as in the Phase I
    proposal's codebase); without one it is a src layout whose packages lie inside it.
    """
    if source_root is not None:
        base = root / _normalise_source_root(source_root)
        return Layout(_normalise_source_root(source_root), tuple(_packages_in(base, root)))
    src = root / "src"
    if src.is_dir() and not (src / "__init__.py").is_file():
        inside = _packages_in(src, root)
        if inside:
            return Layout("src", tuple(inside))
    return Layout(".", tuple(_packages_in(root, root)))


def _packages_in(base: Path, root: Path) -> list[str]:
    if not base.is_dir():
        return []
    ignored = gitrepo.ignored_dirs(root, base)
    found = []
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if not entry.is_dir() or entry.is_symlink() or not is_identifier(entry.name):
            continue
        if entry.name in _NOT_PROJECT_PACKAGES or entry.name in _SKIPPED_DIRS:
            continue
        if entry.name in ignored or (entry / "pyvenv.cfg").exists():
            continue
        if (entry / "__init__.py").is_file() or (
            base != root and any(entry.rglob("*.py"))
        ):
            found.append(entry.name)
    return found


def _walk_files(root: Path) -> list[str]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [
            d for d in dirnames
            if d not in _SKIPPED_DIRS and not d.endswith(".egg-info")
            and not (Path(dirpath, d, "pyvenv.cfg").exists())
        ]
        rel = os.path.relpath(dirpath, root)
        # Symbolic links to directories are listed as entries (git lists them too).
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in [*filenames, *links]:
            path = name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")
            files.append(path)
    return files
