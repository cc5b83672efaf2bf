"""Compute, in memory, every change a plan makes: the preview `diff` prints and `apply`
writes. Nothing here writes to the repo.

Only files that can refer to a moved module are parsed: the moved files, the
importers the grimp graph names, and files whose text mentions a moved name (one
compiled regex). Parsing runs on every core.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal

from pyagent_workbench.analysis.graph import ImportGraph
from pyagent_workbench.errors import ApplyError
from pyagent_workbench.model import names
from pyagent_workbench.model.mapping import ModuleMapping, resolve
from pyagent_workbench.model.plan import Move
from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite import facades
from pyagent_workbench.rewrite.context import FileContext
from pyagent_workbench.rewrite.files import (
    Mention,
    find_mentions,
    is_config_file,
    reference_pattern,
    rewrite_config,
)
from pyagent_workbench.rewrite.merge import InitPart, MergeConflict, merge_inits
from pyagent_workbench.rewrite.runner import RewriteJob, Runner
from pyagent_workbench.rewrite.statements import RewriteState, relative_import_may_change
from pyagent_workbench.workspace import Workspace

ChangeKind = Literal["move", "rewrite", "create", "facade"]

_TEXT_SUFFIXES = (".md", ".rst", ".txt", ".cfg", ".ini", ".toml", ".yaml", ".yml", ".json")


@dataclass
class FileChange:
    kind: ChangeKind
    old_path: str | None
    """`None` for a file that does not exist yet."""
    new_path: str
    old_bytes: bytes | None
    new_bytes: bytes
    imports_changed: int = 0
    strings_changed: int = 0
    merged_from: tuple[str, ...] = ()
    """Old paths whose contents were merged into this file (merged `__init__.py`)."""
    compiled: bool = False
    """`new_bytes` are known to compile (checked where they were computed)."""

    @property
    def is_modified(self) -> bool:
        return self.old_bytes != self.new_bytes


@dataclass
class Summary:
    files_moved: int
    files_rewritten: int
    imports_changed: int
    strings_changed: int
    facades: int
    packages_created: int
    mentions: int
    unparsable: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class ChangeSet:
    """Every change of a plan, computed before the first write."""

    changes: list[FileChange]
    removed_dirs: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Things to review that do not stop the apply (kept relative imports, identities)."""
    unparsable: list[str] = field(default_factory=list)
    """Files that cannot be parsed and reference nothing moved: left alone, reported."""
    warnings: list[str] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)
    """sha256 of every file the changes were computed from (to detect later edits)."""

    @property
    def summary(self) -> Summary:
        moves = [c for c in self.changes if c.kind == "move"]
        rewritten = [c for c in self.changes if c.kind in ("move", "rewrite") and c.is_modified]
        return Summary(
            files_moved=sum(1 + max(0, len(c.merged_from) - 1) for c in moves),
            files_rewritten=len(rewritten),
            imports_changed=sum(c.imports_changed for c in self.changes),
            strings_changed=sum(c.strings_changed for c in self.changes),
            facades=sum(1 for c in self.changes if c.kind == "facade"),
            packages_created=sum(1 for c in self.changes if c.kind == "create"),
            mentions=len(self.mentions),
            unparsable=len(self.unparsable),
        )

    def touched_paths(self) -> set[str]:
        """Every path the apply writes or removes."""
        paths: set[str] = set()
        for change in self.changes:
            paths.add(change.new_path)
            if change.old_path:
                paths.add(change.old_path)
            paths.update(change.merged_from)
        return paths

    def affected_files(self) -> list[str]:
        return sorted({c.new_path for c in self.changes if c.kind != "facade"})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def preview(
    workspace: Workspace,
    graph: ImportGraph | None = None,
    *,
    facades_enabled: bool | None = None,
    only: Iterable[str] | None = None,
    jobs: int | None = None,
    sweep: bool = True,
    compile_check: bool = False,
) -> ChangeSet:
    """All changes of the plan (or of the moves of the sources in `only`).

    `sweep=False` skips parsing the files that cannot change just to report the ones
    that do not parse (the workbench's per-move preview; `diff` and `apply` sweep).
    `compile_check` compiles every rewritten text in the worker that computed it (marked
    `compiled`), for `apply`."""
    repo = workspace.repo
    mapping = workspace.mapping
    if only is not None:
        wanted = set(only)
        moves = [m for m in workspace.plan.moves if m.source in wanted]
        mapping = _restricted_mapping(workspace, moves)
    if facades_enabled is None:
        facades_enabled = workspace.plan.facades
    if not mapping.moves:
        return ChangeSet(changes=[])

    modules = frozenset(workspace.module_table)
    resolver = Resolver.from_mapping(mapping, modules)
    sources = [m.source for m in mapping.moves]
    pattern = reference_pattern(sources)
    moved_by_old = {f.old: f for f in mapping.files}
    inputs: dict[str, str] = {}
    contents: dict[str, bytes] = {}

    def read(path: str) -> bytes:
        if path not in contents:
            data = (repo.root / path).read_bytes()
            contents[path] = data
            inputs[path] = sha256(data)
        return contents[path]

    # 1. Which Python files can change? Those whose text names a moved module (one
    # compiled regex), imports a moved module's parent (`from a.b import c`), or has a
    # relative import whose meaning the moves change; the graph's absolute importers and
    # the files grimp could not analyse (we do not know what they import) too.
    heuristic = _from_import_pattern(sources)
    bytes_pattern = _NamesMoved(sources, re.compile(pattern.pattern.encode()))
    candidates: set[str] = set()
    if graph is not None:
        for module in mapping.modules:
            for record in graph.imports_of(module):
                if not record.text.lstrip().startswith("from ."):
                    path = repo.path_for_module(record.importer)
                    if path:
                        candidates.add(path)
        candidates.update(p.path for p in graph.syntax_errors)
    contexts: dict[str, FileContext] = {}

    def context_of(path: str) -> FileContext:
        if path not in contexts:
            dotted_name = repo.module_name_for(path)
            is_package = PurePosixPath(path).stem == "__init__"
            new_module = resolver.new_name(dotted_name) if dotted_name else None
            contexts[path] = FileContext(path, dotted_name, is_package, new_module)
        return contexts[path]

    for path in repo.python_files:
        if path in candidates:
            continue
        if path.endswith(".pyi"):
            candidates.add(path)
            continue
        data = read(path)
        if bytes_pattern.search(data) or heuristic.search(data) or _odd_from(data):
            candidates.add(path)
            continue
        if b"from" not in data:
            continue
        for dots, relative in _relative_froms(data):
            if relative_import_may_change(len(dots), relative.decode(), context_of(path),
                                          resolver.sources):
                candidates.add(path)
                break

    jobs_list = [RewriteJob(path, context_of(path)) for path in sorted(candidates)]
    for job in jobs_list:
        read(job.path)
    # grimp parsed every module of the analysed packages already (and named the ones it
    # could not parse: they are candidates); the sweep covers the other files.
    scanned: set[str] = set()
    if graph is not None:
        for name in graph.modules:
            module_file = repo.modules.get(name)
            if module_file is not None and module_file.path.endswith(".py"):
                scanned.add(module_file.path)
    others = [p for p in repo.python_files if p not in candidates and p not in scanned]
    state = repo.state_dir if repo.state_dir.is_dir() else None
    # The sweep runs in the workers while this process assembles the changes.
    with Runner(jobs) as runner:
        results = {r.path: r for r in runner.rewrite(
            jobs_list, contents, RewriteState(resolver, bytes_pattern.pattern,
                                              compile_check))}
        pending_sweep = runner.start_sweep(repo.root, others, state) if sweep else dict

        changes: list[FileChange] = []
        problems: list[str] = []
        unparsable: list[str] = []
        blocking: list[str] = []
        for path, result in sorted(results.items()):
            problems.extend(result.problems)
            if result.new_bytes is None:
                data = contents[path]
                context = contexts[path]
                if bytes_pattern.search(data) or heuristic.search(data) or _relative_refs(
                    data, context, resolver
                ):
                    blocking.append(f"{path}: {result.error} — it refers to a moved module, fix it "
                                    f"or exclude it first")
                else:
                    unparsable.append(f"{path}: cannot be parsed ({result.error}); it refers to "
                                      f"nothing moved, left as it is")
        if blocking:
            raise ApplyError(
                "cannot rewrite files that do not parse:\n" + "\n".join(blocking))

        # 2. Moved files (rewritten or not), merged __init__ files.
        landing: dict[str, list[str]] = defaultdict(list)
        for file_move in mapping.files:
            landing[file_move.new].append(file_move.old)
        for new_path, olds in sorted(landing.items()):
            pieces = []
            counts = [0, 0]
            for old in olds:
                rewritten = results.get(old)
                data = read(old)
                if rewritten is not None and rewritten.new_bytes is not None:
                    data = rewritten.new_bytes
                    counts[0] += rewritten.changed_imports
                    counts[1] += rewritten.changed_strings
                pieces.append(InitPart(old, data))
            existing = repo.root / new_path
            stays = existing.is_file() and new_path not in moved_by_old
            if stays:
                current = results.get(new_path)
                data = read(new_path)
                if current is not None and current.new_bytes is not None:
                    data = current.new_bytes
                pieces.insert(0, InitPart(new_path, data))
            if len(pieces) > 1:
                try:
                    merged = merge_inits(pieces)
                except MergeConflict as conflict:
                    raise ApplyError(f"cannot merge into {new_path}: {conflict}") from None
                if stays:
                    changes.append(FileChange("rewrite", new_path, new_path, read(new_path), merged,
                                              counts[0], counts[1], merged_from=tuple(olds)))
                else:
                    changes.append(FileChange("move", olds[0], new_path, read(olds[0]), merged,
                                              counts[0], counts[1], merged_from=tuple(olds)))
            else:
                rewritten = results.get(olds[0])
                changes.append(FileChange(
                    "move", olds[0], new_path, read(olds[0]), pieces[0].content, counts[0],
                    counts[1], compiled=rewritten is not None and rewritten.compiled))
        merged_targets = {c.new_path for c in changes if c.kind == "rewrite"}

        # 3. Files that stay where they are but change.
        for path, result in sorted(results.items()):
            if path in moved_by_old or path in merged_targets or result.new_bytes is None:
                continue
            if result.new_bytes != contents[path]:
                changes.append(FileChange("rewrite", path, path, contents[path], result.new_bytes,
                                          result.changed_imports, result.changed_strings,
                                          compiled=result.compiled))
        for path in repo.files:
            if not is_config_file(path) or path.endswith(".py") or path in moved_by_old:
                continue
            data = read(path)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(f"{path}: not UTF-8, not rewritten")
                continue
            new_text, count = rewrite_config(text, path, resolver, pattern)
            if count:
                changes.append(FileChange("rewrite", path, path, data, new_text.encode("utf-8"),
                                          strings_changed=count))

        # 4. Packages the moves need.
        prefix = "" if repo.source_root == "." else repo.source_root + "/"
        landed = {c.new_path for c in changes}
        for package in mapping.new_packages:
            path = prefix + package.replace(".", "/") + "/__init__.py"
            if path in landed or (repo.root / path).exists():
                continue
            tier = next((t for t in workspace.plan.tiers if t.package == package), None)
            text = f'"""The `{tier.name}` tier."""\n' if tier else ""
            changes.append(FileChange("create", None, path, None, text.encode()))

        # 5. Facades at every old module path.
        if facades_enabled:
            changes.extend(_facades(workspace, mapping, landed))

        # 6. What is left for a person to review.
        mentions: list[Mention] = []
        facade_paths = {c.new_path for c in changes if c.kind == "facade"}
        changed_text = {c.new_path: c.new_bytes for c in changes if c.kind in ("move", "rewrite")}
        for path in repo.files:
            if path in facade_paths or path in moved_by_old:
                continue
            if path in changed_text:
                continue
            if not path.endswith((".py", ".pyi", *_TEXT_SUFFIXES)) and not is_config_file(path):
                continue
            raw = read(path) if path.endswith((".py", ".pyi")) else _read_small(repo.root / path)
            if raw is None or not bytes_pattern.search(raw):
                continue
            if path.endswith(".toml") and b"[[moves]]" in raw:
                continue  # a plan: its sources are old names on purpose
            mentions.extend(find_mentions(raw.decode("utf-8", "replace"), path, pattern))
        for path, data in sorted(changed_text.items()):
            if bytes_pattern.search(data):
                mentions.extend(find_mentions(data.decode("utf-8", "replace"), path, pattern))

        if not facades_enabled:
            problems.extend(_all_entries_left_behind(workspace, mapping, read))
        changes.sort(key=lambda c: (_KIND_ORDER[c.kind], c.new_path, c.old_path or ""))
        for path, error in sorted(pending_sweep().items()):
            unparsable.append(f"{path}: cannot be parsed ({error}); it refers to nothing "
                              f"moved, left as it is")
        changeset = ChangeSet(
            changes=changes,
            removed_dirs=_emptied_dirs(workspace, mapping, changes),
            mentions=mentions,
            problems=sorted(set(problems)),
            unparsable=unparsable,
            warnings=_warnings(workspace, facades_enabled),
            inputs=dict(sorted(inputs.items())),
        )
    return changeset


_KIND_ORDER = {"move": 0, "rewrite": 1, "create": 2, "facade": 3}


def _all_entries_left_behind(workspace: Workspace, mapping: ModuleMapping,
                             read: Callable[[str], bytes]) -> list[str]:
    """`__all__` entries naming a submodule that leaves its package: without a facade,
    `from package import *` would fail on them."""
    problems = []
    for old, new in sorted(mapping.modules.items()):
        package = names.parent(old)
        if not package or names.parent(new) == mapping.new_name(package):
            continue
        info = workspace.module_table.get(package)
        if info is None or not info[0].endswith("__init__.py"):
            continue
        try:
            tree = ast.parse(read(info[0]))
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)):
                continue
            if not isinstance(node.value, (ast.List, ast.Tuple)):
                continue
            for element in node.value.elts:
                if isinstance(element, ast.Constant) and element.value == names.last(old):
                    problems.append(
                        f"{info[0]}:{element.lineno}: __all__ names '{names.last(old)}', which "
                        f"moves to {new}; without a facade `from {package} import *` fails: "
                        f"remove the entry, or keep facades")
    return problems


def _restricted_mapping(workspace: Workspace, moves: list[Move]) -> ModuleMapping:
    repo = workspace.repo
    prefix = "" if repo.source_root == "." else repo.source_root + "/"
    return resolve(moves, modules=workspace.module_table, source_prefix=prefix,
                   files_under=workspace.files_under,
                   exists=lambda rel: (repo.root / rel).is_file(),
                   carry_tests=workspace.plan.carry_tests)


def _from_import_pattern(sources: list[str]) -> re.Pattern[bytes]:
    """`from <parent> import ... <name>` for a moved module: the one reference form the
    dotted-name regex cannot see."""
    by_parent: dict[str, set[str]] = defaultdict(set)
    for source in sources:
        parent = names.parent(source)
        if parent:
            by_parent[parent].add(names.last(source))
    if not by_parent:
        return re.compile(rb"(?!x)x")
    alternatives = []
    for parent, children in sorted(by_parent.items()):
        child = "|".join(re.escape(c) for c in sorted(children))
        alternatives.append(
            rf"from\s+{re.escape(parent)}\s+import\s[^;\n]*?(?:\([^)]*?)?\b(?:{child})\b")
    return re.compile("|".join(alternatives).encode())


# These start with a literal, not a lookbehind, so that `re` can jump between
# occurrences of `from` (a leading lookbehind makes every scan ~25x slower); the
# boundary before `from` is checked in code.
_RELATIVE_FROM = re.compile(rb"from[ \t]+(\.+)[ \t]*([\w.]*)[ \t]+import(?!\w)")
_ODD_FROM = re.compile(rb"from[ \t]*\\")
"""`from` continued on the next line: too odd for the regexes, parsed instead."""


def _at_word_start(data: bytes, start: int) -> bool:
    return start == 0 or not (chr(data[start - 1]).isalnum() or data[start - 1] in b"_.")


def _relative_froms(data: bytes) -> list[tuple[bytes, bytes]]:
    return [(m.group(1), m.group(2)) for m in _RELATIVE_FROM.finditer(data)
            if _at_word_start(data, m.start())]


def _odd_from(data: bytes) -> bool:
    return any(_at_word_start(data, m.start()) for m in _ODD_FROM.finditer(data))


class _NamesMoved:
    """Does a text name a moved module? A substring test first (C speed), the exact
    dotted-boundary regex only on the files that pass it."""

    def __init__(self, sources: list[str], pattern: re.Pattern[bytes]) -> None:
        self.needles = sorted({s.encode() for s in sources}, key=len)
        self.pattern = pattern

    def search(self, data: bytes) -> re.Match[bytes] | None:
        if not any(needle in data for needle in self.needles):
            return None
        return self.pattern.search(data)
_RELATIVE_IMPORT = re.compile(
    rb"^[ \t]*from[ \t]+(\.+)([\w.]*)[ \t]+import[ \t]+\(?([\w, \t]+)", re.MULTILINE)


def _relative_refs(data: bytes, context: FileContext, resolver: Resolver) -> bool:
    """Could a file we cannot parse import a moved module relatively? Read its relative
    imports with a regex and resolve them, from where the file is and where it goes."""
    for dots, module, imported in _RELATIVE_IMPORT.findall(data):
        for package in (context.package, context.new_package):
            if package is None:
                return True
            parts = package.split(".") if package else []
            level = len(dots)
            if level - 1 >= len(parts):
                return True
            base = ".".join(parts[: len(parts) - (level - 1)] + (
                [module.decode()] if module else []))
            if context.package != context.new_package or resolver.is_moved(base):
                return True
            for name in imported.decode().replace(" ", "").split(","):
                if name and resolver.is_moved(f"{base}.{name}"):
                    return True
    return False


def _read_small(path: os.PathLike[str], limit: int = 2_000_000) -> bytes | None:
    try:
        if os.path.getsize(path) > limit:
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _facades(workspace: Workspace, mapping: ModuleMapping, landed: set[str]
             ) -> list[FileChange]:
    result = []
    moved_apart: dict[str, dict[str, str]] = defaultdict(dict)
    for old, new in mapping.modules.items():
        for ancestor in names.ancestors(old):
            if ancestor in mapping.packages and names.rebase(
                old, ancestor, mapping.modules[ancestor]
            ) != new:
                moved_apart[ancestor][old] = new
    for old, new in sorted(mapping.modules.items()):
        info = workspace.module_table.get(old)
        if info is None:
            continue
        path, is_package = info
        if facades.is_test_module(path) or not path.endswith(".py"):
            continue
        if path in landed:
            continue  # something else lands on this path (cannot happen in a valid plan)
        if is_package:
            content = facades.package_facade(old, new, moved_apart.get(old, {}))
        else:
            content = facades.module_facade(old, new)
        result.append(FileChange("facade", None, path, None, content))
    return result


def _emptied_dirs(workspace: Workspace, mapping: ModuleMapping,
                  changes: list[FileChange]) -> list[str]:
    """Directories left with no file after the moves (removed by apply)."""
    repo = workspace.repo
    leaving = {c.old_path for c in changes if c.kind == "move" and c.old_path}
    for change in changes:
        leaving.update(change.merged_from)
    arriving = {c.new_path for c in changes}
    filled = {str(parent) for p in arriving for parent in PurePosixPath(p).parents}
    """Directories a file lands in (a module renamed in place keeps its directory)."""
    candidates = {str(PurePosixPath(p).parent) for p in leaving}
    emptied = []
    for directory in sorted(candidates, key=lambda d: (-d.count("/"), d)):
        base = repo.root / directory
        if directory in filled or not base.is_dir():
            continue
        remaining = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in filenames:
                rel = os.path.relpath(os.path.join(dirpath, name), repo.root).replace(os.sep, "/")
                if rel not in leaving or rel in arriving:
                    remaining.append(rel)
        if not remaining:
            emptied.append(directory)
    return emptied


def _warnings(workspace: Workspace, facades_enabled: bool) -> list[str]:
    if not facades_enabled:
        return []
    from pyagent_workbench.rewrite.pytestconfig import warnings_are_errors

    where = warnings_are_errors(workspace.repo.root)
    if where is None:
        return []
    return [
        f"{where} turns warnings into errors: the facades' DeprecationWarning will fail any "
        f"test that still imports an old path (add \"ignore::DeprecationWarning\" for them, "
        f"or apply with --no-facades)"
    ]
