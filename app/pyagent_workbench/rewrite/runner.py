"""Schedule per-file work over every core: libcst rewrites of the files that may refer to
a moved module, and a syntax sweep of the others (so that no unparsable file goes
unreported). The sweep's results are cached by size and mtime under the tool's state
folder, so only changed files are parsed again.

What a rewrite of one file does is `statements.rewrite_file`'s business; this module
only decides where it runs."""

from __future__ import annotations

import gc
import itertools
import os
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from pyagent_workbench import cachefile, safefiles
from pyagent_workbench.errors import ApplyError
from pyagent_workbench.rewrite import depth, syntax
from pyagent_workbench.rewrite.context import FileContext, RewriteState
from pyagent_workbench.rewrite.files import FileRewrite
from pyagent_workbench.rewrite.workers import process_context as _process_context
from pyagent_workbench.rewrite.workers import start_method as _start_method
from pyagent_workbench.statedir import SYNTAX_CACHE

_Item = TypeVar("_Item", bound=tuple[str, list[str], frozenset[str]])
_Result = TypeVar("_Result")

_PARALLEL_THRESHOLD = 48
"""Below this many files, starting worker processes costs more than it saves."""
_SPAWNED_THRESHOLD = 600
"""The same for workers that each start a fresh interpreter (`_process_context`): each
imports the tool first, about a second on 2 cores, which pays off on a few hundred
files (Django's whole-plan diff: 11.6 s in one process, 7.8 s with two workers)."""
_SWEPT_AT_ONCE = 500
"""Files per task of the syntax sweep (each task runs ruff once over its files)."""


@dataclass(frozen=True)
class RewriteJob:
    path: str
    context: FileContext
    parses: bool = False
    """A native parser found the file valid (`rewrite.syntax`): parsed in part."""


class Runner:
    """A process pool started on first use and shared by every phase of one preview."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._pool: Executor | None = None
        self._state: RewriteState | None = None
        self._frozen = False

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    def _parallel(self, count: int) -> bool:
        return self.workers > 1 and count >= (
            _SPAWNED_THRESHOLD if _start_method() == "spawn" else _PARALLEL_THRESHOLD)

    def _executor(self, state: RewriteState | None = None) -> Executor:
        if self._pool is not None and state is not None and state is not self._state:
            self._pool.shutdown()
            self._pool = None
        if self._pool is None:
            self._state = state
            if not self._frozen and threading.current_thread() is threading.main_thread():
                # What this process holds now (the graph, every file's text) is never
                # scanned by the cyclic collector again until the pool is done: each
                # collection of the oldest generation would walk all of it while the
                # workers rewrite. (Not from another thread: a host such as the
                # workbench manages the collector itself, `tui.collector`.)
                gc.freeze()
                self._frozen = True
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=_process_context(),
                                             initializer=_install, initargs=(state,))
        return self._pool

    def rewrite(self, jobs: list[RewriteJob], contents: dict[str, bytes],
                state: RewriteState) -> Iterator[FileRewrite]:
        """Rewrite every job's file; the first call of a runner starts its pool, with the
        resolver and the reference pattern sent once to each worker."""
        if not self._parallel(len(jobs)):
            for job in jobs:
                yield rewrite_file(contents[job.path], job.context, state, parses=job.parses)
            return
        pool = self._executor(state)
        chunk = max(1, len(jobs) // (self.workers * 8))
        payload = [(contents[job.path], job.context, job.parses) for job in jobs]
        yield from pool.map(_rewrite, payload, chunksize=chunk)

    def start_sweep(self, root: Path, paths: list[str], state: Path | None,
                    early: syntax.Parsing | None = None) -> Sweep:
        """Start checking which files among `paths` do not parse: ruff starts at once,
        unless it was asked `early` (`Sweep.check` hands what it cannot vouch for to the
        workers, `Sweep.finish` waits for the answer)."""
        return Sweep(self, root, paths, state, early)

    def map(self, function: Callable[[_Item], _Result], items: list[_Item]
            ) -> Iterable[_Result]:
        """`function` over `items`, in the workers when they are worth starting (each
        item a batch of files); in this process otherwise."""
        if self._parallel(sum(len(item[1]) for item in items)):
            return self._executor().map(function, items)
        return [function(item) for item in items]


class Sweep:
    """The syntax sweep of the files no rewrite reads. ruff checks them all in a process
    of its own while the rewrite runs (`syntax.Parsing`, with the compiler's rules);
    `check` then gives the workers the files it cannot vouch for or may take wrongly
    (`syntax.beyond_ruff`: CPython judges those); `finish` waits: path -> why it does
    not parse. Results are cached by size and mtime under the tool's state folder."""

    def __init__(self, runner: Runner, root: Path, paths: list[str],
                 state: Path | None, early: syntax.Parsing | None = None) -> None:
        self.runner = runner
        self.root = root
        self.state = state
        self.cache = _load_cache(state)
        self.stamps, self.todo = _uncached(root, paths, self.cache)
        # (A file of `todo` that `early` did not ask about is not vouched for: CPython
        # judges it.)
        self.parsing = early if early is not None else syntax.Parsing(
            root, _to_ask(str(root), self.todo), compiling=True)
        self.checking: Iterable[list[str | None]] | None = None

    def check(self) -> None:
        """Hand the files ruff did not vouch for, and those it may take wrongly, to the
        workers (waits for ruff)."""
        if self.checking is not None:
            return
        valid = self.parsing.result()
        size = max(1, min(_SWEPT_AT_ONCE, -(-len(self.todo) // (self.runner.workers * 4))))
        chunks = [(str(self.root), self.todo[start:start + size],
                   frozenset(valid.intersection(self.todo[start:start + size])))
                  for start in range(0, len(self.todo), size)]
        self.checking = self.runner.map(_sweep, chunks)

    def finish(self) -> dict[str, str]:
        self.check()
        assert self.checking is not None
        verdicts = itertools.chain.from_iterable(self.checking)
        for path, error in zip(self.todo, verdicts, strict=True):
            self.cache[path] = [*self.stamps[path], error]
        if self.state is not None and self.todo:
            _save_cache(self.state, {p: self.cache[p] for p in self.stamps})
        return {p: str(self.cache[p][2]) for p in self.stamps if self.cache[p][2]}

    def stop(self) -> None:
        """Stop ruff if it still runs (the preview failed or was interrupted)."""
        self.parsing.stop()


def rewrite_file(source: bytes, context: FileContext, state: RewriteState, *,
                 parses: bool = False) -> FileRewrite:
    """`statements.rewrite_file`, imported where a file is first rewritten (libcst)."""
    from pyagent_workbench.rewrite import statements

    return statements.rewrite_file(source, context, state, parses=parses)


_STATE: RewriteState | None = None
"""The worker's copy of the state of the rewrite it serves."""


def _install(state: RewriteState | None) -> None:
    global _STATE
    _STATE = state
    # A rewrite allocates objects by the million, few of them in cycles: the youngest
    # generation collected every 10,000 allocations, not 700 (a tenth of a worker's time
    # went to the collector).
    gc.set_threshold(10_000, 50, 100)


def _rewrite(item: tuple[bytes, FileContext, bool]) -> FileRewrite:
    source, context, parses = item
    assert _STATE is not None, "a rewrite worker started without its state"
    return rewrite_file(source, context, _STATE, parses=parses)


def _sweep(item: tuple[str, list[str], frozenset[str]]) -> list[str | None]:
    """Why each of these files (relative to the root) does not parse (`None`: it does).
    ruff answered for most (`valid`: the files it found valid); CPython answers for
    those it refused and those it may take wrongly (`syntax.beyond_ruff`)."""
    root, paths, valid = item
    verdicts: list[str | None] = []
    for path in paths:
        try:
            source = safefiles.read_regular(os.path.join(root, path))
        except OSError as error:
            verdicts.append(f"cannot be read: {error.strerror}")
            continue
        if path in valid and not syntax.beyond_ruff(source):
            verdicts.append(None)
        else:
            verdicts.append(_check(source, path))
    return verdicts


def early_syntax_check(root: Path, paths: Iterable[str], state: Path | None
                       ) -> syntax.Parsing:
    """ruff's syntax check (with the compiler's rules) of the files among `paths` whose
    verdict the sweep's cache does not hold, started before a preview knows which files
    it will sweep and which it will rewrite: it runs on the core the preview's first,
    serial steps leave idle (the plan's checks, the graph, the candidate scan), and
    answers both the sweep (`Runner.start_sweep`) and the rewrite (which files parse:
    `Preview`). The caller stops it (`Parsing.stop`) if no preview asks."""
    _, todo = _uncached(root, paths, _load_cache(state))
    return syntax.Parsing(root, _to_ask(str(root), todo), compiling=True, threads=1)


def _uncached(root: Path, paths: Iterable[str], cache: dict[str, list[object]]
              ) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Each path's stamp (mtime, size; a path that cannot be stat'ed is left out), and
    the paths whose verdict `cache` does not hold for their stamp."""
    stamps: dict[str, tuple[int, int]] = {}
    todo = []
    for path in paths:
        try:
            info = os.stat(root / path)
        except OSError:
            continue
        stamps[path] = stamp = (info.st_mtime_ns, info.st_size)
        cached = cache.get(path)
        if cached is None or tuple(cached[:2]) != stamp:
            todo.append(path)
    return stamps, todo


def _to_ask(root: str, paths: list[str]) -> list[str]:
    """Only regular files go to ruff, which would block reading a FIFO (a link is never
    swept); the others are reported by the workers' reading."""
    return [path for path in paths if _regular(root, path)]


def _regular(root: str, path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(os.path.join(root, path)).st_mode)
    except OSError:
        return False


def _check(source: bytes, path: str) -> str | None:
    """`None` when the file parses. CPython's compiler is fast (faster than `ast.parse`,
    which builds Python objects for every node); libcst (which knows newer syntax than
    the running Python, and does not apply the compiler's scope rules) has the last word
    on what it refuses, except on CPython's limits on nesting, which hold in every
    Python version, and on a file too deep for libcst to read (`depth`)."""
    refusal = depth.python_refusal(source)
    if refusal is None:
        return None
    import libcst as cst  # (only where CPython refuses a file)

    nesting = depth.nesting(source)
    if refusal.nesting_limit or nesting.levels > depth.BUDGET:
        return refusal.message
    try:
        depth.call(lambda: cst.parse_module(source), nesting, path)
        return None
    except depth.TooDeep:
        return refusal.message
    except ApplyError:  # no thread could be given the stack: not a fact about the file
        raise
    except cst.ParserSyntaxError as error:
        return f"line {error.raw_line}: {error.message.splitlines()[0]}"
    except Exception as error:  # undecodable bytes and the like
        return f"cannot be parsed: {type(error).__name__}"


def _load_cache(state: Path | None) -> dict[str, list[object]]:
    data = cachefile.load(state / SYNTAX_CACHE) if state is not None else None
    return data if isinstance(data, dict) else {}


def _save_cache(state: Path, cache: dict[str, list[object]]) -> None:
    cachefile.save(state / SYNTAX_CACHE, cache)
