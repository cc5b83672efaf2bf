"""Compute, in memory, every change a plan makes: the preview `diff` prints and `apply`
writes. Nothing here writes to the repo.

Only files that can refer to a moved module are parsed: the moved files, the
importers the grimp graph names, and files whose text mentions a moved name (one
compiled regex). Parsing runs on every core.

`Preview` computes the changes in steps, one method each; `preview()` is the entry point.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
import posixpath
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Literal

from pyagent_workbench import gitrepo, safefiles
from pyagent_workbench.analysis.graph import ImportGraph
from pyagent_workbench.errors import ApplyError
from pyagent_workbench.model import names
from pyagent_workbench.model.mapping import ModuleMapping, ResolvedMove, resolve
from pyagent_workbench.model.plan import Move
from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite import conform, facades, syntax
from pyagent_workbench.rewrite.context import FileContext, RewriteState, relative_import_may_change
from pyagent_workbench.rewrite.files import (
    FileRewrite,
    Mention,
    dynamic_prefix_pattern,
    find_mentions,
    is_config_file,
    reference_pattern,
    rewrite_config,
    statement_pattern,
)
from pyagent_workbench.rewrite.literals import NamesDefined
from pyagent_workbench.rewrite.merge import InitPart, MergeConflict, merge_inits
from pyagent_workbench.rewrite.pytestconfig import warnings_are_errors
from pyagent_workbench.rewrite.references import (
    DOC_SUFFIXES,
    PathRenames,
    folder_renames,
    names_paths,
    rewrite_doc_references,
)
from pyagent_workbench.rewrite.runner import RewriteJob, Runner, early_syntax_check
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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class PreviewOptions:
    """How much of the plan a preview covers, and how it runs."""

    facades_enabled: bool | None = None
    """`None`: as the plan says."""
    only: frozenset[str] | None = None
    """Only the moves of these sources (the workbench's per-move preview)."""
    jobs: int | None = None
    """Worker processes; `None`: one per core."""
    sweep: bool = True
    """Parse the files that cannot change, to report the ones that do not parse (`diff`
    and `apply` sweep; the workbench's per-move preview does not)."""
    compile_check: bool = False
    """Compile every rewritten text in the worker that computed it (marked `compiled`),
    for `apply`."""
    conform: bool | None = None
    """Sort and format the Python files written as the project does (`rewrite.conform`);
    `None`: as the plan says."""
    later: Mapping[str, str] = field(default_factory=dict)
    """Part of a plan: its moves still to come after this one (source -> target), by
    which split statements are grouped (`Resolver.later`)."""
    earlier: Mapping[str, str] = field(default_factory=dict)
    """Part of a plan: its moves that landed before (target -> source), whose split
    statements this part joins again (`Resolver.earlier`)."""
    origin: tuple[str, str, str] | None = None
    """Part of a plan: the tree before its first part (`Resolver.origin`)."""
    landed: bool = False
    """The plan's moves have landed already (their code at the targets, facades or
    nothing at the sources): only the code still using the old paths is rewritten, no
    file moves and no facade is written (the stragglers of a migration in batches)."""


RewriteProgress = Callable[[int, int], None]
"""Called with (files rewritten, files to rewrite) as the rewrite goes. It may raise to
stop the preview: the exception reaches the caller, and the workers are shut down."""


def preview(
    workspace: Workspace,
    graph: ImportGraph | None = None,
    *,
    facades_enabled: bool | None = None,
    only: Iterable[str] | None = None,
    jobs: int | None = None,
    sweep: bool = True,
    compile_check: bool = False,
    conform: bool | None = None,
    later: Mapping[str, str] | None = None,
    earlier: Mapping[str, str] | None = None,
    origin: tuple[str, str, str] | None = None,
    landed: bool = False,
    progress: RewriteProgress | None = None,
    early: syntax.Parsing | None = None,
    beside_conform: Callable[[ChangeSet], None] | None = None,
) -> ChangeSet:
    """All changes of the plan (or of the moves of the sources in `only`); the options
    are `PreviewOptions`'s. `early`: ruff's check of the repo's files, started before
    (`start_syntax_check`), which the caller stops. `beside_conform`: the caller's work
    on the changes' paths, run while their bytes are conformed (`Preview.conform_beside`)."""
    options = PreviewOptions(facades_enabled=facades_enabled,
                             only=None if only is None else frozenset(only), jobs=jobs,
                             sweep=sweep, compile_check=compile_check, conform=conform,
                             later=dict(later or {}), earlier=dict(earlier or {}),
                             origin=origin, landed=landed)
    return Preview(workspace, graph, options, progress=progress, early=early,
                   beside_conform=beside_conform).changeset()


def start_syntax_check(workspace: Workspace) -> syntax.Parsing:
    """ruff's check of the repo's Python files (not its links), started now for a
    whole-plan preview to come (`preview(early=...)`), which it spares a wait
    (`runner.early_syntax_check`). The caller stops it."""
    repo = workspace.repo
    state = repo.state_dir if repo.state_dir.is_dir() else None
    return early_syntax_check(repo.root,
                              [p for p in repo.python_files if p not in repo.links], state)


_KIND_ORDER = {"move": 0, "rewrite": 1, "create": 2, "facade": 3}


class Preview:
    """One preview of a plan, in steps: find the Python files that can change, rewrite
    them in the workers (while they also sweep the other files for syntax errors), then
    assemble the moved files, the files rewritten in place, the packages to create and
    the facades, and list what is left for a person to review.

    Every file is read at most once (`read`), and its hash kept for `ChangeSet.inputs`.
    """

    def __init__(self, workspace: Workspace, graph: ImportGraph | None = None,
                 options: PreviewOptions | None = None, *,
                 progress: RewriteProgress | None = None,
                 early: syntax.Parsing | None = None,
                 beside_conform: Callable[[ChangeSet], None] | None = None) -> None:
        self.workspace = workspace
        self.progress = progress
        self.early = early
        """ruff's check of the repo's files, started before the preview
        (`runner.early_syntax_check`): it answers the sweep and the rewrite."""
        self.beside_conform = beside_conform
        """The caller's work on the paths of the changes, while conform runs
        (`conform_beside`)."""
        self.repo = workspace.repo
        self.graph = graph
        self.options = options or PreviewOptions()
        only = self.options.only
        self.landed_facades: set[str] = set()
        """With `landed`: the facades at the old paths, never rewritten."""
        if self.options.landed:
            self.mapping, moved_paths, self.landed_facades = _landed_mapping(workspace)
        else:
            self.mapping = workspace.mapping if only is None else _restricted_mapping(
                workspace, [m for m in workspace.plan.moves if m.source in only])
            moved_paths = {name: path for name, (path, _) in workspace.module_table.items()
                           if self.mapping.is_moved(name)}
        self.facades_enabled = (workspace.plan.facades if self.options.facades_enabled is None
                                else self.options.facades_enabled) and not self.options.landed
        self.resolver = replace(Resolver.from_mapping(
            self.mapping, frozenset(workspace.module_table),
            NamesDefined(str(self.repo.root), moved_paths)), later=dict(self.options.later),
            earlier=dict(self.options.earlier), origin=self.options.origin)
        sources = [m.source for m in self.mapping.moves]
        self.pattern = reference_pattern(sources)
        """Any dotted name under a moved module."""
        self.names_moved = statement_pattern(sources)
        """The same, over bytes, as the rewrite sees them (`statement_pattern`)."""
        self.from_parent = _from_import_pattern(sources)
        self.moved_by_old = {f.old: f for f in self.mapping.files}
        self.built_at_run_time = dynamic_prefix_pattern(frozenset(sources))
        self.rewrite_state = RewriteState(self.resolver, self.names_moved,
                                          self.options.compile_check)
        self._contents: dict[str, bytes] = {}
        self._inputs: dict[str, str] = {}
        self._naming_a_move: dict[str, bool] = {}
        self._contexts: dict[str, FileContext] = {}

    def changeset(self) -> ChangeSet:
        """Every change of the plan; raises `ApplyError` when a file that must change
        cannot be rewritten (it does not parse, or two `__init__.py` cannot merge)."""
        if not self.mapping.moves:
            return ChangeSet(changes=[])
        candidates = self.files_that_can_change()
        state_dir = self.repo.state_dir if self.repo.state_dir.is_dir() else None
        # Without an early check, ruff reads the candidates alone, before the sweep's
        # ruff starts: the workers wait for its answer (0.06 s on Django's 570
        # candidates; 0.35 s beside the sweep's 2,200 files).
        checking = self.early or syntax.Parsing(self.repo.root, candidates)
        try:
            swept_paths = self.files_to_sweep(candidates) if self.options.sweep else []
            parsing = checking.result().intersection(candidates)
        finally:
            if checking is not self.early:
                checking.stop()
        with Runner(self.options.jobs) as runner:
            # The sweep's ruff runs beside the rewrite (or ran before it: `early`).
            sweep = (runner.start_sweep(self.repo.root, swept_paths, state_dir, self.early)
                     if self.options.sweep else None)
            try:
                configs: list[tuple[list[FileChange], list[str]]] = []
                results = self.rewrite(runner, candidates, parsing,
                                       meanwhile=lambda: configs.append(self.rewritten_configs()))
                if sweep is not None:
                    sweep.check()  # the workers take it up where the rewrite left them
                unparsable = self.unparsable_candidates(results)
                changes = self.moved_files(results)
                changes += self.rewritten_in_place(
                    results, merged_into={c.new_path for c in changes if c.kind == "rewrite"})
                config_changes, problems = configs[0] if configs else self.rewritten_configs()
                changes += config_changes
                swept = sweep.finish() if sweep is not None else {}
            finally:
                if sweep is not None:
                    sweep.stop()
        # The workers are gone (their memory with them) before the rest, which runs here.
        landed = {c.new_path for c in changes}
        changes += self.created_packages(landed)
        if self.facades_enabled:
            changes += self.facade_files(landed)
        removed_dirs = self.emptied_dirs(changes)
        # Mentions are looked for while conform runs, in the texts as they are then; a
        # text conform replaces is looked at again.
        elsewhere: list[Mention] = []
        written = {c.new_path: c.new_bytes for c in changes if c.kind in ("move", "rewrite")}
        found: dict[str, list[Mention]] = {}

        def look() -> None:
            elsewhere.extend(self.mentions_elsewhere(changes))
            found.update(self.mentions_in(written))

        conform_warnings = self.conform_beside(changes, removed_dirs, look)
        conformed = {c.new_path: c.new_bytes for c in changes
                     if c.kind in ("move", "rewrite") and c.new_bytes is not written[c.new_path]}
        for path in conformed:
            found.pop(path, None)
        found.update(self.mentions_in(conformed))
        mentions = elsewhere + [mention for path in sorted(found) for mention in found[path]]
        problems += [problem for result in results.values() for problem in result.problems]
        if not self.facades_enabled and not self.options.landed:
            problems += self.all_entries_left_behind(changes)
        changes.sort(key=lambda c: (_KIND_ORDER[c.kind], c.new_path, c.old_path or ""))
        unparsable += [_left_unparsable(path, FileRewrite(path, None, error=error))
                       for path, error in sorted(swept.items())]
        return ChangeSet(
            changes=changes,
            removed_dirs=removed_dirs,
            mentions=mentions,
            problems=sorted(set(problems)),
            unparsable=unparsable,
            warnings=self.warnings() + conform_warnings,
            inputs=dict(sorted(self._inputs.items())),
        )

    def read(self, path: str) -> bytes:
        if path not in self._contents:
            data = safefiles.read_regular(os.path.join(self.repo.root, path))
            self._contents[path] = data
            self._inputs.setdefault(path, sha256(data))  # (the first reading's, if read again)
        return self._contents[path]

    def forget_contents_except(self, kept: set[str]) -> None:
        """Let go of the text of every file not in `kept` (read again if asked; its hash
        stays among the inputs): the scan reads every Python file, and most of them
        neither change nor name a moved module (13 MB on Django, for the whole preview)."""
        for path in [p for p in self._contents if p not in kept]:
            del self._contents[path]

    def read_document(self, path: str) -> bytes | None:
        """A text file that is not code (at most 2 MB); `None` when it cannot be read. Not
        kept (the documents of a project are many), nor among the inputs unless the
        changes rewrite it (then `read`)."""
        return _read_small(os.path.join(self.repo.root, path))

    def names_a_move(self, path: str, data: bytes) -> bool:
        """Whether the file's text as it is (`data`) names a moved module: asked once
        per file (the candidates, the documents and the mentions each ask)."""
        known = self._naming_a_move.get(path)
        if known is None:
            known = self._naming_a_move[path] = self.names_moved.search(data) is not None
        return known

    def context_of(self, path: str) -> FileContext:
        """Where the file at `path` sits before and after the moves."""
        if path not in self._contexts:
            dotted_name = self.repo.module_name_for(path)
            is_package = PurePosixPath(path).stem == "__init__"
            new_module = self.resolver.new_name(dotted_name) if dotted_name else None
            self._contexts[path] = FileContext(path, dotted_name, is_package, new_module)
        return self._contexts[path]

    # -- finding and rewriting the Python files that can change --------------------------

    def files_that_can_change(self) -> list[str]:
        """Those whose text names a moved module (one compiled regex), imports a moved
        module's parent (`from a.b import c`), or has a relative import whose meaning the
        moves change; the graph's absolute importers and the files grimp could not
        analyse (we do not know what they import) too, and the moved files git ignores.
        Links are never read (see `links`); one to a Python file outside the repository
        is refused."""
        self.refuse_python_links_out()
        found = {path for path in self._named_by_the_graph()
                 if path not in self.links or path in self.moved_by_old}
        found.update(path for path in self.repo.python_files
                     if path not in found and path not in self.links
                     and path not in self.landed_facades
                     and self._may_refer_to_a_move(path))
        # A git-ignored module of a moved package moves with it: its imports follow.
        found.update(path for path in self.moved_by_old
                     if path.endswith(".py") and path not in found
                     and not os.path.islink(self.repo.root / path)
                     and self._may_refer_to_a_move(path))
        self.forget_contents_except(found | self.moved_by_old.keys())
        return sorted(found - self.landed_facades)

    @property
    def links(self) -> dict[str, str]:
        """Each listed file that is a link, with where it resolves (`Repo.links`). The
        engine never reads or writes through one: a link into the repository is an alias
        of a file the engine handles under its own name; a link out of it is someone
        else's file."""
        return self.repo.links

    def _resolves_outside(self, path: str) -> bool:
        root = os.path.realpath(self.repo.root)
        return os.path.commonpath([root, self.links[path]]) != root

    def refuse_python_links_out(self) -> None:
        """A Python file linked from outside the repository may import a moved module:
        rewriting it would write outside the repository, replacing the link with a file
        would change the user's tree behind their back, and leaving it would break it."""
        for path in sorted(self.links):
            if path.endswith((".py", ".pyi")) and self._resolves_outside(path):
                raise ApplyError(
                    f"{path} is a link to {self.links[path]}, outside the repository: the "
                    f"tool never reads or writes through it, and it may import a moved "
                    f"module; replace the link with a real file, or move it out of the "
                    f"repository, then try again (nothing was changed)")

    def _named_by_the_graph(self) -> set[str]:
        if self.graph is None:
            return set()
        found: set[str] = set()
        for module in self.mapping.modules:
            for record in self.graph.imports_of(module):
                if not record.text.lstrip().startswith("from ."):
                    path = self.repo.path_for_module(record.importer)
                    if path:
                        found.add(path)
        found.update(p.path for p in self.graph.syntax_errors)
        return found

    def _may_refer_to_a_move(self, path: str) -> bool:
        try:
            data = self.read(path)
        except safefiles.NotRegular:
            return False  # a FIFO or a device: no code to rewrite (the sweep reports it)
        if path.endswith(".pyi"):
            return True
        if self.names_a_move(path, data) or self.from_parent.search(data) or _odd_from(data):
            return True
        if self.built_at_run_time.search(data):
            return True  # not rewritten, but listed for review
        if b"from" not in data:
            return False
        return any(relative_import_may_change(len(dots), relative.decode(),
                                              self.context_of(path), self.resolver.sources)
                   for dots, relative in _relative_froms(data))

    def files_to_sweep(self, candidates: list[str]) -> list[str]:
        """The files whose syntax nobody checked yet: grimp parsed every module of the
        analysed packages already (and named the ones it could not parse: they are
        candidates)."""
        scanned: set[str] = set()
        if self.graph is not None:
            for name in self.graph.modules:
                module_file = self.repo.modules.get(name)
                if module_file is not None and module_file.path.endswith(".py"):
                    scanned.add(module_file.path)
        excluded = scanned.union(candidates, self.links)
        return [p for p in self.repo.python_files if p not in excluded]

    def rewrite(self, runner: Runner, candidates: list[str], parsing: set[str], *,
                meanwhile: Callable[[], None] | None = None) -> dict[str, FileRewrite]:
        """Rewrite the candidates (in the workers, when worth it); `parsing`: those a
        native parser found valid (`syntax.parsing_files`: parsed in part). `meanwhile`
        runs here once the first file is back: the parent's own work, while the workers
        work."""
        for path in candidates:
            self.read(path)
        jobs = [RewriteJob(path, self.context_of(path), parses=path in parsing)
                for path in candidates]
        results: dict[str, FileRewrite] = {}
        for result in runner.rewrite(jobs, self._contents, self.rewrite_state):
            results[result.path] = result
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
            if self.progress is not None:
                self.progress(len(results), len(jobs))
        return results

    def unparsable_candidates(self, results: dict[str, FileRewrite]) -> list[str]:
        """The candidates that do not parse (or are too deep for the rewriter), to report;
        raises `ApplyError` when one of them may refer to a moved module (it cannot be
        rewritten, and would break)."""
        blocking: list[str] = []
        too_deep: list[FileRewrite] = []
        unparsable: list[str] = []
        for path, result in sorted(results.items()):
            if result.new_bytes is not None:
                continue
            data = self._contents[path]
            if not (self.names_moved.search(data) or self.from_parent.search(data) or (
                    _relative_refs(data, self.context_of(path), self.resolver))):
                unparsable.append(_left_unparsable(path, result))
            elif result.too_deep_at is not None:
                too_deep.append(result)
            else:
                blocking.append(f"{path}: {result.error} — it refers to a moved module, fix it "
                                f"or exclude it first")
        if too_deep:
            raise ApplyError(_too_deep_message(too_deep))
        if blocking:
            raise ApplyError("cannot rewrite files that do not parse:\n" + "\n".join(blocking))
        return unparsable

    # -- assembling the changes -------------------------------------------------------------

    def moved_files(self, results: dict[str, FileRewrite]) -> list[FileChange]:
        """Every file landing at a new path, rewritten or not; several `__init__.py`
        landing on one path are merged."""
        landing: dict[str, list[str]] = defaultdict(list)
        for file_move in self.mapping.files:
            landing[file_move.new].append(file_move.old)
        return [self._landing(new_path, olds, results)
                for new_path, olds in sorted(landing.items())]

    def _landing(self, new_path: str, olds: list[str], results: dict[str, FileRewrite]
                 ) -> FileChange:
        imports_changed = strings_changed = 0
        pieces = []
        for old in olds:
            rewritten = results.get(old)
            if rewritten is not None and rewritten.new_bytes is not None:
                imports_changed += rewritten.changed_imports
                strings_changed += rewritten.changed_strings
            pieces.append(InitPart(old, self._new_text(old, results)))
        stays = (self.repo.root / new_path).is_file() and new_path not in self.moved_by_old
        if stays:
            pieces.insert(0, InitPart(new_path, self._new_text(new_path, results)))
        if len(pieces) == 1:
            rewritten = results.get(olds[0])
            return FileChange("move", olds[0], new_path, self.read(olds[0]), pieces[0].content,
                              imports_changed, strings_changed,
                              compiled=rewritten is not None and rewritten.compiled)
        try:
            merged = merge_inits(pieces)
        except MergeConflict as conflict:
            raise ApplyError(f"cannot merge into {new_path}: {conflict}") from None
        if stays:
            return FileChange("rewrite", new_path, new_path, self.read(new_path), merged,
                              imports_changed, strings_changed, merged_from=tuple(olds))
        return FileChange("move", olds[0], new_path, self.read(olds[0]), merged,
                          imports_changed, strings_changed, merged_from=tuple(olds))

    def _new_text(self, path: str, results: dict[str, FileRewrite]) -> bytes:
        data = self.read(path)
        rewritten = results.get(path)
        if rewritten is not None and rewritten.new_bytes is not None:
            return rewritten.new_bytes
        return data

    def rewritten_in_place(self, results: dict[str, FileRewrite], merged_into: set[str]
                           ) -> list[FileChange]:
        """Python files that stay where they are but change."""
        changes = []
        for path, result in sorted(results.items()):
            if path in self.moved_by_old or path in merged_into or result.new_bytes is None:
                continue
            if result.new_bytes != self._contents[path]:
                changes.append(FileChange("rewrite", path, path, self._contents[path],
                                          result.new_bytes, result.changed_imports,
                                          result.changed_strings, compiled=result.compiled))
        return changes

    def rewritten_configs(self) -> tuple[list[FileChange], list[str]]:
        """Tool configuration naming moved modules or their files, documentation naming
        moved modules in directives (`rewrite.references`), and the problems met reading
        them."""
        changes: list[FileChange] = []
        problems: list[str] = []
        paths = PathRenames(
            [(f.old, f.new) for f in self.mapping.files]
            + folder_renames({old: self.mapping.modules[old] for old in self.mapping.packages},
                             _source_prefix(self.workspace)))
        for path in self.repo.files:
            config = is_config_file(path) and not path.endswith(".py")
            names_files = names_paths(path)
            doc = path.endswith(DOC_SUFFIXES) and not config
            if not (config or names_files or doc) or path in self.moved_by_old:
                continue
            if path in self.links:
                if self._resolves_outside(path) and (config or names_files):
                    problems.append(f"{path}: a link to {self.links[path]}, outside the "
                                    f"repository: not read, not rewritten (check it by hand)")
                continue
            data = self.read(path) if config or names_files else self.read_document(path)
            if data is None or (doc and not self.names_a_move(path, data)):
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                if not doc:
                    problems.append(f"{path}: not UTF-8, not rewritten")
                continue
            new_text, count = text, 0
            if config:
                new_text, count = rewrite_config(text, path, self.resolver, self.pattern)
            if names_files:
                new_text, renamed = paths.rewrite(new_text)
                count += renamed
            if doc:
                new_text, named = rewrite_doc_references(new_text, self.resolver)
                count += named
            if count:
                if doc:
                    self.read(path)  # recorded among the inputs: apply checks it is unchanged
                changes.append(FileChange("rewrite", path, path, data, new_text.encode("utf-8"),
                                          strings_changed=count))
        return changes, problems

    def created_packages(self, landed: set[str]) -> list[FileChange]:
        """The `__init__.py` of every package the moves need that does not exist."""
        prefix = _source_prefix(self.workspace)
        created = []
        for package in self.mapping.new_packages:
            path = prefix + package.replace(".", "/") + "/__init__.py"
            if path in landed or (self.repo.root / path).exists():
                continue
            tier = next((t for t in self.workspace.plan.tiers if t.package == package), None)
            text = f'"""The `{tier.name}` tier."""\n' if tier else ""
            created.append(FileChange("create", None, path, None, text.encode()))
        return created

    def facade_files(self, landed: set[str]) -> list[FileChange]:
        """A facade at every old module path (test modules excepted)."""
        moved_apart: dict[str, dict[str, str]] = defaultdict(dict)
        for old, new in self.mapping.modules.items():
            for ancestor in names.ancestors(old):
                if ancestor in self.mapping.packages and names.rebase(
                    old, ancestor, self.mapping.modules[ancestor]
                ) != new:
                    moved_apart[ancestor][old] = new
        result = []
        for old, new in sorted(self.mapping.modules.items()):
            info = self.workspace.module_table.get(old)
            if info is None:
                continue
            path, is_package = info
            if facades.is_test_module(path) or not path.endswith(".py"):
                continue
            if path in landed:
                continue  # something else lands on this path (cannot happen in a valid plan)
            width = self.style.code_line_length
            removal = self.workspace.plan.deprecate
            if is_package:
                content = facades.package_text(old, new, moved_apart.get(old, {}), width,
                                               removal=removal)
            else:
                content = facades.module_text(old, new, width, removal=removal)
            result.append(FileChange("facade", None, path, None, content))
        return result

    @functools.cached_property
    def style(self) -> conform.Style:
        """The project's sorter and formatter; none when the plan turns conforming off."""
        enabled = (self.workspace.plan.conform if self.options.conform is None
                   else self.options.conform)
        return conform.detect(self.repo.root) if enabled else conform.Style()

    def conform_beside(self, changes: list[FileChange], removed_dirs: list[str],
                       ours: Callable[[], None]) -> list[str]:
        """`conform`, with the caller's `beside_conform` and then `ours` (this preview's
        work that does not wait for it) run meanwhile, in a thread of their own (conform
        mostly waits for ruff): the caller's is handed the changes with their paths final
        and their bytes not. What they raise is raised here, once conform is done."""
        beside = self.beside_conform
        paths_final = ChangeSet(changes=list(changes), removed_dirs=removed_dirs)
        failures: list[BaseException] = []

        def run() -> None:
            try:
                if beside is not None:
                    beside(paths_final)
                ours()
            except BaseException as failure:  # raised in the caller's thread, below
                failures.append(failure)

        thread = threading.Thread(target=run, name="beside-conform", daemon=True)
        thread.start()
        try:
            warnings = self.conform(changes)
        finally:
            thread.join()
        if failures:
            raise failures[0]
        return warnings

    def conform(self, changes: list[FileChange]) -> list[str]:
        """Sort and format the Python files the changes write where the project kept them
        sorted and formatted, then stamp the facades (their digest covers the final
        bytes). Returns the warnings (ruff could not run)."""
        touched = [conform.Touched(c.new_path, c.old_path, c.old_bytes, c.new_bytes)
                   for c in changes if c.new_path.endswith(".py")
                   and (c.kind == "facade" or (c.kind in ("move", "rewrite") and c.is_modified))]
        before = [path for path in self.repo.python_files if path not in self.links]
        after = {path for path in before if path not in self.moved_by_old}
        after.update(c.new_path for c in changes if c.new_path.endswith(".py"))
        done = conform.conform(self.repo.root, self.style, touched, tree_before=before,
                               tree_after=after)
        for change in changes:
            change.new_bytes = done.texts.get(change.new_path, change.new_bytes)
            if change.kind == "facade":
                if self.style.flake8:  # after ruff: its sorter would take it as a blanket noqa
                    change.new_bytes = facades.exempt_from_flake8(change.new_bytes)
                change.new_bytes = facades.stamped(change.new_bytes)
        return done.warnings

    # -- what is left for a person to review -----------------------------------------------

    def mentions_elsewhere(self, changes: list[FileChange]) -> list[Mention]:
        """Old dotted names in the text of the files the changes leave as they are (the
        paths the changes write are final before their bytes are: this runs while the
        bytes are conformed)."""
        facade_paths = {c.new_path for c in changes if c.kind == "facade"} | self.landed_facades
        changed = {c.new_path for c in changes if c.kind in ("move", "rewrite")}
        found: list[Mention] = []
        for path in self.repo.files:
            if (path in facade_paths or path in self.moved_by_old or path in changed
                    or path in self.links):  # never read through a link
                continue
            if self._naming_a_move.get(path) is False:
                continue  # (its text was searched already: not read again)
            raw = self._reviewable_text(path)
            if raw is not None and self.names_a_move(path, raw):
                found.extend(find_mentions(raw.decode("utf-8", "replace"), path, self.pattern))
        return found

    def mentions_in(self, texts: dict[str, bytes]) -> dict[str, list[Mention]]:
        """Old dotted names left in the texts the changes write (by path; not the
        facades': theirs are on purpose)."""
        return {path: find_mentions(data.decode("utf-8", "replace"), path, self.pattern)
                for path, data in texts.items() if self.names_moved.search(data)}

    def _reviewable_text(self, path: str) -> bytes | None:
        """The text of a file a person may want to review (not a plan: its sources are
        old names on purpose)."""
        if not path.endswith((".py", ".pyi", *_TEXT_SUFFIXES)) and not is_config_file(path):
            return None
        try:
            raw = (self.read(path) if path.endswith((".py", ".pyi"))
                   else self.read_document(path))
        except safefiles.NotRegular:
            return None  # a FIFO or a device (the sweep reports one named as Python)
        if raw is not None and path.endswith(".toml") and b"[[moves]]" in raw:
            return None
        return raw

    def all_entries_left_behind(self, changes: list[FileChange]) -> list[str]:
        """`__all__` entries naming a submodule that leaves its package: without a facade,
        `from package import *` would fail on them, unless the package's `__init__` (as the
        changes leave it) still binds the name (`from . import sub` rewritten to
        `from pkg.core import sub`)."""
        after = {c.old_path: c.new_bytes for c in changes if c.old_path is not None}
        problems = []
        for old, new in sorted(self.mapping.modules.items()):
            package = names.parent(old)
            if not package or names.parent(new) == self.mapping.new_name(package):
                continue
            info = self.workspace.module_table.get(package)
            if info is None or not info[0].endswith("__init__.py"):
                continue
            if _binds(after.get(info[0], self.read(info[0])), names.last(old)):
                continue
            problems += [f"{info[0]}:{line}: __all__ names '{names.last(old)}', which moves to "
                         f"{new}; without a facade `from {package} import *` fails: remove "
                         f"the entry, or keep facades"
                         for line in _all_entry_lines(self.read(info[0]), names.last(old))]
        return problems

    def emptied_dirs(self, changes: list[FileChange]) -> list[str]:
        """Directories left with no file after the moves (removed by apply), the
        outermost of each emptied tree only: a folder of folders emptied
        (`locale/af/LC_MESSAGES/`) goes whole, not its innermost folders alone."""
        root = self.repo.root
        leaving = {c.old_path for c in changes if c.kind == "move" and c.old_path}
        for change in changes:
            leaving.update(change.merged_from)
        arriving = {c.new_path for c in changes}
        filled = _folders_of(arriving)
        """Directories a file lands in (a module renamed in place keeps its directory)."""
        candidates = _folders_of(leaving)
        emptied: set[str] = set()
        for directory in sorted(candidates - filled, key=lambda d: (d.count("/"), d)):
            if posixpath.dirname(directory) in emptied:
                emptied.add(directory)  # (inside an emptied one: emptied too)
            elif (root / directory).is_dir() and not _files_left(root, directory, leaving,
                                                                  arriving):
                emptied.add(directory)
        return sorted((d for d in emptied if posixpath.dirname(d) not in emptied),
                      key=lambda d: (-d.count("/"), d))

    def warnings(self) -> list[str]:
        if not self.facades_enabled:
            return []
        where = warnings_are_errors(self.repo.root)
        if where is None:
            return []
        return [
            f"{where} turns warnings into errors: the facades' DeprecationWarning will fail "
            f"any test that still imports an old path (add \"ignore::DeprecationWarning\" "
            f"for them, or apply with --no-facades)"
        ]


def _left_unparsable(path: str, result: FileRewrite) -> str:
    if result.too_deep_at is not None:
        return (f"{path}:{result.too_deep_at}: too deep for the rewriter ({result.error}); it "
                f"refers to nothing moved, left as it is")
    return (f"{path}: cannot be parsed ({result.error}); it refers to nothing moved, left "
            f"as it is")


def _too_deep_message(results: list[FileRewrite]) -> str:
    """One line: the first file too deep for the rewriter that refers to a moved module,
    and what to do."""
    first = results[0]
    more = f" (and {len(results) - 1} more files)" if len(results) > 1 else ""
    return (f"too deep for the rewriter: {first.path}:{first.too_deep_at}{more} "
            f"({first.error}); it refers to a moved module: split that statement (shorter "
            f"chains, intermediate names), or leave its module out of the plan; nothing was "
            f"changed")


def _binds(source: bytes, name: str) -> bool:
    """Whether a module binds `name` at import time (a star import may bind anything)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == name:
                return True
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if any(alias.name == "*" or (alias.asname or alias.name.split(".")[0]) == name
                   for alias in node.names):
                return True
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name
                   for target in targets for t in ast.walk(target)):
                return True
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "finalbody"):
                pending.extend(getattr(node, block, []))
            for handler in getattr(node, "handlers", []):
                pending.extend(handler.body)
    return False


def _all_entry_lines(init_source: bytes, name: str) -> list[int]:
    """The lines of a package `__init__`'s `__all__` entries equal to `name`."""
    try:
        tree = ast.parse(init_source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # nested past Python's limits
        return []
    lines = []
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)):
            continue
        if not isinstance(node.value, (ast.List, ast.Tuple)):
            continue
        lines += [element.lineno for element in node.value.elts
                  if isinstance(element, ast.Constant) and element.value == name]
    return lines


def _folders_of(paths: Iterable[str]) -> set[str]:
    """Every folder holding one of `paths`, at any depth (the top, "", left out)."""
    folders: set[str] = set()
    for path in paths:
        folder = posixpath.dirname(path)
        while folder and folder not in folders:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    return folders


def _files_left(root: Path, directory: str, leaving: set[str], arriving: set[str]) -> bool:
    """Does a file stay in `directory` (bytecode caches aside) after the moves? (Each
    path is made from the walk's own, without `os.path.relpath`: a moved package's
    tree is walked whole, locale files and all.)"""
    top = os.path.join(root, directory)
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        below = dirpath[len(top):].replace(os.sep, "/")
        for name in filenames:
            path = f"{directory}{below}/{name}"
            if path not in leaving or path in arriving:
                return True
    return False


def _source_prefix(workspace: Workspace) -> str:
    source_root = workspace.repo.source_root
    return "" if source_root == "." else source_root + "/"


def origin_of(workspace: Workspace, landed: Iterable[Move]) -> tuple[str, str, str] | None:
    """The tree before a plan's first part landed (for `Resolver.origin`): the parent of
    the oldest commit holding one of the landed moves (recorded in the plan, else the
    commit that added its target), or HEAD when none is committed; `None` outside git."""
    repo = workspace.repo
    if not repo.is_git:
        return None
    commits = []
    for move in landed:
        commit = move.commit
        target = repo.modules.get(move.target)
        if commit is None and target is not None:
            commit = gitrepo.commit_adding(repo.root, target.path)
        if commit:
            commits.append(commit)
    before = gitrepo.commit_before(repo.root, commits)
    if before is None:
        return None
    prefix = "" if repo.source_root == "." else repo.source_root + "/"
    return (str(repo.root), before, prefix)


def _landed_mapping(workspace: Workspace) -> tuple[ModuleMapping, dict[str, str], set[str]]:
    """The plan's moves, landed: each old module name -> its new one (for every module
    now under a target), no file to move; the new files, which define the names the old
    paths reach; and the facades left at the old paths."""
    table = workspace.module_table
    moves: list[ResolvedMove] = []
    modules: dict[str, str] = {}
    packages: set[str] = set()
    code: dict[str, str] = {}
    for move in workspace.plan.moves:
        target = table.get(move.target)
        if target is None:
            continue
        moves.append(ResolvedMove(move.source, move.target, target[1]))
        for name, (path, is_package) in table.items():
            if names.is_within(name, move.target):
                old = move.source + name[len(move.target):]
                modules[old] = name
                code[old] = path
                if is_package:
                    packages.add(old)
    left = set()
    for old in modules:
        found = table.get(old)
        if found is not None and found[0].endswith(".py"):
            marker = facades.read_marker(_head(workspace.repo.root / found[0]))
            if marker is not None and marker[1] == modules[old]:
                left.add(found[0])
    return ModuleMapping(moves, modules=modules, packages=packages), code, left


def _head(path: Path) -> bytes:
    try:
        return safefiles.read_regular(path, limit=facades.MARKER_WITHIN, head=True)
    except OSError:
        return b""


def _restricted_mapping(workspace: Workspace, moves: list[Move]) -> ModuleMapping:
    repo = workspace.repo
    return resolve(moves, modules=workspace.module_table, source_prefix=_source_prefix(workspace),
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


def _read_small(path: os.PathLike[str] | str, limit: int = 2_000_000) -> bytes | None:
    try:
        return safefiles.read_regular(path, limit=limit)
    except OSError:
        return None


