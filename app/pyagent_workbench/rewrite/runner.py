"""Schedule per-file work over every core: libcst rewrites of the files that may refer to
a moved module, and a syntax sweep of the others (so that no unparsable file goes
unreported). The sweep's results are cached by size and mtime under the tool's state
folder, so only changed files are parsed again."""

from __future__ import annotations

import ast
import json
import os
import warnings
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import libcst as cst

from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite.context import FileContext
from pyagent_workbench.rewrite.files import FileRewrite, rewrite_python

SYNTAX_CACHE = "syntax-cache.json"
_PARALLEL_THRESHOLD = 48
"""Below this many files, starting worker processes costs more than it saves."""


@dataclass(frozen=True)
class RewriteJob:
    path: str
    context: FileContext


class Runner:
    """A process pool started on first use and shared by every phase of one preview."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._pool: Executor | None = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def _parallel(self, count: int) -> bool:
        return self.workers > 1 and count >= _PARALLEL_THRESHOLD

    def _executor(self) -> Executor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        return self._pool

    def rewrite(self, jobs: list[RewriteJob], contents: dict[str, bytes],
                resolver: Resolver) -> Iterator[FileRewrite]:
        if not self._parallel(len(jobs)):
            for job in jobs:
                yield rewrite_python(contents[job.path], job.context, resolver)
            return
        pool = self._executor()
        chunk = max(1, len(jobs) // (self.workers * 8))
        payload = [(contents[job.path], job.context, resolver) for job in jobs]
        yield from pool.map(_rewrite, payload, chunksize=chunk)

    def syntax_sweep(self, root: Path, paths: list[str], state: Path | None) -> dict[str, str]:
        """Files among `paths` that do not parse: path -> why."""
        cache = _load_cache(state)
        stamps: dict[str, tuple[int, int]] = {}
        todo = []
        for path in paths:
            try:
                info = os.stat(root / path)
            except OSError:
                continue
            stamp = (info.st_mtime_ns, info.st_size)
            stamps[path] = stamp
            cached = cache.get(path)
            if cached is None or tuple(cached[:2]) != stamp:
                todo.append(path)
        if self._parallel(len(todo)):
            pool = self._executor()
            chunk = max(1, len(todo) // (self.workers * 8))
            checked = list(pool.map(_check, [str(root / p) for p in todo], chunksize=chunk))
        else:
            checked = [_check(str(root / p)) for p in todo]
        for path, error in zip(todo, checked, strict=True):
            cache[path] = [*stamps[path], error]
        if state is not None and todo:
            _save_cache(state, {p: cache[p] for p in stamps})
        return {p: str(cache[p][2]) for p in stamps if cache[p][2]}


def _rewrite(item: tuple[bytes, FileContext, Resolver]) -> FileRewrite:
    source, context, resolver = item
    return rewrite_python(source, context, resolver)


def _check(path: str) -> str | None:
    """`None` when the file parses. ast is fast; libcst (which knows newer syntax than
    the running Python) has the last word on what ast refuses."""
    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
        return None
    except (SyntaxError, ValueError):
        pass
    try:
        cst.parse_module(source)
        return None
    except cst.ParserSyntaxError as error:
        return f"line {error.raw_line}: {error.message.splitlines()[0]}"
    except Exception as error:  # undecodable bytes and the like
        return f"cannot be parsed: {type(error).__name__}"


def _load_cache(state: Path | None) -> dict[str, list[object]]:
    if state is None:
        return {}
    try:
        data = json.loads((state / SYNTAX_CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_cache(state: Path, cache: dict[str, list[object]]) -> None:
    tmp = state / (SYNTAX_CACHE + ".tmp")
    try:
        tmp.write_text(json.dumps(cache), encoding="utf-8")
        tmp.replace(state / SYNTAX_CACHE)
    except OSError:
        pass  # a cache is an optimisation
