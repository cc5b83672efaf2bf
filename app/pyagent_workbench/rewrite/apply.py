"""Apply a plan: every change computed and parsed in memory first, then written through
the journal, all or nothing.

`apply_plan` runs `_Apply`'s steps in order: refuse early (before anything is computed),
compute the changes, check that every package moves whole (`wholetree`), record what the
tree does before (imports, tests), write through the journal, stage in git, run the tests
after, commit; then, past the commit point, only bookkeeping and verify, neither of which
can undo the apply.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
import posixpath
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, ParamSpec, TypeVar

from pyagent_workbench import gitrepo, safefiles
from pyagent_workbench.analysis.graph import ImportGraph, build_graph
from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.errors import ApplyError, OutputError
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.rewrite import records
from pyagent_workbench.rewrite import verify as verifying
from pyagent_workbench.rewrite.dirmoves import DirMove, list_tree, plan_dir_moves, vacated_dirs
from pyagent_workbench.rewrite.engine import (
    ChangeSet,
    FileChange,
    origin_of,
    preview,
    sha256,
    start_syntax_check,
)
from pyagent_workbench.rewrite.journal import (
    Fault,
    Journal,
    kill_switch_from_env,
    temporary_names_taken,
    why,
)
from pyagent_workbench.rewrite.syntax import Parsing
from pyagent_workbench.rewrite.verify import TestRun, VerifyReport
from pyagent_workbench.rewrite.wholetree import Carried, Carrying, WholeTree
from pyagent_workbench.rewrite.workers import start_fork_server
from pyagent_workbench.statedir import STATE_DIR, ensure_state_dir, state_dir
from pyagent_workbench.workspace import Workspace

Progress = Callable[[str, int, int], None]
"""Called as (step, done, total) while applying."""


class AlreadyApplied(ApplyError):
    """Nothing to do, which is no failure (exit status 0)."""

    exit_status = 0


@dataclass(frozen=True)
class ApplyOptions:
    """How to apply: what the user chose on the command line or in the workbench."""

    facades_enabled: bool | None = None
    """Leave facades at the old paths (`None`: as the plan says)."""
    allow_dirty: bool = False
    """Apply over uncommitted changes in the git work tree."""
    force: bool = False
    """Apply a plan that is still a draft, or approved with cross-tier edges unreviewed."""
    verify: bool = True
    """Record what imports before, and verify after (runs the repo's code)."""
    collect_tests: bool = True
    """With verify, in a repo that uses pytest: collect the tests before and after, and
    report each test that no longer collects."""
    run_tests: str | None = None
    """A test command run before and after; a test that regresses rolls the apply back."""
    python: str | None = None
    """The interpreter that imports the repo's modules and collects its tests for verify
    (default: this one)."""
    plan_path: Path | None = None
    """The plan's file: a dirty plan file inside the repo does not block the apply."""
    commit: bool = False
    """Commit the applied tree (a git work tree, clean before): the moves and rewrites,
    then the facades (`gitrepo.commit_applied`). Not when verify finds a problem."""
    whole_plan: Plan | None = None
    """When the workspace's plan is part of a plan (a tier, a batch: `migrating`), the
    whole plan: its approval and reviews are what is checked, and it records the moves
    that land (saved to `plan_path`). `None`: the workspace's plan is the whole plan."""
    batch: int | None = None
    """The batch this apply lands, recorded on its moves in the plan."""
    stragglers: bool = False
    """The workspace's moves have landed: rewrite only the code still using their old
    paths (written since, through the facades); no file moves, no facade is written,
    and verify (which compares with a tree before the moves) does not run."""


@dataclass
class ApplyResult:
    changeset: ChangeSet
    workspace: Workspace
    """The workspace over the tree as the apply left it (no need to scan it again)."""
    verify: VerifyReport | None = None
    """`None` when verify did not run."""
    tests: str | None = None
    """The test command's summary after the apply, when it ran."""
    notes: list[str] = field(default_factory=list)
    commits: list[str] = field(default_factory=list)
    """With `commit`: the commits made (moves and rewrites, then facades)."""
    commit_error: str | None = None
    """With `commit`: why the tree was left staged and not committed."""


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _os_errors_change_nothing(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """An OS error escaping the apply comes from before its first write to the repo (the
    later ones are rolled back and reported where they happen): one line, no traceback."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except OSError as error:
            raise ApplyError(f"{why(error)}; nothing was changed") from None

    return wrapper


@_os_errors_change_nothing
def apply_plan(workspace: Workspace, options: ApplyOptions | None = None, *,
               progress: Progress | None = None,
               notice: Callable[[str], None] | None = None,
               fault: Fault | None = None) -> ApplyResult:
    """Apply the workspace's plan to its repo, or leave the repo exactly as it was.

    `notice` is told once that verify and the tests run the repo's code; `fault` is the
    test seam (see `journal.Fault`)."""
    return _Apply(workspace, options or ApplyOptions(), progress, notice, fault).run()


def refuse_interrupted(root: Path) -> None:
    """Nothing is applied, nor said to be applied, over an interrupted apply: the tree is
    half written until `recover` puts it back."""
    journal = Journal(root, state_dir(root))
    if journal.exists():
        raise ApplyError(
            f"an interrupted apply left a journal in {journal.dir}; run "
            f"`pyagent-workbench recover {root}` first")


def _workspace_after(workspace: Workspace) -> Workspace:
    """The same plan over the tree as it is now (read again when first asked)."""
    return Workspace(workspace.repo.rescanned(), workspace.plan)


def _silent(step: str, done: int, total: int) -> None:
    """Progress nobody watches."""


@dataclass
class _Before:
    """What the tree did before the apply, to compare with after it."""

    imports: dict[str, Any] | None = None
    """verify's record (edges, which modules import, which tests collect), when verify
    runs."""
    tests: TestRun | None = None


class _Apply:
    """One apply: each method is a step, run in order by `run`."""

    def __init__(self, workspace: Workspace, options: ApplyOptions,
                 progress: Progress | None, notice: Callable[[str], None] | None,
                 fault: Fault | None) -> None:
        self.workspace = workspace
        self.repo = workspace.repo
        self.options = options
        self.say = progress or _silent
        self.notice = notice
        self.fault = fault or kill_switch_from_env()
        self.state = ensure_state_dir(self.repo.root)
        self.journal = Journal(self.repo.root, self.state)
        self.carrying: Carrying | None = None
        """What moves besides the change set (`prepare_writes`)."""
        self.backed_up = False
        """The journal holds the backups, and is not open yet (`prepare_writes`)."""
        self.new_dirs: list[str] = []
        """The directories the writes create, parents first (`back_up`)."""
        self.dir_moves: list[DirMove] = []
        """The package directories renamed whole (`back_up`; see `dirmoves`)."""

    def run(self) -> ApplyResult:
        start_fork_server()  # the workers' imports, beside the checks and the graph
        early = start_syntax_check(self.workspace)
        try:
            self.refuse_early()
            graph = self.analyse()
            self.refuse_unreviewed(graph)
            changeset = self.compute_changes(graph, early)
            early.stop()
            if self.carrying is None:  # (no conform ran: no change)
                self.prepare_writes(changeset)
            assert self.carrying is not None
            stragglers = self.options.stragglers
            before = self.record_before(graph, changeset) if not stragglers else _Before()
            if stragglers and self.options.run_tests:
                before.tests = verifying.run_tests(self.repo.root, self.options.run_tests,
                                                   self.state)
        except BaseException:
            early.stop()
            if self.backed_up:
                with contextlib.suppress(OSError):
                    self.journal.discard()  # backups only: the journal was never opened
            raise
        tests = self.write_through_journal(changeset, self.carrying, before)
        result = ApplyResult(changeset, _workspace_after(self.workspace), tests=tests)
        if stragglers:
            result.notes.append("verify does not run on a rewrite of old-path uses (it "
                                "compares with the tree before the moves); --run-tests "
                                "runs your tests before and after")
        else:
            self.after_commit(changeset)
            self.record_progress(result)
        if self.options.verify and self.keep_verify_record(before, result):
            self.verify(result)
        if self.options.commit:
            self.commit(result)
        return result

    # -- before anything is computed ---------------------------------------------------

    def refuse_early(self) -> None:
        """The cheap reasons not to apply, before the costly work."""
        self.refuse_unless_ready()
        if not self.options.stragglers:
            self.workspace.require_valid()
            # Before anything is read: a repository inside a moved package would be read
            # whole.
            self.tree.refuse_foreign_ways(
                path for file in self.workspace.mapping.files for path in (file.old, file.new))
        if self.options.commit and (not self.repo.is_git or self.options.allow_dirty):
            raise ApplyError("--commit commits the apply's changes alone: it needs a git work "
                             "tree without uncommitted changes (not --allow-dirty)")
        if self.repo.is_git and not self.options.allow_dirty:
            self.refuse_dirty_tree()

    @property
    def whole_plan(self) -> Plan:
        return self.options.whole_plan or self.workspace.plan

    @functools.cached_property
    def tree(self) -> WholeTree:
        return WholeTree.of(self.workspace)

    def refuse_unless_ready(self) -> None:
        plan = self.workspace.plan
        refuse_interrupted(self.repo.root)
        if plan.status != "approved" and not self.options.force:
            raise ApplyError(
                f"the plan is still a draft (status = \"{plan.status}\"); approve it first, "
                f"or apply with --force")
        if not plan.moves:
            raise ApplyError("the plan has no moves: nothing to apply")
        if self.options.stragglers:
            return
        state = records.applied_state(self.workspace)
        if state == "all":
            raise AlreadyApplied("this plan is already applied: nothing to do")
        if state == "partial":
            raise ApplyError(
                "some of this plan's moves are already applied and others are not; the repo "
                "is not in a state this plan can be applied to")

    def refuse_dirty_tree(self) -> None:
        """Uncommitted changes would mix with the apply's (the plan file itself may be)."""
        ignored = self.plan_file_in_repo()
        dirty = [path for path in gitrepo.dirty_paths(self.repo.root)
                 if path != ignored and not path.startswith(STATE_DIR + "/")]
        if dirty:
            shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
            raise ApplyError(
                f"the git work tree has uncommitted changes ({shown}); commit or stash them, "
                f"or apply with --allow-dirty")

    def plan_file_in_repo(self) -> str | None:
        if self.options.plan_path is None:
            return None
        try:
            return self.options.plan_path.resolve().relative_to(self.repo.root).as_posix()
        except ValueError:
            return None

    # -- computing and recording, still without writing -----------------------------------

    def analyse(self) -> ImportGraph:
        self.say("analysing", 0, 1)
        return build_graph(self.repo)

    def refuse_unreviewed(self, graph: ImportGraph) -> None:
        """An approval holds for the edges that were reviewed: a cross-tier edge without
        a verdict (the plan was edited by hand, or the code changed since) voids it."""
        if self.options.force:
            return
        unreviewed = PlanView(self.repo, graph, self.whole_plan).unreviewed()
        if unreviewed:
            importer, imported = unreviewed[0]
            raise ApplyError(
                f"the plan says approved, but {len(unreviewed)} cross-tier "
                f"edge{'s are' if len(unreviewed) > 1 else ' is'} unreviewed (the first: "
                f"{importer} -> {imported}); the plan or the code changed since the "
                f"review: review them and approve again, or apply with --force")

    def compute_changes(self, graph: ImportGraph, early: Parsing | None = None) -> ChangeSet:
        self.say("computing changes", 0, 1)
        changeset = preview(self.workspace, graph,
                            facades_enabled=self.options.facades_enabled, compile_check=True,
                            later=self.later_moves(), earlier=self.earlier_moves(),
                            origin=self.origin(), landed=self.options.stragglers, early=early,
                            beside_conform=self.prepare_writes)
        if self.options.stragglers and not changeset.changes:
            raise AlreadyApplied("these moves have landed and no code uses their old paths: "
                                 "nothing to do")
        records.check_last_diff(self.workspace, changeset)
        _check_all_parse(changeset)
        return changeset

    @functools.cached_property
    def whole_states(self) -> dict[str, records.MoveState]:
        """Each move of the whole plan, landed or pending, before this apply (read once:
        it reads every facade's head)."""
        return records.move_states(Workspace(self.repo, self.whole_plan))

    def later_moves(self) -> dict[str, str]:
        """Applying part of a plan: the plan's moves still to come after this apply."""
        whole = self.options.whole_plan
        if whole is None:
            return {}
        states = self.whole_states
        now = {m.source for m in self.workspace.plan.moves}
        return {m.source: m.target for m in whole.moves
                if m.source not in now and states[m.source] == "pending"}

    def earlier_moves(self) -> dict[str, str]:
        """Applying part of a plan: its moves that landed before (target -> source)."""
        whole = self.options.whole_plan
        if whole is None or self.options.stragglers:
            return {}
        states = self.whole_states
        return {m.target: m.source for m in whole.moves if states[m.source] == "landed"}

    def origin(self) -> tuple[str, str, str] | None:
        """Applying part of a plan after others: the tree before the first."""
        whole = self.options.whole_plan
        if whole is None or self.options.stragglers:
            return None
        states = self.whole_states
        landed = [m for m in whole.moves if states[m.source] == "landed"]
        return origin_of(Workspace(self.repo, whole), landed) if landed else None

    def record_before(self, graph: ImportGraph, changeset: ChangeSet) -> _Before:
        """What imports, which tests collect and which pass today (all run the repo's
        code)."""
        options = self.options
        if (options.verify or options.run_tests) and self.notice is not None:
            collecting = " (and collects the tests with pytest)" if options.collect_tests else ""
            self.notice(f"verify imports every module{collecting} and --run-tests runs your "
                        f"tests: both execute the repo's code")
        before = _Before()
        if options.verify:
            self.say("recording what imports today (runs the repo's code)", 0, 1)
            before.imports = verifying.record_before(
                self.workspace, graph, changeset, python=options.python,
                collect_tests=options.collect_tests)
        if options.run_tests:
            self.say("running tests before", 0, 1)
            before.tests = verifying.run_tests(self.repo.root, options.run_tests, self.state)
        return before

    # -- writing: all or nothing ------------------------------------------------------------

    def prepare_writes(self, paths_final: ChangeSet) -> None:
        """What needs only the changes' paths, done while their bytes are conformed
        (`preview(beside_conform=...)`): the whole-tree checks, and, unless the repo's
        code runs before the writes (verify, tests), the journal's backups."""
        self.carrying = (Carrying([], []) if self.options.stragglers
                         else self.tree.check(paths_final))
        if not (self.options.verify or self.options.run_tests):
            self.back_up(paths_final, self.carrying)

    def write_through_journal(self, changeset: ChangeSet, carrying: Carrying,
                              before: _Before) -> str | None:
        """Write, stage and test; commit, or roll back on any failure. The tests' summary."""
        if not self.backed_up:
            self.back_up(changeset, carrying)
        self.open_journal(changeset, carrying)
        imported: gitrepo.BlobImport | None = None
        try:
            if self.repo.is_git:  # (into the repository's objects: the tree is untouched)
                imported = _start_blob_import(self.repo.root, changeset)
            _TreeWriter(self.repo.root, changeset, carrying, self.journal, self.say,
                        self.fault, self.dir_moves).write()
            if self.repo.is_git:
                _stage_moves(self.repo.root, changeset, imported)
                _stage_carried(self.repo.root, carrying)
            if self.fault:
                self.fault("written")
            tests = self.tests_after(before.tests)
            self.journal.commit()  # the commit point: until the journal is gone, it undoes
        except BaseException as failure:
            if imported is not None:
                imported.stop()
            replacement = self.roll_back(failure)
            if replacement is None:
                raise
            raise replacement from None
        return tests

    def back_up(self, changeset: ChangeSet, carrying: Carrying) -> None:
        """Back up every path the apply may touch (the repo is not touched yet): the
        journal's first half (`Journal.back_up`), which needs only the changes' paths."""
        taken = temporary_names_taken(self.repo.root, changeset.touched_paths())
        if taken:
            raise ApplyError(
                f"{taken[0]} is in the way: the apply writes each file through a temporary "
                f"file of that name ({len(taken)} such name(s) taken); remove or rename "
                f"it, nothing was changed")
        carried = {path for c in carrying.carried if not c.is_dir for path in (c.old, c.new)}
        if not self.options.stragglers:
            self.dir_moves = plan_dir_moves(self.repo.root, changeset, carrying,
                                            self.tree.moved_dirs)
        self.new_dirs = _missing_dirs(self.repo.root, changeset,
                                      vacated_dirs(self.dir_moves, changeset))
        with self.journal_errors():
            self.journal.back_up(
                changeset.touched_paths() | carried,
                git_index=gitrepo.index_path(self.repo.root) if self.repo.is_git else None,
                fault=self.fault)
            self.backed_up = True

    def open_journal(self, changeset: ChangeSet, carrying: Carrying) -> None:
        """The journal's second half (`Journal.open`): what each path will hold after."""
        after: dict[str, str | None] = dict.fromkeys(changeset.touched_paths())
        for change in changeset.changes:
            after[change.new_path] = sha256(change.new_bytes)
            if change.old_path and (self.repo.root / change.old_path).is_symlink():
                # A link is renamed: what lands is a link, which rollback (it knows only
                # bytes to expect) must remove, not keep as someone else's.
                del after[change.new_path]
        plan_path = self.options.plan_path
        with self.journal_errors():
            self.journal.open(str(plan_path) if plan_path else "", after=after,
                              new_dirs=self.new_dirs,
                              renamed={move.new_place(old): old for move in self.dir_moves
                                       for old in move.files},
                              empty_dirs=[c.old for c in carrying.carried if c.is_dir])
        self.backed_up = False  # open: rollback and recover undo from here

    @contextlib.contextmanager
    def journal_errors(self) -> Iterator[None]:
        try:
            yield
        except OSError as error:
            with contextlib.suppress(OSError):
                self.journal.discard()  # nothing in the repo was touched yet
            self.backed_up = False
            raise ApplyError(f"cannot write the journal in {self.journal.dir}: "
                             f"{why(error)}; nothing was changed") from None

    def tests_after(self, tests_before: TestRun | None) -> str | None:
        """Run the tests on the written tree: a test that passed before must pass."""
        command = self.options.run_tests
        if not command:
            return None
        self.say("running tests after", 0, 1)
        tests_after = verifying.run_tests(self.repo.root, command, self.state)
        regressions = verifying.regressions(tests_before, tests_after, self.workspace.mapping)
        if regressions:
            raise ApplyError(
                "tests that passed before fail after the apply, so it was rolled back: "
                + ", ".join(regressions[:10]) + (" ..." if len(regressions) > 10 else ""))
        return tests_after.summary

    def roll_back(self, failure: BaseException) -> ApplyError | None:
        """Undo every write; the error to report instead of `failure` (None: itself)."""
        try:
            self.journal.rollback()
        except Exception as error:
            return ApplyError(
                f"the apply failed ({why(failure)}) and so did putting the files back "
                f"({why(error)}); once that is fixed, run `pyagent-workbench recover "
                f"{self.repo.root}` to restore the previous tree")
        kept = self.journal.conflict_note()
        if isinstance(failure, OSError):
            return ApplyError(f"{why(failure)}; nothing was changed{kept}")
        if isinstance(failure, ApplyError) and kept:
            return ApplyError(f"{failure}{kept}")
        return None

    # -- applied: nothing below may turn a finished apply into an error -----------------------

    def after_commit(self, changeset: ChangeSet) -> None:
        with contextlib.suppress(OSError):  # stale bytecode is a nuisance, not a failure
            _clean_caches(self.repo.root, changeset)
        with contextlib.suppress(OSError):  # (without it, applied_state reads the tree)
            records.save_applied(self.workspace, records.AppliedRecord.now(self.workspace))

    def record_progress(self, result: ApplyResult, commit: str | None = None) -> bool:
        """Record in the plan file the moves that landed (the day, the batch, and the
        commit once there is one), when the file is in the repository; False (with a
        note) when it is not, or cannot be written."""
        path = self.options.plan_path
        if path is None:
            return False
        if self.plan_file_in_repo() is None:  # nothing outside the repository is written
            if commit is None:
                result.notes.append("the plan file is outside the repository, so it is not "
                                    "updated: `status` reads which moves landed from the tree")
            return False
        plan = self.whole_plan
        day = datetime.date.today().isoformat()
        for move in self.workspace.plan.moves:
            if plan.move_for(move.source) is not None:
                plan.set_progress(move.source, landed=day, batch=self.options.batch,
                                  commit=commit)
        try:
            plan.save(path)
        except (OSError, OutputError) as error:
            result.notes.append(f"applied, but the plan file could not record which moves "
                                f"landed ({error}); `status` reads it from the tree")
            return False
        return True

    def keep_verify_record(self, before: _Before, result: ApplyResult) -> bool:
        """Save what imported before, for verify; False (with a note) when it cannot be."""
        if before.imports is None:
            return False
        try:
            records.save_verify_record(self.workspace, before.imports)
        except OSError as error:
            result.notes.append(f"applied, but the record verify needs could not be saved "
                                f"({why(error)}); verify will not be available")
            return False
        return True

    def verify(self, result: ApplyResult) -> None:
        self.say("verifying", 0, 1)
        result.verify = verifying.verify(result.workspace, python=self.options.python,
                                         collect_tests=self.options.collect_tests)
        with contextlib.suppress(OSError):
            records.save_verify_result(self.workspace, result.verify.as_json())


    def commit(self, result: ApplyResult) -> None:
        """Commit the applied tree, unless verify found a problem (it stays staged)."""
        if result.verify is not None and not result.verify.ok:
            result.commit_error = "verify found problems: the changes are staged, not committed"
            return
        changes = result.changeset.changes
        facade_paths = [c.new_path for c in changes if c.kind == "facade"]
        plan_file = self.plan_file_in_repo()

        def record_commit(commit: str) -> list[str]:
            """The plan records the moves' commit, and goes into the next commit (when
            git tracks it: a plan kept out of the repo's history stays out)."""
            if self.options.stragglers or not self.record_progress(result, commit) \
                    or plan_file is None \
                    or not gitrepo.is_tracked(self.repo.root, plan_file):
                return []
            return [plan_file]

        try:
            message = (_stragglers_message(result.changeset) if self.options.stragglers
                       else _moves_message(self.workspace, self.options))
            result.commits = gitrepo.commit_applied(
                self.repo.root, facade_paths, message,
                _facades_message(len(facade_paths)), after_first=record_commit,
                record_message=_record_message(self.workspace, plan_file))
        except ApplyError as error:
            result.commit_error = f"{error}; the changes are staged, not committed"


def _moves_message(workspace: Workspace, options: ApplyOptions) -> str:
    moves = workspace.plan.moves
    shown = [f"- {move.source} -> {move.target}" for move in moves[:60]]
    if len(moves) > len(shown):
        shown.append(f"- ... and {len(moves) - len(shown)} more (see the plan)")
    plan = workspace.plan.path.name if workspace.plan.path is not None else "the plan"
    part = ""
    if options.whole_plan is not None:
        part = (f", batch {options.batch}" if options.batch is not None else "") + (
            f": {len(moves)} of its {len(options.whole_plan.moves)} moves")
    return (f"Move {len(moves)} modules into their tiers ({plan}{part})\n\n"
            "Moved with pyagent-workbench, every import and reference rewritten:\n"
            + "\n".join(shown) + "\n")


def _stragglers_message(changeset: ChangeSet) -> str:
    files = len(changeset.changes)
    return (f"Rewrite the uses of old paths in {files} file{'s' if files != 1 else ''} to "
            f"the new paths\n\nCode written against the old paths since the moves landed "
            f"(through their facades), rewritten with pyagent-workbench.\n")


def _record_message(workspace: Workspace, plan_file: str | None) -> str:
    count = len(workspace.plan.moves)
    return (f"Record in {plan_file or 'the plan'} the commit of the {count} moves that "
            f"landed\n")


def _facades_message(count: int) -> str:
    return (f"Add facades at the old paths of {count} moved modules\n\n"
            "Each old import path gives the module at its new path (the same object) "
            "during\nthe migration; `pyagent-workbench facades --remove` retires the "
            "unused ones.\n")


def _check_all_parse(changeset: ChangeSet) -> None:
    """Every new Python text must compile before anything is written."""
    for change in changeset.changes:
        if not change.new_path.endswith(".py"):
            continue
        if change.old_bytes == change.new_bytes or change.compiled:
            continue
        # RecursionError and MemoryError: what CPython's compiler refuses as too deep.
        refused = (SyntaxError, RecursionError, MemoryError)
        try:
            compile(change.new_bytes, change.new_path, "exec", dont_inherit=True)
        except refused as error:
            if change.old_bytes is not None:
                try:
                    compile(change.old_bytes, change.new_path, "exec", dont_inherit=True)
                except refused:
                    continue  # it did not compile before either (e.g. a newer syntax)
            why = (f"line {error.lineno}: {error.msg}" if isinstance(error, SyntaxError)
                   else f"{type(error).__name__}: too deep for the compiler")
            raise ApplyError(
                f"internal error: the rewritten {change.new_path} would not compile ({why}); "
                f"nothing was written, please report this") from None


class _TreeWriter:
    """Writes a change set into the tree through the journal: old paths that leave
    first, then every new text, then the directories the plan emptied.

    A file that moves unchanged (data files, modules no import of which changes) is
    renamed, not rewritten: no copy of its bytes."""

    def __init__(self, root: Path, changeset: ChangeSet, carrying: Carrying,
                 journal: Journal, say: Progress, fault: Fault | None,
                 dir_moves: Sequence[DirMove] = ()) -> None:
        self.root = root
        self.changeset = changeset
        self.carrying = carrying
        self.journal = journal
        self.say = say
        self.fault = fault
        written = {c.new_path for c in changeset.changes}
        self.leaving = {old for c in changeset.changes
                        for old in (c.old_path, *c.merged_from)
                        if old and old != c.new_path and old not in written}
        self.renamed = {c.old_path for c in changeset.changes
                        if c.kind == "move" and c.old_path and not c.merged_from
                        and c.old_bytes == c.new_bytes and c.old_path not in written}
        self.dir_moves = list(dir_moves)
        self.total = (len(changeset.changes) + len(self.leaving) - len(self.renamed)
                      + len(carrying.carried) + len(self.dir_moves))
        self.done = 0
        self.written: set[str] = set()
        """The paths written so far (an old path may be a later change's new path)."""
        self.folders: set[Path] = set()
        """Folders known to be there (the writes only add folders; thousands of files
        land in a few hundred of them)."""
        self.vacated: set[str] = set()
        """Old paths that left with their directory (`move_dir`), checked before."""
        self.arrived: set[str] = set()
        """Their new paths: in place, holding the old bytes."""

    def write(self) -> None:
        for move in self.dir_moves:
            self.move_dir(move)
        for old in sorted(self.leaving - self.renamed):
            if old in self.vacated:
                self.step("moving", f"remove:{old}")  # (gone with its directory)
            else:
                self.remove(old)
        for change in self.changeset.changes:
            self.write_one(change)
        for carried in self.carrying.carried:
            self.carry(carried)
        self.remove_emptied_dirs()

    def step(self, label: str, fault_step: str) -> None:
        self.done += 1
        self.say(label, self.done, self.total)
        if self.fault:
            self.fault(fault_step)

    def move_dir(self, move: DirMove) -> None:
        """Rename a package directory whole, if it still holds exactly what was planned
        (otherwise its files move one by one), every file of it checked first."""
        listing = list_tree(self.root, move.old)
        target = self.root / move.new
        if listing is None or listing[0] != move.files or _exists(target):
            self.total -= 1  # (no step: its files move one by one)
            return
        for path in sorted(move.files):
            _expect_unchanged(self.changeset, path, self.root / path)
        _make_parents(self.root, target.parent, self.journal)
        self.journal.move(self.root / move.old, target)
        for cache in listing[1]:  # bytecode stays with the old place: none moves along
            shutil.rmtree(target / cache, ignore_errors=True)
        self.vacated |= move.files
        self.arrived |= move.arrived
        self.folders.update(target / folder for folder in
                            {posixpath.dirname(path[len(move.old) + 1:]) for path in move.files})
        self.step("moving", f"move:{move.old}/")

    def remove(self, old: str) -> None:
        current = self.root / old
        _expect_unchanged(self.changeset, old, current)
        self.journal.remove(current)
        self.step("moving", f"remove:{old}")

    def write_one(self, change: FileChange) -> None:
        target = self.root / change.new_path
        if target.parent not in self.folders:
            _make_parents(self.root, target.parent, self.journal)
            self.folders.add(target.parent)
        self.expect_inputs_unchanged(change, target)
        entry = self.journal.entries.get(change.old_path) if change.old_path else None
        mode = entry.mode if entry else None
        if change.old_path in self.vacated:
            if change.is_modified:  # (in place already, with its old bytes)
                self.journal.write(target, change.new_bytes, mode=mode)
        elif change.old_path in self.renamed and not _exists(target):
            source = self.root / change.old_path
            _expect_unchanged(self.changeset, change.old_path, source)
            self.journal.move(source, target)
        else:
            if change.old_path in self.renamed:  # something is in the way: `write` it
                _expect_unchanged(self.changeset, change.old_path, self.root / change.old_path)
                self.journal.remove(self.root / change.old_path)
            self.journal.write(target, change.new_bytes, mode=mode)
        self.written.add(change.new_path)
        self.step("writing", f"write:{change.new_path}")

    def carry(self, carried: Carried) -> None:
        """Move what the package holds besides its files: renamed (a link stays the
        same link), or, for an empty directory, made at the new place."""
        target = self.root / carried.new
        if carried.old in self.vacated:
            pass  # moved with its directory
        elif carried.is_dir:
            _make_parents(self.root, target, self.journal)
        else:
            if _exists(target):
                raise ApplyError(f"{carried.new} appeared during the apply (someone else "
                                 f"created it); rolled back")
            _make_parents(self.root, target.parent, self.journal)
            self.journal.move(self.root / carried.old, target)
        self.step("moving", f"carry:{carried.old}")

    def expect_inputs_unchanged(self, change: FileChange, target: Path) -> None:
        """Write only over what the changes were computed from, and only from it: the
        target holds what was read (or nothing, if nothing was there), and so does each
        old path the apply has not yet removed or overwritten (a moved file that leaves a
        facade behind is overwritten later, so this is where an edit to it is seen)."""
        if change.new_path in self.arrived:
            pass  # renamed there with its directory, from a checked source
        elif change.new_path in self.vacated:  # (a facade at a moved file's old path)
            if _exists(target):
                raise ApplyError(f"{change.new_path} appeared during the apply (someone "
                                 f"else created it); rolled back")
        elif change.old_path == change.new_path or (
                change.new_path in self.changeset.inputs and change.new_path not in self.leaving):
            _expect_unchanged(self.changeset, change.new_path, target)
        elif change.new_path not in self.changeset.inputs \
                and change.new_path not in self.leaving and _exists(target):
            raise ApplyError(f"{change.new_path} appeared during the apply (someone else "
                             f"created it); rolled back")
        for old in (change.old_path, *change.merged_from):
            if old and old != change.new_path and old not in self.leaving \
                    and old not in self.renamed and old not in self.written \
                    and old not in self.vacated:
                _expect_unchanged(self.changeset, old, self.root / old)

    def remove_emptied_dirs(self) -> None:
        """Directories the plan emptied go, unless something (not bytecode) is left. The
        folders in them (an empty `data/`) are recorded first, all at once: a rollback
        makes them again (the files it restores bring back only their own folders)."""
        emptied: dict[Path, list[str]] = {}
        for base in (self.root / d for d in self.carrying.removed_dirs):
            if base.is_dir() and not base.is_symlink():
                folders = _only_folders(self.root, base)
                if folders is not None:
                    emptied[base] = folders
        self.journal.record_removed_dirs(f for folders in emptied.values() for f in folders)
        for base in emptied:
            if base.is_dir() and not base.is_symlink():  # (not gone with one around it)
                self.journal.remove(base)


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _only_folders(root: Path, base: Path) -> list[str] | None:
    """`base` and the folders under it (bytecode caches aside, relative to `root`) when
    the tree holds nothing but folders and `__pycache__` bytecode; None when it holds a
    file or a link (to a folder too: the walk lists it among the folders)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        if filenames and not dirpath.endswith("__pycache__"):
            return None
        if any(os.path.islink(os.path.join(dirpath, name)) for name in dirnames):
            return None
        if "__pycache__" not in Path(dirpath).relative_to(base).parts:
            found.append(Path(dirpath).relative_to(root).as_posix())
    return found


def _expect_unchanged(changeset: ChangeSet, rel: str, path: Path) -> None:
    expected = changeset.inputs.get(rel)
    if expected is None:
        return
    try:
        now = sha256(safefiles.read_regular(path))  # (never waits on a FIFO put there)
    except OSError as error:
        raise ApplyError(f"{rel} cannot be read: {error.strerror}") from None
    if now != expected:
        raise ApplyError(f"{rel} was changed by someone else during the apply; rolled back")


def _missing_dirs(root: Path, changeset: ChangeSet, vacated: set[str]) -> list[str]:
    """The directories the apply will create, parents first: those missing now, and the
    `vacated` ones (renamed away, then needed again)."""
    missing: set[str] = set()
    existing: set[str] = set()
    for change in changeset.changes:
        parent = posixpath.dirname(change.new_path)
        while parent and parent not in missing and parent not in existing:
            if parent not in vacated and (root / parent).exists():
                existing.add(parent)
                break
            missing.add(parent)
            parent = posixpath.dirname(parent)
    return sorted(missing, key=lambda d: (d.count("/"), d))


def _make_parents(root: Path, directory: Path, journal: Journal) -> None:
    missing = []
    current = directory
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        journal.record_created_dir(path.relative_to(root).as_posix())
        path.mkdir()


def _stage_moves(root: Path, changeset: ChangeSet,
                 imported: gitrepo.BlobImport | None = None) -> None:
    """Stage everything the apply changed, so that a plain `git commit` records the
    applied tree (the moves alone would record files importing paths that are gone):
    the moves as `git mv` would (see `gitrepo.stage_moves`), the tracked files rewritten
    in place, the files the apply created. `imported`: `_start_blob_import`'s."""
    gitrepo.stage_moves(root, *_staged(changeset), imported)


def _start_blob_import(root: Path, changeset: ChangeSet) -> gitrepo.BlobImport | None:
    """The contents `_stage_moves` will stage, imported while the files are written
    (but for a link's: `update-index` reads where it points)."""
    contents = {c.new_path: c.new_bytes for c in changeset.changes
                if not (c.old_path and os.path.islink(root / c.old_path))}
    return gitrepo.start_blob_import(root, *_staged(changeset), contents)


def _staged(changeset: ChangeSet) -> tuple[list[tuple[list[str], str]], list[str]]:
    """The moves (old paths, new path) and the created files to stage."""
    return ([([old for old in (c.old_path, *c.merged_from) if old], c.new_path)
             for c in changeset.changes if c.kind == "move"]
            + [([c.new_path], c.new_path) for c in changeset.changes if c.kind == "rewrite"],
            [c.new_path for c in changeset.changes if c.kind in ("facade", "create")])


def _stage_carried(root: Path, carrying: Carrying) -> None:
    """What moved besides the change set, staged the same way (a tracked one only)."""
    moves = [([c.old], c.new) for c in carrying.carried if not c.is_dir]
    if moves:
        gitrepo.stage_moves(root, moves, [])


def _clean_caches(root: Path, changeset: ChangeSet) -> None:
    """Stale bytecode of moved modules could shadow a facade or a new package. (A
    `__pycache__` that is a link is the repository's, pointing anywhere: left alone.)"""
    for change in changeset.changes:
        if change.kind != "move" or not change.old_path:
            continue
        for old in (change.old_path, *change.merged_from):
            pure = PurePosixPath(old)
            cache = root / pure.parent / "__pycache__"
            if cache.is_dir() and not cache.is_symlink():
                for pyc in cache.glob(pure.stem + ".*.pyc"):
                    pyc.unlink(missing_ok=True)
                if not any(cache.iterdir()):
                    cache.rmdir()
