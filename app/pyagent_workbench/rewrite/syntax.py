"""Which Python files parse, asked of ruff's parser (native, on every core; ruff is a
dependency already, for `conform`).

The statement-level rewrite parses a file with CPython's `ast` to find the statements
that can change, and reads the whole file only to know it is valid: about a third of
the rewrite's time on Django. When ruff, for the running Python's version, finds no
syntax error in a file, the rewrite parses only its top-level statements that can change
(`statements._sparse`), or its beginning up to them (`statements._prefix`). ruff errs on
the strict side (it also refuses what only CPython's compiler does: a repeated argument,
`nonlocal` at the top level), which costs only that: such a file is parsed whole, as
are all files when ruff cannot run
(it crashes on a chain of some 10,000 operators: no file of that run is trusted). Where
it is lenient, nesting past CPython's parser limits, `near_parser_limits` looks at the
text the part leaves out.
On 2,400 files made broken by a random edit of Django's, ruff found every file `ast`
refuses (988 of them); `tests/test_syntax.py` holds a corpus of such edits.

The syntax sweep (`runner.Runner.start_sweep`: the files no rewrite reads, reported when
CPython cannot compile them) asks ruff too, with the checks of its linter that stand for
CPython's compiler (`return` outside a function, `nonlocal` without a binding...: the
`COMPILER_RULES`), `noqa` comments ignored. CPython compiles what ruff refuses (for its
own message, and because ruff is sometimes stricter) and what ruff may take wrongly
(`beyond_ruff`); about one file in ten of Django's tests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from pyagent_workbench.rewrite.conform import ruff_binary, stop_processes

_CHUNK = 2_000
"""Files per ruff run (a command line has a length limit)."""
_TIMEOUT = 300
_NEWEST = (3, 14)
"""The newest Python version ruff 0.17 takes as a target."""
COMPILER_RULES = ("F404", "F406", "F407", "F622", "F701", "F702", "F704", "F706", "F707",
                  "PLE0115", "PLE0117", "PLE0118", "PLE1142", "PLE1700")
"""ruff's checks for what CPython's compiler refuses in code its parser takes: a late or
unknown `__future__` import, `import *` in a function, two starred targets, `break`,
`continue`, `yield`, `await` or `return` out of place, a bare `except` not last,
`nonlocal` and `global` misused, `yield from` in an async function."""


def parsing_files(root: Path, paths: Iterable[str], *, compiling: bool = False) -> set[str]:
    """The files among `paths` (relative to `root`, Python source files) in which ruff
    finds no syntax error for this Python's version; none when it cannot tell.
    `compiling`: nor any of the errors its `COMPILER_RULES` stand for."""
    return Parsing(root, paths, compiling=compiling).result()


class Parsing:
    """`parsing_files`, asked now and answered later: ruff runs while the caller goes on
    (a process of its own, started here; no thread: the rewrite's pool may fork after
    this). A project of more than 2,000 files is checked in runs of 2,000, two at a time."""

    _AT_ONCE = 2

    def __init__(self, root: Path, paths: Iterable[str], *, compiling: bool = False,
                 threads: int | None = None) -> None:
        self.root = root
        todo = sorted({p for p in paths if p.endswith(".py")})
        if sys.version_info[:2] > _NEWEST:
            todo = []
        rules = ",".join(("E9", *COMPILER_RULES)) if compiling else "E9"
        self._command = [ruff_binary(), "check", "--isolated", "--no-cache", "--exit-zero",
                         "--ignore-noqa", "--target-version", f"py3{sys.version_info[1]}",
                         "--select", rules, "--output-format", "json"]
        self._all = todo
        self._joined: dict[str, str] | None = None
        self._resolved: dict[str, str] | None = None
        self._waiting = [todo[start:start + _CHUNK] for start in range(0, len(todo), _CHUNK)]
        self._env = {**os.environ, "RUFF_NO_CACHE": "true"}
        if threads is not None:
            self._env["RAYON_NUM_THREADS"] = str(threads)  # ruff's thread pool
        self._running: list[tuple[list[str], subprocess.Popen[bytes] | None]] = []
        self._found: set[str] | None = None
        while self._waiting and len(self._running) < self._AT_ONCE:
            self._start_next()

    def _start_next(self) -> None:
        chunk = self._waiting.pop(0)
        try:
            process: subprocess.Popen[bytes] | None = subprocess.Popen(
                [*self._command, *(f"./{path}" for path in chunk)], cwd=self.root,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=self._env)
        except OSError:
            process = None  # no answer for this chunk: none of it is vouched for
        self._running.append((chunk, process))

    def result(self) -> set[str]:
        """The files ruff found valid (waits for it)."""
        if self._found is None:
            found: set[str] = set()
            try:
                while self._running:
                    chunk, process = self._running[0]
                    if process is not None:
                        found.update(self._valid(chunk, process))
                    self._running.pop(0)
                    if self._waiting:
                        self._start_next()
            finally:
                self.stop()
            self._found = found
        return self._found

    def _valid(self, chunk: list[str], process: subprocess.Popen[bytes]) -> set[str]:
        try:
            stdout, _ = process.communicate(timeout=_TIMEOUT)
            if process.returncode != 0:
                return set()
            reported = json.loads(stdout or b"[]")
        except (OSError, subprocess.SubprocessError, ValueError):
            stop_processes([process])  # (past the timeout)
            return set()
        flagged = set()
        members = set(chunk)
        for finding in reported if isinstance(reported, list) else [None]:
            name = finding.get("filename") if isinstance(finding, dict) else None
            path = self._ours(members, name) if isinstance(name, str) else None
            if path is None:
                return set()  # a finding not known as one of ours: trust none of this chunk
            flagged.add(path)
        return {path for path in chunk if path not in flagged}

    def _ours(self, chunk: set[str], name: str) -> str | None:
        """Which file of `chunk` ruff reports as `name` (an absolute path: its working
        folder, the root resolved, joined with the path it was given, or that path
        resolved). Resolved only when the plain join does not match: a `realpath` per
        file cost 0.1 s on 600 files, and ruff reports few."""
        if self._joined is None:
            base = os.path.realpath(self.root)
            self._joined = {os.path.join(base, path): path for path in self._all}
        path = self._joined.get(name)
        if path is not None and path in chunk:
            return path
        if self._resolved is None:
            self._resolved = {os.path.realpath(self.root / path): path for path in self._all}
        path = self._resolved.get(os.path.realpath(name))
        return path if path is not None and path in chunk else None

    def stop(self) -> None:
        """End the runs not waited for (after an error or an interruption)."""
        self._waiting.clear()
        stop_processes(process for _, process in self._running)
        self._running.clear()


# -- where ruff's parser takes what CPython's refuses --------------------------------------

_DEEP_INDENT = re.compile(rb"\n[ \t]{90}")
_ONE_BRACKET = bytes.maketrans(b"([{)]}", b"((()))")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"([{)]}"))
_NOT_NESTING = bytes(set(range(256)) - set(b"+-*/%@&|^~<>.([{"))
_NESTING_WORDS = (b"if", b"not", b"lambda", b"await", b"yield")
_FUNCTION_OR_CLASS = re.compile(rb"\n[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]")
"""A function or class header line, from its line break (`_function_or_class_headers`
finds the same, faster)."""
_CHAIN = 1_500
"""CPython's parser and compiler refuse about 3,000 levels of nesting in one statement
(less the blocks around it); this many tokens that can nest leave room for those."""


def near_parser_limits(text: bytes, start: int = 0) -> bool:
    """Whether the text from `start` may nest past what CPython's parser takes (200
    brackets, 100 indentation levels, about 3,000 levels in one statement) and ruff's
    does not refuse: brackets 90 deep (strings and comments counted too: a stray closing
    one never hides a level), a line indented 90 characters, one of 2,000 characters,
    or 1,500 tokens that can nest (operators, brackets, dots, `if`, `not`, `lambda`,
    `await`, `yield`: counted as text, in names too) between two function or class
    headers (a chain of operators or an `elif` chain over many short lines)."""
    if _DEEP_INDENT.search(text, start - 1 if start else 0):
        return True
    rest = text[start:]
    if max(map(len, rest.split(b"\n"))) >= 2_000:
        return True
    if _nesting_tokens(rest) >= _CHAIN and _chain_between_headers(rest):
        return True
    return _brackets_may_nest(rest, 90)


def _chain_between_headers(text: bytes) -> bool:
    """Whether `_CHAIN` tokens that can nest lie between two function or class headers
    (or before the first, or after the last). A stretch shorter than `_CHAIN` bytes
    holds fewer: it is not counted."""
    done = 0
    for start, end in [*_function_or_class_headers(text), (len(text), len(text))]:
        if start - done >= _CHAIN and _nesting_tokens(text[done:start]) >= _CHAIN:
            return True
        done = end
    return False


def _function_or_class_headers(text: bytes) -> list[tuple[int, int]]:
    """The spans `_FUNCTION_OR_CLASS.finditer` finds, four times faster: each `def` and
    `class` found by `bytes.find`, what is before it on its line read backwards here
    (the regex is tried at every line break). Where the words outnumber the lines (a
    file of `def def def ...`), the regex, whose cost follows the lines, is the cheaper."""
    if text.count(b"def") + text.count(b"class") > text.count(b"\n"):
        return [match.span() for match in _FUNCTION_OR_CLASS.finditer(text)]
    found = []
    for word in (b"def", b"class"):
        at = text.find(word)
        while at >= 0:
            end = at + len(word)
            if text[end:end + 1] in (b" ", b"\t"):
                line = _header_line(text, at)
                if line is not None:
                    found.append((line, end + 1))
            at = text.find(word, end)
    return sorted(found)


_BLANK_BYTES = frozenset(b" \t")


def _header_line(text: bytes, at: int) -> int | None:
    """Where the line break before a header's `def` or `class` (at `at`) is, when only
    blanks, or `async` and blanks, lie between; `None` when something else does. Read
    back over those bytes alone: a long line of words costs no more than its length."""
    start = _past_blanks(text, at)
    if not (start and text[start - 1] == 0x0A) and start < at and text.endswith(
            b"async", 0, start):
        start = _past_blanks(text, start - 5)
    return start - 1 if start and text[start - 1] == 0x0A else None


def _past_blanks(text: bytes, at: int) -> int:
    """Where the run of blanks that ends at `at` starts."""
    while at and text[at - 1] in _BLANK_BYTES:
        at -= 1
    return at


def _brackets_may_nest(text: bytes, levels: int) -> bool:
    """Whether the brackets of `text` (in strings and comments too) may be `levels`
    deep: a pair nested that deep, or fewer with as many brackets left open (one a
    string leaves open counts as a level; one it closes never hides a level). The
    innermost pairs are taken away, over and over: n rounds take every pair up to n
    deep, and what is left bounds the rest."""
    brackets = text.translate(_ONE_BRACKET, _NOT_BRACKETS)
    rounds = 0
    while rounds + brackets.count(b"(") >= levels:
        if rounds == levels:
            return True
        fewer = brackets.replace(b"()", b"")
        if len(fewer) == len(brackets):
            return True  # no pair left: as many opened as could be that deep
        brackets = fewer
        rounds += 1
    return False


def _nesting_tokens(text: bytes) -> int:
    return len(text.translate(None, _NOT_NESTING)) + sum(map(text.count, _NESTING_WORDS))


_CODING = re.compile(rb"[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_LINE_INDENT = re.compile(rb"\n([ \t\f]*)[^ \t\f\r\n#]")
_BLOCKS = 9
"""CPython compiles 20 blocks nested statically (a loop, `with`, `try`; an `except`
handler counts two: 10 nested handlers already fail)."""


def beyond_ruff(text: bytes) -> bool:
    """Whether CPython's compiler may refuse a file in which ruff finds no error (with
    its `COMPILER_RULES`): nesting near CPython's limits (`near_parser_limits`), or
    lines indented 9 levels deep (blocks nested past its static limit), an `async`
    function (ruff misses a `return` with a value in an async generator), a declared
    encoding other than UTF-8 (unknown to Python, or at odds with a BOM)."""
    return (b"async" in text or declares_another_encoding(text)
            or _indentation_depth(text) >= _BLOCKS or near_parser_limits(text))


def declares_another_encoding(text: bytes) -> bool:
    """Whether one of the first two lines declares an encoding other than UTF-8 (a BOM
    ahead of the declaration is skipped)."""
    for line in text.removeprefix(b"\xef\xbb\xbf").split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match and match.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            return True
    return False


def _indentation_depth(text: bytes) -> int:
    """How many indentation levels deep the file's most indented line is. A line inside
    brackets or a string counts as a statement would: one deeper than the block adds a
    level (more than the blocks: only a compile more); one at the margin inside a string
    closes the levels above it (fewer: a file written to hide blocks nested past
    CPython's limit behind such strings goes unreported by the sweep)."""
    levels = [0]
    deepest = 0
    for width in map(len, _LINE_INDENT.findall(b"\n" + text)):
        while width < levels[-1]:
            levels.pop()
        if width > levels[-1]:
            levels.append(width)
            deepest = max(deepest, len(levels) - 1)
    return deepest
