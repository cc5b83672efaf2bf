"""Apply a plan: every change computed and parsed in memory first, then written through
the journal, all or nothing."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import posixpath
import shutil
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import ParamSpec, TypeVar

from pyagent_workbench.analysis.graph import ImportGraph, build_graph
from pyagent_workbench.errors import ApplyError
from pyagent_workbench.rewrite import facades
from pyagent_workbench.rewrite.engine import ChangeSet, preview, sha256
from pyagent_workbench.rewrite.journal import Journal, write_atomic
from pyagent_workbench.statedir import (
    APPLIED_DIR,
    JOURNAL_DIR,
    LAST_DIFF,
    STATE_DIR,
    ensure_state_dir,
)
from pyagent_workbench.workspace import Workspace

Progress = Callable[[str, int, int], None]
"""Called as (step, done, total) while applying."""


class AlreadyApplied(ApplyError):
    exit_status = 0


@dataclass
class ApplyResult:
    changeset: ChangeSet
    verify: object | None = None
    tests: str | None = None
    notes: list[str] = field(default_factory=list)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def applied_state(workspace: Workspace) -> str:
    """"none", "all" or "partial": how much of the plan the repo already reflects.

    An apply records itself under the tool's folder; while every target is still there,
    that settles it. Without a record (a fresh clone), the tree is read: a move is applied
    when its target exists and its source is gone or is a facade pointing at it."""
    repo = workspace.repo
    applied = vanished = 0
    moves = workspace.plan.moves
    if moves and (repo.state_dir / APPLIED_DIR / f"{plan_digest(workspace)}.json").is_file() \
            and all(m.target in repo.modules or m.source not in repo.modules for m in moves):
        return "all"
    for move in moves:
        source = repo.modules.get(move.source)
        target_present = move.target in repo.modules
        if source is not None and source.path.endswith(".py"):
            marker = facades.read_marker(_head(repo.root / source.path))
            source_is_facade = marker is not None and marker[1] == move.target
        else:
            source_is_facade = False
        if target_present and (source is None or source_is_facade):
            applied += 1
        elif source is None and not target_present:
            # Neither here nor there: a directory without __init__.py that the plan
            # emptied (its modules moved elsewhere) exists under no name after the apply.
            vanished += 1
    if applied == 0:
        return "none"
    return "all" if applied + vanished == len(moves) else "partial"


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(2000)
    except OSError:
        return b""


def git_dirty(root: Path, ignore: set[str]) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain=v1", "-z", "--untracked-files=no",
         "--", "."], capture_output=True, check=False)
    if out.returncode != 0:
        return []
    entries = [e for e in out.stdout.decode(errors="replace").split("\0") if e]
    paths = []
    skip_next = False
    for entry in entries:
        if skip_next:
            skip_next = False
            continue
        status, path = entry[:2], entry[3:]
        if status.startswith("R") or status.startswith("C"):
            skip_next = True
        top = _git_prefix(root)
        rel = path[len(top):] if top and path.startswith(top) else path
        if rel in ignore or rel.startswith(".pyagent-workbench/"):
            continue
        paths.append(rel)
    return paths


def _git_prefix(root: Path) -> str:
    out = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-prefix"],
                         capture_output=True, text=True, check=False)
    return out.stdout.strip()


def _git_index_path(root: Path) -> Path | None:
    out = subprocess.run(["git", "-C", str(root), "rev-parse", "--git-path", "index"],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return None
    path = Path(out.stdout.strip())
    return path if path.is_absolute() else root / path


def check_last_diff(workspace: Workspace, changeset: ChangeSet) -> None:
    """Refuse when a file changed since `diff` showed this plan's changes."""
    record = ensure_state_dir(workspace.repo.root) / LAST_DIFF
    if not record.exists():
        return
    try:
        data = json.loads(record.read_text())
    except (OSError, ValueError):
        return
    if data.get("plan") != plan_digest(workspace):
        return
    seen: dict[str, str] = data.get("inputs", {})
    for path, digest in sorted(seen.items()):
        now = changeset.inputs.get(path)
        if now is not None and now != digest:
            raise ApplyError(
                f"{path} changed since `diff` was run; run `diff` again to review the "
                f"changes, then apply")


def record_last_diff(workspace: Workspace, changeset: ChangeSet) -> None:
    state = ensure_state_dir(workspace.repo.root)
    write_atomic(state / LAST_DIFF, json.dumps(
        {"plan": plan_digest(workspace), "inputs": changeset.inputs}, indent=1).encode())


def plan_digest(workspace: Workspace) -> str:
    moves = sorted((m.source, m.target) for m in workspace.plan.moves)
    return sha256(json.dumps(moves).encode())[:16]


def _os_errors_change_nothing(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """An OS error escaping the apply comes from before its first write to the repo (the
    later ones are rolled back and reported where they happen): one line, no traceback."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except OSError as error:
            raise ApplyError(f"{_why(error)}; nothing was changed") from None

    return wrapper


@_os_errors_change_nothing
def apply_plan(
    workspace: Workspace,
    *,
    facades_enabled: bool | None = None,
    allow_dirty: bool = False,
    force: bool = False,
    verify: bool = True,
    run_tests: str | None = None,
    python: str | None = None,
    progress: Progress | None = None,
    plan_path: Path | None = None,
    fault: Callable[[str], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> ApplyResult:
    """Apply the workspace's plan to its repo, or leave the repo exactly as it was."""
    repo = workspace.repo
    plan = workspace.plan
    state = ensure_state_dir(repo.root)
    journal = Journal(repo.root, state)
    if journal.exists():
        raise ApplyError(
            f"an interrupted apply left a journal in {journal.dir}; run `pyagent-workbench "
            f"recover {repo.root}` first")
    if plan.status != "approved" and not force:
        raise ApplyError(
            f"the plan is still a draft (status = \"{plan.status}\"); approve it first, or "
            f"apply with --force")
    if not plan.moves:
        raise ApplyError("the plan has no moves: nothing to apply")
    state_now = applied_state(workspace)
    if state_now == "all":
        raise AlreadyApplied("this plan is already applied: nothing to do")
    if state_now == "partial":
        raise ApplyError(
            "some of this plan's moves are already applied and others are not; the repo is "
            "not in a state this plan can be applied to")
    workspace.require_valid()
    plan_rel = None
    if plan_path is not None:
        try:
            plan_rel = plan_path.resolve().relative_to(repo.root).as_posix()
        except ValueError:
            plan_rel = None
    if repo.is_git and not allow_dirty:
        dirty = git_dirty(repo.root, {plan_rel} if plan_rel else set())
        if dirty:
            shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
            raise ApplyError(
                f"the git work tree has uncommitted changes ({shown}); commit or stash them, "
                f"or apply with --allow-dirty")

    say = progress or (lambda step, done, total: None)
    fault = fault or kill_switch_from_env()
    say("analysing", 0, 1)
    graph = build_graph(repo)
    say("computing changes", 0, 1)
    changeset = preview(workspace, graph, facades_enabled=facades_enabled, compile_check=True)
    check_last_diff(workspace, changeset)
    _check_all_parse(changeset)

    from pyagent_workbench.rewrite import verify as verify_module

    if (verify or run_tests) and notice is not None:
        notice("verify imports every module and --run-tests runs your tests: both execute "
               "the repo's code")
    record = None
    if verify:
        say("recording what imports today (runs the repo's code)", 0, 1)
        record = verify_module.record_before(workspace, graph, changeset, python=python)
    tests_before = None
    if run_tests:
        say("running tests before", 0, 1)
        tests_before = verify_module.run_tests(repo.root, run_tests, state)

    index_path = _git_index_path(repo.root) if repo.is_git else None
    after: dict[str, str | None] = dict.fromkeys(changeset.touched_paths())
    for change in changeset.changes:
        after[change.new_path] = sha256(change.new_bytes)
    try:
        journal.begin(changeset.touched_paths(), git_index=index_path,
                      plan=str(plan_path) if plan_path else "", fault=fault, after=after,
                      new_dirs=_missing_dirs(repo.root, changeset))
    except OSError as error:
        with contextlib.suppress(OSError):
            journal.discard()  # nothing in the repo was touched yet
        raise ApplyError(f"cannot write the journal in {journal.dir}: "
                         f"{_why(error)}; nothing was changed") from None
    try:
        _write_changes(workspace, changeset, journal, say, fault)
        if repo.is_git:
            _stage_moves(repo.root, changeset)
        if fault:
            fault("written")
        result = ApplyResult(changeset)
        if run_tests:
            say("running tests after", 0, 1)
            tests_after = verify_module.run_tests(repo.root, run_tests, state)
            regressions = verify_module.regressions(tests_before, tests_after,
                                                    workspace.mapping)
            if regressions:
                raise ApplyError(
                    "tests that passed before fail after the apply, so it was rolled back: "
                    + ", ".join(regressions[:10]) + (" ..." if len(regressions) > 10 else ""))
            result.tests = tests_after.summary
        journal.commit()  # the commit point: until the manifest is gone, rollback undoes it
    except BaseException as failure:
        try:
            journal.rollback()
        except Exception as error:
            raise ApplyError(
                f"the apply failed ({_why(failure)}) and so did putting the files back "
                f"({_why(error)}); once that is fixed, run `pyagent-workbench recover "
                f"{repo.root}` to restore the previous tree") from None
        kept = _conflict_note(journal)
        if isinstance(failure, OSError):
            raise ApplyError(f"{_why(failure)}; nothing was changed{kept}") from None
        if isinstance(failure, ApplyError) and kept:
            raise ApplyError(f"{failure}{kept}") from None
        raise
    # Applied: what follows must not turn a finished apply into an error.
    with contextlib.suppress(OSError):  # stale bytecode is a nuisance, not a failure
        _clean_caches(repo.root, changeset)
    with contextlib.suppress(OSError):  # (without it, applied_state reads the tree)
        done = state / APPLIED_DIR / f"{plan_digest(workspace)}.json"
        done.parent.mkdir(exist_ok=True)
        write_atomic(done, json.dumps(
            {"moves": [[m.source, m.target] for m in plan.moves]}, indent=1).encode())
    if record is not None:
        try:
            verify_module.save_record(workspace, record)
        except OSError as error:
            result.notes.append(f"applied, but the record verify needs could not be saved "
                                f"({_why(error)}); verify will not be available")
            verify = False
    if verify:
        say("verifying", 0, 1)
        result.verify = verify_module.verify(workspace_after(workspace), python=python)
    return result


def _why(error: BaseException) -> str:
    """An OS error as a user reads it: what failed, on which file."""
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    return str(error) or type(error).__name__


def _conflict_note(journal: Journal) -> str:
    if not journal.conflicts:
        return ""
    shown = ", ".join(journal.conflicts[:5]) + (" ..." if len(journal.conflicts) > 5 else "")
    return (f"; left as they are because someone else changed them during the apply: "
            f"{shown} (their previous bytes are in {journal.state / 'conflicts'})")


KILL_SWITCH = "PYAGENT_WORKBENCH_TEST_KILL_AT"


def kill_switch_from_env() -> Callable[[str], None] | None:
    """Test hook: `PYAGENT_WORKBENCH_TEST_KILL_AT=N` makes the apply SIGKILL itself at its
    Nth step (journal backups, removals, writes), as a crash or `kill -9` would."""
    value = os.environ.get(KILL_SWITCH)
    if not value:
        return None
    target = int(value)
    steps = 0

    def fault(step: str) -> None:
        nonlocal steps
        steps += 1
        if steps == target:
            os.kill(os.getpid(), signal.SIGKILL)

    return fault


def workspace_after(workspace: Workspace) -> Workspace:
    from pyagent_workbench.repo import Repo

    repo = Repo(workspace.repo.root, source_root=workspace.repo.source_root,
                packages=list(workspace.repo.packages))
    return Workspace(repo, workspace.plan)


def _check_all_parse(changeset: ChangeSet) -> None:
    """Every new Python text must compile before anything is written."""
    for change in changeset.changes:
        if not change.new_path.endswith(".py"):
            continue
        if change.old_bytes == change.new_bytes or change.compiled:
            continue
        try:
            compile(change.new_bytes, change.new_path, "exec", dont_inherit=True)
        except SyntaxError as error:
            if change.old_bytes is not None:
                try:
                    compile(change.old_bytes, change.new_path, "exec", dont_inherit=True)
                except SyntaxError:
                    continue  # it did not compile before either (e.g. a newer syntax)
            raise ApplyError(
                f"internal error: the rewritten {change.new_path} would not compile (line "
                f"{error.lineno}: {error.msg}); nothing was written, please report this") \
                from None


def _write_changes(workspace: Workspace, changeset: ChangeSet, journal: Journal,
                   say: Progress, fault: Callable[[str], None] | None) -> None:
    root = workspace.repo.root
    written = {c.new_path for c in changeset.changes}
    leaving: list[str] = []
    for change in changeset.changes:
        for old in (change.old_path, *change.merged_from):
            if old and old != change.new_path and old not in written:
                leaving.append(old)
    # A file that moves unchanged (data files, modules no import of which changes) is
    # renamed, not rewritten: no copy of its bytes.
    renamed = {c.old_path for c in changeset.changes
               if c.kind == "move" and c.old_path and not c.merged_from
               and c.old_bytes == c.new_bytes and c.old_path not in written}
    total = len(changeset.changes) + len(leaving) - len(renamed)
    done = 0
    for old in sorted(set(leaving) - renamed):
        current = root / old
        _expect_unchanged(changeset, old, current)
        journal.remove(current)
        done += 1
        say("moving", done, total)
        if fault:
            fault(f"remove:{old}")
    removed = set(leaving)
    for change in changeset.changes:
        target = root / change.new_path
        _make_parents(root, target.parent, journal)
        if change.old_path and change.old_path == change.new_path:
            _expect_unchanged(changeset, change.old_path, target)
        elif change.new_path not in changeset.inputs and change.new_path not in removed and (
                target.exists() or target.is_symlink()):
            raise ApplyError(f"{change.new_path} appeared during the apply (someone else "
                             f"created it); rolled back")
        mode = None
        if change.old_path:
            entry = journal.entries.get(change.old_path)
            mode = entry.mode if entry else None
        if change.old_path in renamed and not (target.exists() or target.is_symlink()):
            source = root / change.old_path
            _expect_unchanged(changeset, change.old_path, source)
            journal.move(source, target)
        else:
            if change.old_path in renamed:  # something is in the way: leave it to `write`
                _expect_unchanged(changeset, change.old_path, root / change.old_path)
                journal.remove(root / change.old_path)
            journal.write(target, change.new_bytes, mode=mode)
        done += 1
        say("writing", done, total)
        if fault:
            fault(f"write:{change.new_path}")
    for directory in changeset.removed_dirs:
        base = root / directory
        if base.is_dir():
            for dirpath, _dirnames, filenames in os.walk(base):
                if filenames and not dirpath.endswith("__pycache__"):
                    break
            else:
                journal.remove(base)


def _expect_unchanged(changeset: ChangeSet, rel: str, path: Path) -> None:
    expected = changeset.inputs.get(rel)
    if expected is None:
        return
    try:
        now = sha256(path.read_bytes())
    except OSError as error:
        raise ApplyError(f"{rel} cannot be read: {error.strerror}") from None
    if now != expected:
        raise ApplyError(f"{rel} was changed by someone else during the apply; rolled back")


def _missing_dirs(root: Path, changeset: ChangeSet) -> list[str]:
    """The directories the apply will create, parents first."""
    missing: set[str] = set()
    existing: set[str] = set()
    for change in changeset.changes:
        parent = posixpath.dirname(change.new_path)
        while parent and parent not in missing and parent not in existing:
            if (root / parent).exists():
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


def _stage_moves(root: Path, changeset: ChangeSet) -> None:
    """Stage the moves as `git mv` would, so that history follows the files: a tracked
    file's old path leaves the index and its new path enters it (with the new bytes);
    the facades and packages the apply creates are added. An untracked file that moves
    stays untracked. (`git update-index`, not `git add`: paths, not pathspecs, so a path
    that is not there is no error, and a tracked file moved into an ignored directory
    stays tracked.)"""
    top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],
                         capture_output=True, text=True, check=False).stdout.strip()
    prefix = _git_prefix(root)
    listed = subprocess.run(["git", "-C", top, "ls-files", "-z", "--cached", "--full-name"],
                            capture_output=True, check=False)
    if listed.returncode != 0:
        raise ApplyError(f"git ls-files failed: "
                         f"{listed.stderr.decode(errors='replace').strip()}")
    tracked = {os.fsdecode(p) for p in listed.stdout.split(b"\0") if p}
    paths: set[str] = set()
    for change in changeset.changes:
        if change.kind in ("facade", "create"):
            paths.add(prefix + change.new_path)
        elif change.kind == "move":
            olds = [prefix + old for old in (change.old_path, *change.merged_from) if old]
            kept = [old for old in olds if old in tracked]
            if kept:
                paths.update(kept)
                paths.add(prefix + change.new_path)
    if not paths:
        return
    result = subprocess.run(
        ["git", "-C", top, "update-index", "--add", "--remove", "-z", "--stdin"],
        input="\0".join(sorted(paths)).encode() + b"\0", capture_output=True, check=False)
    if result.returncode != 0:
        raise ApplyError(f"git update-index failed: "
                         f"{result.stderr.decode(errors='replace').strip()}")


def _clean_caches(root: Path, changeset: ChangeSet) -> None:
    """Stale bytecode of moved modules could shadow a facade or a new package."""
    for change in changeset.changes:
        if change.kind != "move" or not change.old_path:
            continue
        for old in (change.old_path, *change.merged_from):
            pure = PurePosixPath(old)
            cache = root / pure.parent / "__pycache__"
            if cache.is_dir():
                for pyc in cache.glob(pure.stem + ".*.pyc"):
                    pyc.unlink(missing_ok=True)
                if not any(cache.iterdir()):
                    cache.rmdir()


def recover(repo_root: Path) -> bool:
    """Restore the pre-apply tree from an interrupted apply's journal. False if none."""
    state = repo_root / STATE_DIR
    journal_dir = state / JOURNAL_DIR
    if not journal_dir.exists():
        return False
    if not (journal_dir / "manifest.json").exists():
        shutil.rmtree(journal_dir)  # died before the journal was complete: nothing written
        return True
    try:
        journal = Journal.load(repo_root, state, git_index=_git_index_path(repo_root))
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise ApplyError(
            f"the journal in {journal_dir} cannot be read ({type(error).__name__}: {error}); "
            f"nothing was restored") from None
    try:
        journal.rollback()
    except OSError as error:
        raise ApplyError(f"cannot restore {_why(error)}; the journal is kept: fix that and "
                         f"run `pyagent-workbench recover {repo_root}` again") from None
    if journal.conflicts:
        raise ApplyError("restored, except" + _conflict_note(journal).removeprefix(";"))
    return True


def graph_edges(graph: ImportGraph) -> list[list[str]]:
    return sorted([list(edge) for edge in graph.edges()])
