"""Rewrite one file's text: Python through libcst, tool configuration through a regex.

Both work on bytes and give bytes back, so encodings, BOMs and line endings of the
parts they do not change stay exactly as they were.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite import depth, patterns
from pyagent_workbench.rewrite.context import FileContext
from pyagent_workbench.rewrite.literals import NESTED_REFERENCE, may_run_code
from pyagent_workbench.textlines import numbered_lines

if TYPE_CHECKING:
    from pyagent_workbench.rewrite.imports import ImportRewriter
    from pyagent_workbench.rewrite.strings import DottedStringRewriter

# Tool configuration that names modules: entry points, pytest, coverage, mypy, linters.
CONFIG_FILES = frozenset(
    {"pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", ".importlinter", "mypy.ini",
     ".coveragerc", ".flake8", "noxfile.py"}
)


@dataclass
class Mention:
    """An old dotted name left in the text, for a person to review."""

    path: str
    line: int
    text: str
    kind: str
    """"comment", "text" (in a docstring or longer string), "identity" (a runtime
    identity deliberately kept) or "config"."""


@dataclass
class FileRewrite:
    path: str
    new_bytes: bytes | None
    """`None` when the file could not be parsed."""
    changed_imports: int = 0
    changed_strings: int = 0
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    """Why the file could not be parsed."""
    too_deep_at: int | None = None
    """The line of a nesting deeper than the rewriter follows (`depth.BUDGET`), when
    that is why the file was not rewritten (`error` then says how deep)."""
    compiled: bool = False
    """`new_bytes` (which differ from the file's) were compiled without error where they
    were computed (a worker process), so `apply` need not compile them again."""

    @property
    def changes(self) -> int:
        return self.changed_imports + self.changed_strings


def is_config_file(path: str) -> bool:
    return path.rpartition("/")[2] in CONFIG_FILES


def too_deep(path: str, error: depth.TooDeep) -> FileRewrite:
    """The result for a file nested deeper than the rewriter follows (at the line of
    the file `error` names)."""
    return FileRewrite(path, None, error=f"{error.nesting.levels:,} levels of nesting; the "
                                          f"rewriter follows {depth.BUDGET:,}",
                       too_deep_at=error.nesting.line)


def rewrite_python(source: bytes, context: FileContext, resolver: Resolver) -> FileRewrite:
    """Rewrite imports, dotted uses and dotted strings in one Python file.

    libcst sees the file only once its nesting is known (`depth`): a file CPython
    refuses as nested too deeply is reported as not parsing, one deeper than the
    rewriter follows as too deep."""
    nesting = depth.nesting(source)
    if nesting.levels > depth.PYTHON_LIMITS_FROM or not nesting.complete:
        refusal = depth.python_refusal(source, nesting)
        if refusal is not None and (refusal.nesting_limit or nesting.levels > depth.BUDGET):
            return FileRewrite(context.path, None, error=refusal.message)
    try:
        return depth.call(lambda: _rewrite_whole_file(source, context, resolver), nesting,
                          context.path)
    except depth.TooDeep as error:
        return too_deep(context.path, error)
    except _NotParsed as refused:
        if nesting.levels > depth.SHALLOW and depth.python_refusal(source, nesting) is None:
            # CPython compiles what libcst's parser gave up on: libcst's own limit
            # (about 3,000 strings in one implicit concatenation)
            return too_deep(context.path, depth.TooDeep(nesting))
        return FileRewrite(context.path, None, error=str(refused))


class _NotParsed(Exception):
    """libcst's parser refused the file (the message: `line N: why`)."""


def _rewrite_whole_file(source: bytes, context: FileContext, resolver: Resolver
                        ) -> FileRewrite:
    # libcst, only where a file is rewritten: the process that plans the work (and every
    # command that rewrites nothing) never imports it (`runner`: the workers' fork
    # server does, while the repo is read).
    import libcst as cst

    from pyagent_workbench.rewrite.imports import ImportRewriter
    from pyagent_workbench.rewrite.strings import DottedStringRewriter

    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise _NotParsed(f"line {error.raw_line}: {error.message.splitlines()[0]}") from None
    except (UnicodeDecodeError, LookupError, SyntaxError) as error:
        return FileRewrite(context.path, None, error=f"cannot decode: {error}")
    imports = ImportRewriter(context, resolver)
    try:
        after_imports = module.visit(imports)
        strings = DottedStringRewriter(resolver, aliases=imports.aliases, context=context,
                                       named_code=may_run_code(source))
        new_module = after_imports.visit(strings)
    except cst.CSTValidationError as error:  # pragma: no cover - a bug, reported as such
        return FileRewrite(context.path, None, error=f"rewrite produced invalid code: {error}")
    if new_module is module:
        new_bytes = source
    else:
        # libcst gives back every byte it parsed, except a file's last line ending when
        # it is a lone CR: put back what it dropped, and refuse anything else it changed.
        again = module.bytes
        if again == source:
            new_bytes = new_module.bytes
        elif source.startswith(again):
            new_bytes = new_module.bytes + source[len(again):]
        else:
            return FileRewrite(context.path, None,
                               error="libcst cannot reproduce this file byte for byte")
    problems = review_notes(context.path, source, imports, strings)
    return FileRewrite(
        context.path,
        new_bytes,
        changed_imports=imports.changed_imports + strings.code_imports + (
            1 if imports.changed_uses and not imports.changed_imports else 0),
        changed_strings=strings.changed,
        problems=problems,
    )


def reference_pattern(sources: list[str]) -> re.Pattern[str]:
    """Any dotted name under one of `sources`, on a dotted-name boundary (never
    `a.b_extra` for `a.b`): `patterns.reference_regex`."""
    return re.compile(patterns.reference_regex(sources))


def statement_pattern(sources: list[str]) -> re.Pattern[bytes]:
    """`reference_pattern` over bytes, also matching the paths written with their dots
    escaped for a regular expression (`pkg\\.mod\\.Cls`: `strings.ESCAPED_REFERENCE`)
    and after a `\\n` escape: the statements (and files) the rewrite must see
    (`patterns.statement_regex`)."""
    return re.compile(patterns.statement_regex(sources).encode())


def rewrite_config(text: str, path: str, resolver: Resolver,
                   pattern: re.Pattern[str]) -> tuple[str, int]:
    """Rewrite whole dotted references in tool configuration; comment lines are left for
    review. Returns the new text and the number of references changed."""
    count = 0
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("#", ";")):
            continue

        def replace(match: re.Match[str]) -> str:
            nonlocal count
            start, end = match.span()
            before = match.string[start - 1] if start else " "
            after = match.string[end] if end < len(match.string) else " "
            if before in "-/" or after in "-/":
                return match.group(0)
            new = resolver.new_name(match.group(0))
            if new != match.group(0):
                count += 1
            return new

        code, hash_, comment = _split_comment(line)
        lines[index] = pattern.sub(replace, code) + hash_ + comment
    return "".join(lines), count


def _split_comment(line: str) -> tuple[str, str, str]:
    """Split a config line at a `#` comment outside quotes."""
    quote: str | None = None
    for position, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#" and (position == 0 or line[position - 1] in " \t"):
            return line[:position], "#", line[position + 1:]
    return line, "", ""


def find_mentions(text: str, path: str, pattern: re.Pattern[str], *, kind: str | None = None
                  ) -> list[Mention]:
    """Old names still present in a file's new text: in comments, docstrings, longer
    strings, or code that could not be rewritten."""
    mentions = []
    for number, line in enumerate(numbered_lines(text), start=1):
        match = pattern.search(line)
        if match is None:
            continue
        position = line.find("#")
        where = kind or ("comment" if 0 <= position < match.start() else "text")
        mentions.append(Mention(path, number, line.strip(), where))
    return mentions


def review_notes(path: str, source: bytes, imports: ImportRewriter | None,
                 strings: DottedStringRewriter) -> list[str]:
    """What a rewrite of one file leaves for a person to look at, a line each: imports
    it could not rewrite (`imports`: none where libcst did not rewrite them), runtime
    identities it left alone, and the longer strings in which it rewrote a module path
    (shown at the line of the first one)."""
    notes = [f"{path}:{_line_of(source, p.code)}: {p.message}"
             for p in (imports.problems if imports is not None else [])]
    notes += [f"{path}:{_line_of_written(source, p.code)}: {p.message}"
              for p in strings.code_problems]
    notes += [f"{path}:{_line_of(source, i.value)}: \"{i.value}\" is {i.reason}; left "
              f"unchanged, review it" for i in strings.identities]
    notes += built_at_run_time(path, source, strings.resolver)
    notes += [f"{path}:{_line_of(source, c.value)}: rewrote \"{c.value}\" ({c.reason})"
              for c in strings.checks]
    notes += [f"{path}:{_line_of(source, key)}: rewrote the dictionary key \"{key}\" (a key "
              f"may be data another program reads by name); check it" for key in strings.keys]
    for raw in strings.nested:
        match = NESTED_REFERENCE.search(raw)
        start = match.start() if match else 0
        line_start = raw.rfind("\n", 0, start) + 1
        line_end = raw.find("\n", start)
        excerpt = raw[line_start: line_end if line_end >= 0 else len(raw)].strip()
        shown = excerpt[:60] + ("..." if len(excerpt) > 60 else "")
        line = _line_of(source, raw) + raw.count("\n", 0, start)
        notes.append(f"{path}:{line}: rewrote the module path quoted in the string "
                     f"\"{shown}\"; check it")
    return notes


def built_at_run_time(path: str, source: bytes, resolver: Resolver) -> list[str]:
    """A review note for each string that is the fixed start of a module name built at
    run time (`f"pkg.a.{name}"`, `"pkg.a." + name`) where modules below it moved: no
    rewrite can see the names it builds."""
    pattern = dynamic_prefix_pattern(frozenset(resolver.sources))
    notes = []
    for match in pattern.finditer(source):
        line = source.count(b"\n", 0, match.start()) + 1
        prefix = match.group(0)[:-1].decode("utf-8", "replace")
        notes.append(f"{path}:{line}: \"{prefix}\" starts a module name built at run time "
                     f"and modules under it moved: the names it builds are not rewritten; "
                     f"review it")
    return notes


@functools.lru_cache(maxsize=8)
def dynamic_prefix_pattern(sources: frozenset[str]) -> re.Pattern[bytes]:
    """A string literal that ends right after `pkg.` or `pkg.a.` (a quote, or an
    f-string's `{`) where a moved module lies below: the start of a module name built
    at run time."""
    prefixes = sorted({".".join(source.split(".")[:n]) + "."
                       for source in sources for n in range(1, source.count(".") + 1)},
                      key=len, reverse=True)
    if not prefixes:
        return re.compile(rb"(?!x)x")
    # The prefix's first character, then the quote behind it (`patterns`): `re` jumps
    # between those characters instead of stopping at every quote of the file. The match
    # is the prefix and the character after it.
    alternatives = patterns.alternatives(prefixes, lambda first: rf"""(?<=["']{first})""")
    return re.compile(rf"""(?:{alternatives})["'{{]""".encode())


def _line_of_written(source: bytes, code: str) -> int:
    """The first line of `code`, some source text as written (whatever its line endings),
    found whole, else by its longest line (libcst may render the indentation between
    the lines of an expression otherwise)."""
    text = source.decode("utf-8", errors="replace").replace("\r\n", "\n")
    code = code.replace("\r\n", "\n")
    position = text.find(code)
    if position >= 0:
        return text.count("\n", 0, position) + 1
    lines = code.split("\n")
    longest = max(range(len(lines)), key=lambda index: len(lines[index].strip()))
    position = text.find(lines[longest].strip())
    if position < 0:
        return _line_of(source, code)
    return max(text.count("\n", 0, position) + 1 - longest, 1)


def _line_of(source: bytes, code: str) -> int:
    """The line of the first occurrence of `code` (a string's value: of it quoted, when
    there is one, so that "a.B" is not found inside "a.B.run" above it)."""
    text = source.decode("utf-8", errors="replace")
    first = code.strip().splitlines()[0] if code.strip() else code
    for wanted in (f'"{first}"', f"'{first}'", first):
        position = text.find(wanted)
        if position >= 0:
            return text.count("\n", 0, position) + 1
    return 1
