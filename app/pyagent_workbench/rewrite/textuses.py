"""Uses of a facade's old path in the files that are not Python: what breaks if the
facade goes, found in shell scripts, Makefiles, Dockerfiles, CI and tool configuration
(YAML, TOML, INI, JSON...), the code shown in documents, and binary data.

- In a text file that is not a document, any mention counts outside comment lines: the
  old dotted path (`celery -A old.path`, `class: old.path.Handler`, `"old.path:app"`) or
  the facade's file path (`python old/path.py`, `COPY old/path/ ...`).
- In a document (Markdown, reStructuredText, plain text, HTML, a drawing), only its code
  counts: fenced and literal blocks, Sphinx's `auto*` directives (they import), doctest
  and shell-prompt lines. A README's prose naming the old path breaks nothing; the
  command it shows does.
- `-m old.path` counts anywhere, comments and prose included (`python -m`, `coverage
  run -m`, `"-m", "old.path"`): it runs the old path.
- In binary data (a NUL byte in the first 8,000 bytes, as git decides; bytes that are
  not UTF-8; a pickle), the dotted path counts anywhere: a pickle names the module of
  every class it holds.
- A plan of this tool names every old path and runs none: it is skipped.

A file is read only if it is a regular file inside the repository, of at most
`safefiles.READ_LIMIT` bytes (the bound every read of the tool has).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pyagent_workbench import safefiles
from pyagent_workbench.textlines import numbered_lines

DOCUMENT_SUFFIXES = frozenset({
    ".md", ".markdown", ".mdown", ".mkd", ".mdx", ".rst", ".rest", ".txt", ".text",
    ".adoc", ".asciidoc", ".org", ".tex", ".rtf", ".html", ".htm", ".svg",
})
DOCUMENT_NAMES = frozenset({
    "readme", "changelog", "changes", "history", "news", "authors", "contributors",
    "license", "licence", "copying", "notice", "thanks", "todo",
})
"""Documents without a suffix (`README`, `LICENSE`)."""
_MARKDOWN = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mdx"})
_RESTRUCTURED = frozenset({".rst", ".rest"})
_CODE_DIRECTIVES = frozenset({
    "code-block", "code", "sourcecode", "doctest", "testcode", "testsetup",
    "testcleanup", "ipython", "jupyter-execute", "prompt",
})
_DIRECTIVE = re.compile(r"\.\.\s+(?P<name>[\w:-]+?)::")
_PROMPT = re.compile(r"\s*(?:>>>|\$)\s")
_FENCE = re.compile(r"\s*(?P<fence>`{3,}|~{3,})")
BINARY_SNIFF = 8000
"""A NUL byte in a file's first bytes makes it binary (git's rule)."""
PICKLE_SUFFIXES = frozenset({".pkl", ".pickle", ".pck", ".pcl"})
EXCERPT = 160
"""Characters of a long line shown around a use (a minified file is one long line)."""


@dataclass(frozen=True)
class TextUse:
    line: int
    text: str
    name: str
    """The old dotted name used (a facade's path or one below it)."""


class OldPaths:
    """The old paths of some facades, as they can be written outside Python: dotted
    (`old.path.mod`) or as the facade's file path (`src/old/path/mod.py`, `old/path`)."""

    def __init__(self, facades: Iterable[tuple[str, str]]) -> None:
        """`facades` (one at least): each facade's old dotted path and its file's path in
        the repo."""
        stems: dict[str, str] = {}
        for old, path in facades:
            stem = path.removesuffix(".py").removesuffix("/__init__")
            stems[stem] = old
            stems.setdefault(old.replace(".", "/"), old)  # relative to the source root
        self.by_stem = stems
        olds = sorted(set(stems.values()), key=len, reverse=True)
        dotted = "(?:" + "|".join(re.escape(o) for o in olds) + r")(?:\.[A-Za-z_]\w*)*"
        self.dotted = re.compile(rf"(?<![\w.]){dotted}(?!\w)")
        self.run_as_module = re.compile(rf"(?<![\w-])-m[\s\"',=]*(?P<name>{dotted})(?!\w)")
        by_length = sorted(stems, key=len, reverse=True)
        self.file_path = re.compile(
            r"(?<![\w.-])(?P<stem>" + "|".join(re.escape(s) for s in by_length) + ")"
            r"(?P<rest>(?:/[A-Za-z_]\w*)*)(?:\.pyi?)?(?![\w-])(?!\.\w)")
        self.binary = re.compile(rf"{dotted}(?!\w)".encode())
        self._anywhere = re.compile("|".join(
            re.escape(s) for s in sorted({*olds, *stems}, key=len, reverse=True)).encode())

    def mentioned_in(self, data: bytes) -> bool:
        """Whether `data` holds any of the paths at all (most files do not: they are not
        read line by line)."""
        return self._anywhere.search(data) is not None

    def runs_as_module(self, line: str) -> Iterator[str]:
        """The old dotted names that `line` runs with `-m`."""
        for match in self.run_as_module.finditer(line):
            yield match.group("name")

    def in_text(self, text: str, code_lines: set[int] | None) -> list[TextUse]:
        """Uses in a text file; `code_lines`: the lines of a document that are code
        (None: every line may be, as in a script or configuration)."""
        found: dict[tuple[int, str], TextUse] = {}
        for number, line in enumerate(numbered_lines(text), start=1):
            names = list(self.runs_as_module(line))
            if code_lines is None or number in code_lines:
                code = _without_comment(line)
                names += [m.group(0) for m in self.dotted.finditer(code)]
                names += [self._file_path_name(m) for m in self.file_path.finditer(code)]
            for name in names:
                found.setdefault((number, name), TextUse(number, _excerpt(line, name), name))
        return list(found.values())

    def in_binary(self, data: bytes) -> list[TextUse]:
        """Uses in a binary file: the dotted path anywhere, whatever byte comes before it
        (a pickle writes a name's length, or an opcode letter, right before it)."""
        found: dict[str, TextUse] = {}
        for match in self.binary.finditer(data):
            name = match.group(0).decode("ascii")
            line = data.count(b"\n", 0, match.start()) + 1
            found.setdefault(name, TextUse(line, f"(binary file) {name}", name))
        return list(found.values())

    def _file_path_name(self, match: re.Match[str]) -> str:
        rest = match.group("rest").replace("/", ".")
        return self.by_stem[match.group("stem")] + rest


def uses_in_file(root: Path, path: str, old_paths: OldPaths) -> list[TextUse]:
    """The uses of the old paths in one file of the repo that is not Python."""
    if "__pycache__" in PurePosixPath(path).parts or path.endswith((".pyc", ".pyo")):
        return []
    data = read_inside(root, path)
    if data is None or not old_paths.mentioned_in(data):
        return []
    text = _text(data, path)
    if text is None:
        return old_paths.in_binary(data)
    if path.endswith(".toml") and is_plan(text):
        return []
    return old_paths.in_text(text, document_code(path, text) if is_document(path) else None)


def read_inside(root: Path, path: str) -> bytes | None:
    """The bytes of `path` if it is a regular file inside the repository `root` (resolved)
    within the read bound; None otherwise (a link out of the repo is not followed)."""
    full = root / path
    try:
        if not Path(os.path.realpath(full)).is_relative_to(root):
            return None
        return safefiles.read_regular(full)
    except OSError:
        return None


def _text(data: bytes, path: str) -> str | None:
    """The text of a file, or None for binary data: a NUL byte in its first bytes (git's
    rule), bytes that are not UTF-8, or a pickle (protocol 0 is ASCII)."""
    if b"\0" in data[:BINARY_SNIFF] or PurePosixPath(path).suffix.lower() in PICKLE_SUFFIXES:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def is_document(path: str) -> bool:
    pure = PurePosixPath(path)
    if pure.suffix:
        return pure.suffix.lower() in DOCUMENT_SUFFIXES
    return pure.name.lower() in DOCUMENT_NAMES


def is_plan(text: str) -> bool:
    """A plan of this tool: its moves name old paths that nothing runs."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    moves = document.get("moves")
    return isinstance(moves, list) and bool(moves) and all(
        isinstance(m, dict) and "source" in m and "target" in m for m in moves)


def document_code(path: str, text: str) -> set[int]:
    """The line numbers of a document that are code rather than prose."""
    lines = numbered_lines(text)
    code = {n for n, line in enumerate(lines, start=1) if _PROMPT.match(line)}
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in _MARKDOWN:
        code |= _fenced_lines(lines)
    elif suffix in _RESTRUCTURED:
        code |= _literal_lines(lines)
    return code


def _fenced_lines(lines: list[str]) -> set[int]:
    """Markdown: the lines inside ``` or ~~~ fences (an unclosed fence runs to the end)."""
    code: set[int] = set()
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        if fence is None:
            opening = _FENCE.match(line)
            fence = opening.group("fence") if opening else None
            continue
        closing = line.strip()
        if closing.startswith(fence) and set(closing) == {fence[0]}:
            fence = None
        else:
            code.add(number)
    return code


def _literal_lines(lines: list[str]) -> set[int]:
    """reStructuredText: literal blocks (after a paragraph ending in `::`), the content of
    code directives, and Sphinx's `auto*` directives, which import what they name."""
    code: set[int] = set()
    opened_at: int | None = None
    """Indentation of the line that opened the block under way."""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if opened_at is not None:
            if not stripped or indent > opened_at:
                code.add(number)
                continue
            opened_at = None
        directive = _DIRECTIVE.match(stripped)
        if directive is not None:
            name = directive.group("name")
            if name.startswith("auto"):
                code.add(number)
            if name in _CODE_DIRECTIVES:
                opened_at = indent
        elif stripped.endswith("::"):
            opened_at = indent
    return code


def _without_comment(line: str) -> str:
    """Nothing of a comment line (`#`, `;`), the whole of any other: a `#` further on
    starts a comment in some languages and not in others (a quoted string, a URL), and
    a mention counted wrongly keeps a facade, where one missed would break its user."""
    return "" if line.lstrip().startswith(("#", ";")) else line


def _excerpt(line: str, name: str) -> str:
    """The line, or the part of a long one around the first mention of `name`."""
    text = line.strip()
    if len(text) <= EXCERPT:
        return text
    start = max(text.find(name), 0)
    begin = max(start - EXCERPT // 3, 0)
    end = begin + EXCERPT
    return ("..." if begin else "") + text[begin:end] + ("..." if end < len(text) else "")
