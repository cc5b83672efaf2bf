"""The import graph of a repo, built by grimp (which parses; it never runs the code).

grimp finds top-level packages through `importlib.util.find_spec`, which looks at the
current interpreter's `sys.path` and `sys.modules`: a repo package named like an
installed or standard module (`logging`, `src`) would resolve to the wrong place. We
hand grimp each package's directory ourselves instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import stat
import tempfile
import tokenize
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grimp
from grimp.application import usecases
from grimp.application.config import settings
from grimp.application.ports.modulefinder import FoundPackage, ModuleFile
from grimp.domain.valueobjects import Module
from grimp.exceptions import SourceSyntaxError

from pyagent_workbench import cachefile, gitrepo, safefiles
from pyagent_workbench.errors import RepoError
from pyagent_workbench.repo import Repo
from pyagent_workbench.statedir import GRAPH_CACHE, STATE_DIR, ensure_state_dir

RUST_THREAD_STACK = 256 << 20
"""Stack of the threads grimp's Rust scanner parses in (Rust's default is 2 MiB). Its
parser recurses once per level of nesting and stops at a limit of its own (reported as
a syntax error), but with 2 MiB of stack a module of 60,000 `+` operands overflowed
first and killed the process (SIGSEGV): a committed file could crash every command. The
stack is address space, not memory, until used. Read by Rust when it starts a thread,
so it must be set before the first scan; a value the user set is kept."""
os.environ.setdefault("RUST_MIN_STACK", str(RUST_THREAD_STACK))

GRIMP_CACHE = "grimp-cache"
_GRAPH_CACHE_VERSION = 1
"""Bump when `build_graph` would answer differently for the same files."""


@dataclass(frozen=True)
class ImportRecord:
    """One import statement between two modules of the analysed packages."""

    importer: str
    imported: str
    line: int
    text: str


@dataclass(frozen=True)
class SyntaxProblem:
    path: str
    line: int | None
    text: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: syntax error: {self.text.strip() or '<unavailable>'}"


@dataclass
class ImportGraph:
    """Modules and import statements of the analysed packages."""

    modules: set[str]
    imports: list[ImportRecord]
    syntax_errors: list[SyntaxProblem] = field(default_factory=list)
    _importers: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _records: dict[str, list[ImportRecord]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        importers: dict[str, set[str]] = defaultdict(set)
        records: dict[str, list[ImportRecord]] = defaultdict(list)
        for record in self.imports:
            importers[record.imported].add(record.importer)
            records[record.imported].append(record)
        self._importers = dict(importers)
        self._records = dict(records)

    def importers_of(self, module: str) -> set[str]:
        return self._importers.get(module, set())

    def imports_of(self, module: str) -> list[ImportRecord]:
        """Every import statement importing `module`, with its line."""
        return self._records.get(module, [])

    def edges(self) -> set[tuple[str, str]]:
        return {(r.importer, r.imported) for r in self.imports}


def build_graph(repo: Repo, *, use_cache: bool = True) -> ImportGraph:
    """Build the graph of `repo.packages`; a file with a syntax error is reported and left
    out, and the rest is analysed."""
    found = {_find_package(repo, name) for name in repo.packages}
    _refuse_irregular(repo, found)
    gitrepo.refuse_committed_state(repo.root, STATE_DIR)
    cache_dir: str | None = None
    cache_file: Path | None = None
    key = ""
    if use_cache:
        state = ensure_state_dir(repo.root)
        cache_dir = str(state / GRIMP_CACHE)
        cache_file = state / GRAPH_CACHE
        key = _found_key(found)
        cached = _load_graph(cache_file, key)
        if cached is not None:
            return cached
    graph = _build(repo, found, cache_dir)
    if cache_file is not None:
        _save_graph(cache_file, key, graph)
    return graph


def _refuse_irregular(repo: Repo, found: set[FoundPackage]) -> None:
    """grimp reads every module file it finds, links followed: a repository can commit
    `mod.py` as a link to `/dev/zero` (bytes without end) or `/dev/tty` (a read that
    waits for the keyboard), and a FIFO blocks the read. Only regular files within the
    size bound go on, and only files of the repository: a module that is a link (or lies
    in a linked folder) resolving outside it would have the tool read, and `apply`
    rewrite, a file that is not the repository's."""
    root = os.path.realpath(repo.root)
    real_dirs: dict[str, str] = {}
    for package in sorted(found, key=lambda p: p.name):
        for module_file in package.module_files:
            path = _module_path(package, module_file.module.name)
            try:
                info = os.stat(path)
            except OSError:
                continue  # gone, or a dangling link: grimp reports what it cannot read
            if not stat.S_ISREG(info.st_mode):
                raise RepoError(
                    f"{_relative(repo, path)} is not a regular file (a FIFO, a device or a "
                    f"socket, or a link to one): the tool reads only regular files; "
                    f"remove it or replace it with a real file")
            if info.st_size > safefiles.READ_LIMIT:
                raise RepoError(
                    f"{_relative(repo, path)} is larger than "
                    f"{safefiles.READ_LIMIT >> 20} MiB: not a module a person wrote; "
                    f"move it out of the package or leave its package out of the analysis")
            folder = os.path.dirname(path)
            if folder not in real_dirs:
                real_dirs[folder] = os.path.realpath(folder)
            linked = os.path.islink(path)
            real = (os.path.realpath(path) if linked
                    else os.path.join(real_dirs[folder], os.path.basename(path)))
            if os.path.commonpath([root, real]) != root:
                how = "is a link to" if linked else "lies in a linked folder: it is"
                shown = Path(os.path.relpath(path, repo.root)).as_posix()
                raise RepoError(
                    f"{shown} {how} {real}, outside the repository: the tool reads and "
                    f"rewrites only the repository's own files; replace the link with a "
                    f"real file or folder")


def _found_key(found: set[FoundPackage]) -> str:
    """What a graph is built from: every module file with its modification time (as
    grimp's own cache keys it), and the versions that could change the answer."""
    packages = sorted(
        [package.name, package.directory,
         sorted([mf.module.name, mf.mtime] for mf in package.module_files),
         sorted(package.namespace_packages)]
        for package in found)
    text = json.dumps([_GRAPH_CACHE_VERSION, grimp.__version__, packages],
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _load_graph(path: Path, key: str) -> ImportGraph | None:
    """The graph saved for `key`, or None (no cache, another key, or a file that is not
    what `_save_graph` writes: it is checked, never trusted)."""
    data = cachefile.load(path)
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    try:
        modules = set(data["modules"])
        imports = [ImportRecord(str(a), str(b), int(line), str(text))
                   for a, b, line, text in data["imports"]]
        problems = [SyntaxProblem(str(path), None if line is None else int(line), str(text))
                    for path, line, text in data["syntax_errors"]]
    except (ValueError, TypeError, KeyError):
        return None
    if not all(isinstance(m, str) for m in modules):
        return None
    return ImportGraph(modules=modules, imports=imports, syntax_errors=problems)


def _save_graph(path: Path, key: str, graph: ImportGraph) -> None:
    data = {
        "key": key,
        "modules": sorted(graph.modules),
        "imports": [[r.importer, r.imported, r.line, r.text] for r in graph.imports],
        "syntax_errors": [[p.path, p.line, p.text] for p in graph.syntax_errors],
    }
    cachefile.save(path, data)


def _build(repo: Repo, found: set[FoundPackage], cache_dir: str | None) -> ImportGraph:
    problems: list[SyntaxProblem] = []
    while True:
        try:
            imports_by_module = _scan(found, cache_dir)
            break
        except SourceSyntaxError as error:
            broken = _relative(repo, error.filename)
            problems.append(SyntaxProblem(broken, error.lineno, error.text or ""))
            found = _without_file(found, error.filename)
            if len(problems) > 10_000:  # pragma: no cover - defensive
                raise RepoError("too many files with syntax errors") from None
        except UnicodeError as error:  # grimp reads every file as UTF-8
            undecodable = _undecodable_files(found, error)
            if not undecodable:
                raise RepoError(f"the import scanner could not read a file: {error}") from None
            for path in undecodable:
                problems.append(SyntaxProblem(
                    _relative(repo, path), None,
                    "cannot be decoded as UTF-8 (and declares no other encoding)"))
                found = _without_file(found, path)
        except BaseException as error:  # grimp's Rust core panics on some inputs
            if type(error).__name__ != "PanicException":
                raise
            culprits = _panicking_files(found)
            for path in culprits:
                problems.append(SyntaxProblem(
                    _relative(repo, path), None,
                    "cannot be analysed (a relative import above the top-level package?)"))
                found = _without_file(found, path)
            if not culprits:
                raise RepoError("the import scanner failed on this repo") from None
    modules: set[str] = set()
    for package in found:
        modules.update(mf.module.name for mf in package.module_files)
        modules.update(package.namespace_packages)
        modules.add(package.name)
    records = [
        ImportRecord(
            importer=direct.importer.name,
            imported=direct.imported.name,
            line=direct.line_number,
            text=direct.line_contents,
        )
        for direct_imports in imports_by_module.values()
        for direct in direct_imports
    ]
    records.sort(key=lambda r: (r.importer, r.line, r.imported))
    return ImportGraph(modules=modules, imports=records, syntax_errors=problems)


def _scan(found: set[FoundPackage], cache_dir: str | None) -> dict[Any, Any]:
    """grimp's scan. When its Rust core panics (it does on a relative import above the
    top-level package), the panic message it prints to file descriptor 2 is dropped (the
    caller reports the file instead); anything else printed there is passed on."""
    with _captured_stderr() as captured:
        try:
            result = usecases._scan_packages(
                found_packages=found,
                file_system=settings.FILE_SYSTEM.convert_to_basic(),
                include_external_packages=False,
                exclude_type_checking_imports=False,
                cache_dir=cache_dir,
            )
        except BaseException as error:
            if type(error).__name__ == "PanicException":
                captured.clear()
            raise
    return result


class _Captured:
    def __init__(self) -> None:
        self.keep = True

    def clear(self) -> None:
        self.keep = False


@contextlib.contextmanager
def _captured_stderr() -> Iterator[_Captured]:
    captured = _Captured()
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 at all: nothing to protect
        yield captured
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield captured
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if captured.keep:
                sink.seek(0)
                data = sink.read()
                if data:
                    with contextlib.suppress(OSError):
                        os.write(2, data)


_UNDECODABLE = re.compile(r"Failed to decode file (.+?) as UTF-8")


def _undecodable_files(found: set[FoundPackage], error: UnicodeError) -> list[str]:
    """The files grimp could not read: the one its error names, else every module file
    that Python itself could not decode."""
    match = _UNDECODABLE.search(str(error))
    if match and os.path.isfile(match.group(1)):
        return [match.group(1)]
    culprits = []
    for package in found:
        for module_file in package.module_files:
            path = _module_path(package, module_file.module.name)
            try:
                with open(path, "rb") as handle:
                    source = handle.read()
                encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
                source.decode(encoding)
            except OSError:
                continue
            except (SyntaxError, UnicodeError, LookupError):
                culprits.append(path)
    return culprits


def _panicking_files(found: set[FoundPackage]) -> list[str]:
    """The files the scanner cannot take, found by halving the set of files."""
    files = sorted(
        (package, module_file) for package in found for module_file in package.module_files
    )

    def scan_ok(subset: list[tuple[FoundPackage, Any]]) -> bool:
        by_package: dict[FoundPackage, set[Any]] = defaultdict(set)
        for package, module_file in subset:
            by_package[package].add(module_file)
        trial = {
            FoundPackage(name=p.name, directory=p.directory, module_files=frozenset(mfs),
                         namespace_packages=p.namespace_packages)
            for p, mfs in by_package.items()
        }
        while True:
            try:
                _scan(trial, None)
            except SourceSyntaxError as error:  # reported by the caller's loop
                trial = _without_file(trial, error.filename)
            except UnicodeError as error:  # (likewise)
                undecodable = _undecodable_files(trial, error)
                if not undecodable:
                    return True
                for path in undecodable:
                    trial = _without_file(trial, path)
            except BaseException as error:
                if type(error).__name__ != "PanicException":
                    raise
                return False
            else:
                return True

    culprits: list[str] = []

    def bisect(subset: list[tuple[FoundPackage, Any]]) -> None:
        if scan_ok(subset):
            return
        if len(subset) == 1:
            package, module_file = subset[0]
            culprits.append(_module_path(package, module_file.module.name))
            return
        middle = len(subset) // 2
        bisect(subset[:middle])
        bisect(subset[middle:])

    bisect(files)
    return culprits


def _find_package(repo: Repo, name: str) -> FoundPackage:
    directory = os.path.join(repo.source_dir, name)
    found: FoundPackage = settings.MODULE_FINDER.find_package(
        package_name=name, package_directory=directory, file_system=settings.FILE_SYSTEM
    )
    # grimp leaves out the modules of a directory without __init__.py inside a regular
    # package; Python imports them (the directory is a namespace package), so the repo's
    # own listing adds them.
    known = {module_file.module.name for module_file in found.module_files}
    extra_files: list[ModuleFile] = []
    extra_namespaces: set[str] = set()
    for module_name, module in repo.modules.items():
        if module_name in known or module_name.split(".")[0] != name or module_name == name:
            continue
        if module.path.endswith("/"):
            extra_namespaces.add(module_name)
            continue
        try:
            mtime = os.stat(repo.root / module.path).st_mtime
        except OSError:
            continue
        extra_files.append(ModuleFile(module=Module(module_name), mtime=mtime))
    if not extra_files:
        return found
    return FoundPackage(name=found.name, directory=found.directory,
                        module_files=frozenset(found.module_files) | frozenset(extra_files),
                        namespace_packages=frozenset(found.namespace_packages)
                        | frozenset(extra_namespaces - known))


def _without_file(found: set[FoundPackage], filename: str) -> set[FoundPackage]:
    """The packages with one module file (the broken one) left out."""
    result = set()
    for package in found:
        kept = frozenset(
            mf for mf in package.module_files
            if _module_path(package, mf.module.name) != os.path.abspath(filename)
        )
        result.add(FoundPackage(name=package.name, directory=package.directory,
                                module_files=kept, namespace_packages=package.namespace_packages))
    return result


def _module_path(package: FoundPackage, module: str) -> str:
    parts = module.split(".")[1:]
    base = os.path.join(package.directory, *parts)
    init = os.path.join(base, "__init__.py")
    return os.path.abspath(init if os.path.isfile(init) else base + ".py")


def _relative(repo: Repo, filename: str) -> str:
    try:
        return Path(filename).resolve().relative_to(repo.root).as_posix()
    except ValueError:
        return filename


def module_names(records: Iterable[ImportRecord]) -> set[str]:
    return {r.importer for r in records} | {r.imported for r in records}
