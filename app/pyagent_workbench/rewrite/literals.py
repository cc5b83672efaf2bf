"""What the rewrite looks for in a file's text and in its string literals, with no
parser: the forms of a reference a string can hold, the hint that a file runs code
strings, and the names a moved module defines. Apart from the string and code-string
rewriters (`strings`, `codestrings`, which need libcst) so that the process that plans
the work and the commands that never rewrite need not import libcst (a quarter of a
second)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from pyagent_workbench import safefiles

# A whole-string reference: dotted path with at least two parts, optionally `:attr`
# (entry-point style) or a trailing `.*` (module globs in tool configuration).
DOTTED_REFERENCE = re.compile(
    r"^(?P<path>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?P<tail>\.\*|:[A-Za-z_][\w.]*)?$"
)
# References nested in a longer string, in the forms that can only mean a module: an
# element of an argv/JSON list (`["python", "-m", "a.b.c"]`), `-m a.b.c` in a command
# line, and `from a.b.c import ` opening a line of generated code (it binds the same
# names whatever the module is called). Anything else (`__import__('a.b')._b.X`,
# `import a.b` followed by uses of `a.b`, prose) is listed for review instead:
# rewriting it could break it silently.
NESTED_REFERENCE = re.compile(
    r"(?:(?<=\[)|(?<=,)|(?<=, ))(?P<open>\\?[\"'])(?P<path>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)"
    r"(?P<tail>:[A-Za-z_][\w.]*)?(?P=open)(?=\s*[\],])"
    r"|(?<![\w-])-m\s+(?P<mpath>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?![\w.])"
    r"|(?:^|(?<=\n)|(?<=\\n))[ \t]*from[ \t]+(?P<fpath>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)"
    r"[ \t]+import(?![\w.])"
    r"|(?:^|(?<=\n)|(?<=\\n))[ \t]*[\w.-]+[ \t]*=[ \t]*"
    r"(?P<epath>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?=:[A-Za-z_][\w.]*[ \t]*(?:$|\n|\\n|\[))"
)
"""(The last form: an entry point, `name = pkg.mod:func`, in `setup.py`'s
`entry_points` or an ini-style string of them.)"""
CODE_HINT = re.compile(rb"e(?<![\w.]e)(?:xec|val)\b|c(?<![\w.]c)ompile\b"
                       rb"|(?s:builtins.*?\.(?:exec|eval|compile)\b)")
"""A file that may hand code to one of them (the rest need not be searched): one of
them not right after a dot (`exec(`, `builtins . exec(`; never `re.compile(`, an
attribute of something else), or right after a dot in a file that names `builtins` (or
`__builtins__`) before it. The definition; `may_run_code` answers it faster."""

_CODE_WORDS = (b"exec", b"eval", b"compile")
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_DOT = ord(".")


def may_run_code(text: bytes) -> bool:
    """Whether `CODE_HINT` finds something in `text`, five times faster (0.13 s on the
    candidates of Django's 30 moves with the regex, whose three branches are tried at
    every `e`, `c` and `b`): each word found by `code_words`, what is before it checked
    here."""
    for start in code_words(text):
        if not start or text[start - 1] != _DOT:
            return True
        if text.find(b"builtins", 0, start - 1) >= 0:
            return True
    return False


def code_words(text: bytes) -> Iterator[int]:
    """Where `exec`, `eval` or `compile` is written as a word: no name byte right after
    it, none right before (a dot may be), each found by `bytes.find`. None of the words
    overlaps itself, so a search may go on after each."""
    for word in _CODE_WORDS:
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if ((end == len(text) or text[end] not in _WORD_BYTES)  # `\b` after the word
                    and not (start and text[start - 1] in _WORD_BYTES)):
                yield start
            start = text.find(word, end)


class NamesDefined:
    """`defines(module, name)` for the resolver: the names a moved module binds at its
    top level (definitions, assignments, imports, `__all__`), read from its file when
    first asked, once per process. A module that binds names it cannot list (`from x
    import *`, a module `__getattr__`) or that cannot be read defines everything.
    Picklable: shipped to the workers with the resolver, its cache empty."""

    def __init__(self, root: str, paths: dict[str, str]) -> None:
        self.root = root
        self.paths = paths
        self._names: dict[str, frozenset[str] | None] = {}

    def __getstate__(self) -> dict[str, object]:
        return {"root": self.root, "paths": self.paths, "_names": {}}

    def __call__(self, module: str, name: str) -> bool:
        if module not in self._names:
            self._names[module] = self._read(module)
        found = self._names[module]
        return found is None or name in found

    def _read(self, module: str) -> frozenset[str] | None:
        path = self.paths.get(module)
        if path is None:
            return None
        try:
            tree = ast.parse(safefiles.read_regular(Path(self.root) / path))
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        return top_level_names(tree)


def top_level_names(tree: ast.Module) -> frozenset[str] | None:
    """The names a module binds at import time (None: it may bind any name)."""
    found: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == "__getattr__":
                return None
            found.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    return None
                found.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                found.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                found.update(n.value for n in ast.walk(node.value)  # type: ignore[arg-type]
                             if isinstance(n, ast.Constant) and isinstance(n.value, str))
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for block in ("body", "orelse", "finalbody"):
                pending.extend(getattr(node, block, []))
            for handler in getattr(node, "handlers", []):
                pending.extend(handler.body)
    return frozenset(found)
