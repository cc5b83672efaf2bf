"""Keep the project's import order and formatting: a file that its sorter and formatter
accepted before the apply is accepted after it.

A rewritten import can sort elsewhere in its block (`pkg.a` became `pkg.z.a`) or grow
past the line length, and a facade is new code: left as they are, the pull request fails
the project's lint. The project's own settings are read (ruff's `I` rules or isort;
ruff-format or black, with their line length and string style), and ruff, a dependency,
sorts and formats in their place, in a copy of the touched files (never in the repo):

- which files were clean is asked of ruff on the old texts at their old paths;
- only those are sorted (I001's fix) and formatted after the rewrite, so a file the
  project never kept sorted or formatted is left exactly as the rewrite made it, and a
  clean file changes only where the rewrite made it unclean;
- the tool's own new files (facades) follow the project's settings whenever the project
  has a sorter or formatter;
- a string the rewrite lengthened past the project's line length is cut in two
  (`longstrings`).

The copies sit in a temporary folder laid out like the repo, with the project's config
files and an empty stand-in for every other Python file (the sorter tells a first-party
import by the module's file on a source path, and a package by its `__init__.py`), so
ruff sees what it would see in the repo. Nothing of the repo is executed: ruff only
parses.
"""

from __future__ import annotations

import configparser
import contextlib
import functools
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pyagent_workbench import safefiles
from pyagent_workbench.rewrite.longstrings import may_split, split_long_strings

Sorter = Literal["ruff", "isort"]
Formatter = Literal["ruff", "black"]

_RUFF_CONFIGS = ("pyproject.toml", "ruff.toml", ".ruff.toml")
_IMPORT_LINE = re.compile(
    rb"[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b|import[ \t]+([\w. \t,]+))")
"""An import opening a line: `from a.b import`, or `import a.b, c` (group 1, group 2)."""
_TIMEOUT = 300

# isort's settings that ruff's isort rules share, with ruff's names (others are left:
# the sorting then follows ruff's defaults, which are isort's `profile = "black"`).
_ISORT_SETTINGS = {
    "force_single_line": "force-single-line",
    "combine_as_imports": "combine-as-imports",
    "force_sort_within_sections": "force-sort-within-sections",
    "lines_after_imports": "lines-after-imports",
    "lines_between_types": "lines-between-types",
    "order_by_type": "order-by-type",
    "case_sensitive": "case-sensitive",
    "known_first_party": "known-first-party",
    "known_third_party": "known-third-party",
    "known_local_folder": "known-local-folder",
    "force_to_top": "force-to-top",
    "no_lines_before": "no-lines-before",
    "default_section": "default-section",
    "from_first": "from-first",
    "split_on_trailing_comma": "split-on-trailing-comma",
}
_ISORT_LISTS = {"known_first_party", "known_third_party", "known_local_folder",
                "force_to_top", "no_lines_before"}
_ISORT_SECTIONS = {"FUTURE": "future", "STDLIB": "standard-library",
                   "THIRDPARTY": "third-party", "FIRSTPARTY": "first-party",
                   "LOCALFOLDER": "local-folder"}


@dataclass(frozen=True)
class Style:
    """How the project sorts its imports and formats its code, as its config says."""

    sorter: Sorter | None = None
    formatter: Formatter | None = None
    line_length: int | None = None
    """The formatter's line length when it is not ruff's own setting (black's)."""
    code_line_length: int | None = None
    """The line length the project's tools hold code to (ruff's, black's, isort's or
    flake8's), for the code the tool writes (facades)."""
    has_ruff_config: bool = False
    ruff_overrides: tuple[str, ...] = ()
    """`--config` settings for ruff standing for another tool's (isort's, black's)."""
    config_files: tuple[str, ...] = ()
    """Repo-relative config files ruff reads."""
    flake8: bool = False
    """The project lints with flake8 (its config, a tox environment or a pre-commit hook
    says so): the facades are exempt from it (`facades.exempt_from_flake8`)."""

    @property
    def active(self) -> bool:
        return self.sorter is not None or self.formatter is not None

    def describe(self) -> str:
        parts = []
        if self.sorter:
            parts.append(f"imports sorted as by {self.sorter}")
        if self.formatter:
            parts.append(f"formatted as by {self.formatter}")
        return ", ".join(parts) or "no sorter or formatter found"


def detect(root: Path) -> Style:
    """The project's sorter and formatter, from pyproject.toml, ruff.toml, setup.cfg,
    tox.ini, .isort.cfg and .pre-commit-config.yaml at its root."""
    pyproject = safefiles.read_toml(root / "pyproject.toml")
    tool = pyproject.get("tool", {}) if isinstance(pyproject.get("tool"), dict) else {}
    ruff, ruff_file = _ruff_settings(root, tool)
    inis = {name: safefiles.read_ini(root / name) for name in _INI_CONFIGS}
    isort = _isort_settings(inis, tool)
    black = tool.get("black") if isinstance(tool.get("black"), dict) else None
    hooks = _pre_commit_hooks(root)

    lint: dict[str, Any] = ruff["lint"] if isinstance(ruff.get("lint"), dict) else {}
    selected = [*_strings(ruff.get("select")), *_strings(ruff.get("extend-select")),
                *_strings(lint.get("select")), *_strings(lint.get("extend-select"))]
    ruff_sorts = any(code in ("ALL", "I", "I0", "I00", "I001") for code in selected)
    sorter: Sorter | None = ("ruff" if ruff_sorts else
                             "isort" if isort is not None or "isort" in hooks else None)
    formatter: Formatter | None = None
    if "format" in ruff or "ruff-format" in hooks or (ruff_file and black is None):
        formatter = "ruff"
    elif black is not None or "black" in hooks:
        formatter = "black"

    overrides: list[str] = []
    line_length = None
    if sorter == "isort" and isort:
        overrides += _isort_overrides(isort)
    if formatter == "black" and black:
        line_length = _int(black.get("line-length"))
        if black.get("skip-string-normalization"):
            overrides.append('format.quote-style = "preserve"')
        if black.get("skip-magic-trailing-comma"):
            overrides.append("format.skip-magic-trailing-comma = true")
    code_line_length = (_int(ruff.get("line-length")) or (88 if ruff_file else None)
                        or line_length or (88 if formatter == "black" else None)
                        or _int(isort.get("line_length") if isort else None)
                        or _flake8_line_length(inis))
    configs = tuple(name for name in (*_RUFF_CONFIGS, "setup.cfg", "tox.ini", ".isort.cfg")
                    if _is_regular(root / name))
    return Style(sorter=sorter, formatter=formatter, line_length=line_length,
                 code_line_length=code_line_length, has_ruff_config=ruff_file is not None,
                 ruff_overrides=tuple(overrides), config_files=configs,
                 flake8=_lints_with_flake8(root, inis, tool, hooks))


@dataclass(frozen=True)
class Touched:
    """A Python file the plan writes: its text before (None for a new file) and after."""

    new_path: str
    old_path: str | None
    old_text: bytes | None
    new_text: bytes


@dataclass
class Conformed:
    texts: dict[str, bytes] = field(default_factory=dict)
    """New texts of the files that sorting or formatting changed, by new path."""
    warnings: list[str] = field(default_factory=list)


def conform(root: Path, style: Style, files: Sequence[Touched], *,
            tree_before: Iterable[str], tree_after: Iterable[str]) -> Conformed:
    """Sort and format `files` as the project would, where it kept them so before.

    `tree_before`, `tree_after`: the repo's Python files before and after the moves (the
    sorter tells a first-party import by the module's file on a source path, and a
    package by its `__init__.py`)."""
    result = Conformed()
    files = [f for f in files if _utf8(f.new_text) and (f.old_text is None or _utf8(f.old_text))]
    if style.active and files:
        try:
            with tempfile.TemporaryDirectory(prefix="pyagent-workbench-conform-",
                                             dir=_scratch_root()) as scratch:
                copies = _Copies(root, style, Path(scratch))
                copies.run(files, set(tree_before), set(tree_after), result)
        except (OSError, subprocess.SubprocessError, ValueError, _RuffFailed) as error:
            result.texts.clear()
            result.warnings.append(
                f"imports not sorted and code not formatted as the project does ({error}): "
                "run its sorter and formatter before committing")
    if style.code_line_length:
        for touched in files:
            data = result.texts.get(touched.new_path, touched.new_text)
            if not may_split(data, style.code_line_length):
                continue
            text = data.decode("utf-8")
            split = split_long_strings(text, (touched.old_text or b"").decode("utf-8"),
                                       style.code_line_length)
            if split != text:
                result.texts[touched.new_path] = split.encode("utf-8")
    return result


class _RuffFailed(Exception):
    pass


class _Copies:
    """The touched files before (old paths) and after (new paths), each in a copy of the
    repo's layout (empty stand-ins for the other Python files) and settings."""

    def __init__(self, root: Path, style: Style, scratch: Path) -> None:
        self.root = root
        self.style = style
        self.before = scratch / "before"
        self.after = scratch / "after"
        self.again = scratch / "again"
        """The files to format without sorting them (not sorted before the moves)."""

    def run(self, files: list[Touched], tree_before: set[str], tree_after: set[str],
            result: Conformed) -> None:
        """Sort and format every file after the moves, then ask about the files before
        only where that changed something: a file the project did not keep sorted (or
        formatted) keeps its order (or layout) as the rewrite made it. In a project kept
        clean, the rewrite's output usually needs nothing, and the files before are
        never laid out (half of this step's time on Django's 30 moves)."""
        new = {f.new_path: f.new_text for f in files}
        self.lay_out(self.after, new, tree_after)
        sorted_only: dict[str, bytes] = {}
        if self.style.sorter:
            self.ruff(self.after, "check", "--fix", "--select", "I001", "--exit-zero",
                      *_arguments(new))
            if self.style.formatter:
                sorted_only = _changed_back(self.after, new)
        if self.style.formatter:
            self.ruff(self.after, "format", *self.format_options(), *_arguments(new))
        both = _changed_back(self.after, new)
        changed = [f for f in files if f.new_path in both or f.new_path in sorted_only]
        if not changed:
            return
        unsorted, unformatted = self.unclean_before(changed, sorted_only, both, tree_before)
        formatted_alone: list[str] = []
        for touched in changed:
            # Clean before: an existing file the check did not flag, or a file of the tool's.
            sort = bool(self.style.sorter) and touched.old_path not in unsorted
            format_ = bool(self.style.formatter) and touched.old_path not in unformatted
            if (sort or not self.style.sorter) and (format_ or not self.style.formatter):
                text = both.get(touched.new_path, touched.new_text)  # all it kept clean
            elif sort:
                text = sorted_only.get(touched.new_path, touched.new_text)
            elif format_:
                formatted_alone.append(touched.new_path)
                continue
            else:
                continue
            if text != touched.new_text:
                result.texts[touched.new_path] = text
        if formatted_alone:
            alone = {path: new[path] for path in formatted_alone}
            self.lay_out(self.again, alone, tree_after)
            self.ruff(self.again, "format", *self.format_options(), *_arguments(alone))
            result.texts.update(_changed_back(self.again, alone))

    def unclean_before(self, changed: list[Touched], sorted_only: dict[str, bytes],
                       both: dict[str, bytes], tree_before: set[str]
                       ) -> tuple[set[str], set[str]]:
        """The old paths of `changed` the sorter and the formatter would have changed
        before the moves, asked only where the answer decides what `run` keeps: whether
        a file was sorted matters only where sorting changed it now (where it did not,
        its text after formatting is the same either way), and whether it was formatted
        only where formatting changed it after sorting, or where it was not sorted
        (then it is formatted alone, if at all). The first two are asked side by side,
        the third after them, and seldom (on Django's 30 moves, 64 files of 188 are
        formatted differently after sorting: 3 of the 6 MB the format check read). A
        file not asked about counts as clean."""
        sorting, formatting = bool(self.style.sorter), bool(self.style.formatter)

        def sorted_text(touched: Touched) -> bytes:
            if formatting:
                return sorted_only.get(touched.new_path, touched.new_text)
            return both.get(touched.new_path, touched.new_text)  # sorted, not formatted

        existing = [f for f in changed if f.old_path is not None and f.old_text is not None]
        to_sort = [f for f in existing if sorting and sorted_text(f) != f.new_text]
        to_format = [f for f in existing
                     if formatting and both.get(f.new_path, f.new_text) != sorted_text(f)]
        if not to_sort and not to_format:
            return set(), set()
        self.lay_out(self.before, {f.old_path: f.old_text for f in [*to_sort, *to_format]
                                   if f.old_path is not None and f.old_text is not None},
                     tree_before)
        unsorted, unformatted = self.unclean(self.before, self.start_checks(
            self.before, sorted({f.old_path for f in to_sort if f.old_path}),
            sorted({f.old_path for f in to_format if f.old_path})))
        asked = {f.old_path for f in to_format}
        alone = sorted(unsorted - asked)
        if formatting and alone:
            _, more = self.unclean(self.before, self.start_checks(self.before, [], alone))
            unformatted |= more
        return unsorted, unformatted

    def lay_out(self, where: Path, texts: dict[str, bytes], tree: set[str]) -> None:
        where.mkdir()
        for name in self.style.config_files:
            (where / name).write_bytes(safefiles.read_regular(self.root / name))
        if not any(name in _RUFF_CONFIGS and self.style.has_ruff_config
                   for name in self.style.config_files):
            (where / "ruff.toml").write_text("")  # settings end here: no user or parent config
        paths = sorted(_stand_ins(tree, texts) | set(texts))
        for path in paths:
            relative = PurePosixPath(path)
            if relative.is_absolute() or ".." in relative.parts:
                raise ValueError(f"{path}: not a path inside the repository")
        # Plain os calls: pathlib's cost ten times the writing itself (a thousand files).
        base = str(where)
        folders: set[str] = set()
        for path in paths:
            folder = os.path.dirname(path)
            while folder and folder not in folders:
                folders.add(folder)
                folder = os.path.dirname(folder)
        for folder in sorted(folders):  # each after its parent
            os.mkdir(os.path.join(base, folder))
        for path in paths:
            _write_new(os.path.join(base, path), texts.get(path, b""))

    def start_checks(self, where: Path, to_sort: list[str], to_format: list[str]
                     ) -> dict[str, subprocess.Popen[bytes]]:
        """The sorter's check of `to_sort` and the formatter's of `to_format`, started side
        by side."""
        started: dict[str, subprocess.Popen[bytes]] = {}
        try:
            if self.style.sorter and to_sort:
                started["sort"] = self.start(where, "check", "--select", "I001", "--no-fix",
                                             "--exit-zero", "--output-format", "json",
                                             *_arguments(to_sort))
            if self.style.formatter and to_format:
                # JSON, whatever `output-format` the project's config sets for its own use.
                started["format"] = self.start(where, "format", "--check", "--output-format",
                                               "json", *self.format_options(),
                                               *_arguments(to_format))
        except BaseException:
            stop_processes(started.values())
            raise
        return started

    def unclean(self, where: Path, checks: dict[str, subprocess.Popen[bytes]]
                ) -> tuple[set[str], set[str]]:
        """The paths the sorter and the formatter would change, from their checks."""
        found: dict[str, set[str]] = {"sort": set(), "format": set()}
        try:
            for kind, process in checks.items():
                output = self.finish(process, "check" if kind == "sort" else "format",
                                     ok=(0,) if kind == "sort" else (0, 1))
                for finding in json.loads(output or "[]"):
                    found[kind].add(_relative(where, finding["filename"]))
        finally:
            stop_processes(checks.values())
        return found["sort"], found["format"]

    def format_options(self) -> list[str]:
        if self.style.line_length:
            return ["--line-length", str(self.style.line_length)]
        return []

    def ruff(self, where: Path, command: str, *args: str, ok: tuple[int, ...] = (0,)) -> str:
        process = self.start(where, command, *args)
        try:
            return self.finish(process, command, ok=ok)
        finally:
            stop_processes([process])

    def start(self, where: Path, command: str, *args: str) -> subprocess.Popen[bytes]:
        overrides = [part for setting in self.style.ruff_overrides
                     for part in ("--config", setting)]
        return subprocess.Popen(
            [ruff_binary(), command, "--no-cache", "--force-exclude", *overrides, *args],
            cwd=where, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env={**os.environ, "RUFF_NO_CACHE": "true"})

    @staticmethod
    def finish(process: subprocess.Popen[bytes], command: str, *,
               ok: tuple[int, ...] = (0,)) -> str:
        stdout, stderr = process.communicate(timeout=_TIMEOUT)
        if process.returncode not in ok:
            message = stderr.decode("utf-8", "replace").strip().splitlines()
            raise _RuffFailed(f"ruff {command}: {message[-1] if message else process.returncode}")
        return stdout.decode("utf-8", "replace")


def stop_processes(processes: Iterable[subprocess.Popen[bytes] | None]) -> None:
    """Kill and reap what is still running (after a timeout, an error or an interrupt);
    `None`: a process that could not start."""
    for process in processes:
        if process is not None and process.returncode is None:  # not reaped by `finish`
            with contextlib.suppress(OSError):
                process.kill()
            with contextlib.suppress(subprocess.SubprocessError, OSError, ValueError):
                process.communicate(timeout=_TIMEOUT)


def _changed_back(where: Path, texts: dict[str, bytes]) -> dict[str, bytes]:
    """The files of the copy at `where` whose text is no longer the one laid out."""
    base = str(where)
    changed = {}
    for path, text in texts.items():
        now = safefiles.read_regular(os.path.join(base, path))
        if now != text:
            changed[path] = now
    return changed


def _write_new(path: str, data: bytes) -> None:
    """A file of the scratch copy (created, never one that was there)."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)


def _scratch_root() -> str | None:
    """Memory-backed /dev/shm where there is one (thousands of small files are written
    and read back there ten times faster than on a disk-backed /tmp), else the default."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def import_lines(text: bytes) -> Iterator[re.Match[bytes]]:
    """`_IMPORT_LINE` matched at the start of each line holding the word `import` (the
    others cannot match): `bytes.find` goes from one to the next, where the regex tried
    at every line break read the whole text (30 ms of the 50 the copy after the moves
    takes on Django's 30 moves, on the critical path)."""
    at = text.find(b"import")
    while at >= 0:
        match = _IMPORT_LINE.match(text, text.rfind(b"\n", 0, at) + 1)
        if match is not None:
            yield match
        end = text.find(b"\n", at)
        if end < 0:
            return
        at = text.find(b"import", end)


def _stand_ins(tree: set[str], texts: dict[str, bytes]) -> set[str]:
    """The files of `tree` the sorter can ask about for `texts`: the modules they import
    (by the import's dotted path, wherever a source path puts it) and the `__init__.py`
    of their folders. Writing only these keeps the copy small on a big repo."""
    imported: set[str] = set()
    for text in texts.values():
        for match in import_lines(text):
            if match.group(1):
                imported.add(match.group(1).decode().replace(".", "/"))
            else:
                for part in match.group(2).decode().split(","):
                    words = part.split()
                    if words:
                        imported.add(words[0].replace(".", "/"))
    folders: set[str] = set()
    for path in texts:
        folder = path
        while "/" in folder:
            folder = folder.rpartition("/")[0]
            folders.add(folder)
    wanted = set()
    for path in tree:
        stem = path.removesuffix(".py").removesuffix(".pyi").removesuffix("/__init__")
        if stem == path:
            continue
        if path.endswith("__init__.py") and stem in folders:
            wanted.add(path)
            continue
        tail = stem  # the stem, then without its first folder, and so on
        while tail not in imported and "/" in tail:
            tail = tail.partition("/")[2]
        if tail in imported:
            wanted.add(path)
    return wanted


@functools.cache
def ruff_binary() -> str:
    """The ruff executable installed with the `ruff` package (a dependency)."""
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    return str(find_ruff_bin())


def _arguments(paths: Iterable[str]) -> list[str]:
    """Paths as ruff's arguments: `./-x.py`, never an option."""
    return [f"./{path}" for path in paths]


def _relative(where: Path, reported: str) -> str:
    path = Path(reported)
    if not path.is_absolute():
        path = where / path
    return path.resolve().relative_to(where.resolve()).as_posix()


def _utf8(text: bytes) -> bool:
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _ruff_settings(root: Path, tool: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Ruff's settings and the file they come from (ruff.toml wins over pyproject)."""
    for name in (".ruff.toml", "ruff.toml"):
        data = safefiles.read_toml(root / name)
        if data or _is_regular(root / name):
            return data, name
    ruff = tool.get("ruff")
    return (ruff, "pyproject.toml") if isinstance(ruff, dict) else ({}, None)


_INI_CONFIGS = (".isort.cfg", ".flake8", "setup.cfg", "tox.ini")
"""The ini-style config files `detect` reads (each once)."""
_Inis = dict[str, configparser.ConfigParser | None]


def _isort_settings(inis: _Inis, tool: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(tool.get("isort"), dict):
        return dict(tool["isort"])
    for name, section in ((".isort.cfg", "settings"), ("setup.cfg", "isort"),
                          ("tox.ini", "isort")):
        parser = inis[name]
        if parser is not None and parser.has_section(section):
            return dict(parser.items(section))
    return None


def _isort_overrides(settings: dict[str, Any]) -> list[str]:
    overrides = []
    for key, value in settings.items():
        name = _ISORT_SETTINGS.get(key.replace("-", "_"))
        if name is None:
            continue
        setting = _isort_value(key.replace("-", "_"), value)
        if setting is not None:
            overrides.append(f"lint.isort.{name} = {setting}")
    line_length = _int(settings.get("line_length"))
    if line_length:
        overrides.append(f"line-length = {line_length}")
    return overrides


def _isort_value(key: str, value: Any) -> str | None:
    if key in _ISORT_LISTS:
        items = _strings(value.replace("\n", ",").split(",") if isinstance(value, str) else value)
        return json.dumps([item.strip() for item in items if item.strip()])
    if key == "default_section":
        section = _ISORT_SECTIONS.get(str(value).strip().upper())
        return json.dumps(section) if section else None
    if key == "lines_after_imports" or key == "lines_between_types":
        number = _int(value)
        return None if number is None else str(number)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower()
    return None


def _flake8_line_length(inis: _Inis) -> int | None:
    for name in (".flake8", "setup.cfg", "tox.ini"):
        parser = inis[name]
        if parser is None:
            continue
        for section in ("flake8", "pycodestyle"):
            if parser.has_section(section):
                number = _int(parser.get(section, "max-line-length", fallback=None)
                              or parser.get(section, "max_line_length", fallback=None))
                if number:
                    return number
    return None


def _lints_with_flake8(root: Path, inis: _Inis, tool: dict[str, Any], hooks: set[str]
                       ) -> bool:
    """A `.flake8` file, a `[flake8]` section (setup.cfg, tox.ini; pyproject.toml's
    `[tool.flake8]`, read by a plugin), a tox environment `flake8` or a pre-commit hook
    `flake8`."""
    if "flake8" in hooks or isinstance(tool.get("flake8"), dict) or _is_regular(
            root / ".flake8"):
        return True
    for name in ("setup.cfg", "tox.ini"):
        parser = inis[name]
        if parser is not None and (parser.has_section("flake8")
                                   or parser.has_section("testenv:flake8")):
            return True
    return False


def _pre_commit_hooks(root: Path) -> set[str]:
    """The hook ids named in .pre-commit-config.yaml (read as text: no YAML parser)."""
    path = root / ".pre-commit-config.yaml"
    if not _is_regular(path):
        return set()
    try:
        text = safefiles.read_regular(path).decode("utf-8", "replace")
    except OSError:
        return set()
    hooks = set()
    for line in text.splitlines():
        key, _, value = line.strip().removeprefix("- ").partition(":")
        if key.strip() == "id":
            hooks.add(value.split("#")[0].strip().strip("'\""))
    return hooks


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 10_000 else None
