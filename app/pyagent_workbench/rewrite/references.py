"""References outside Python code that break when a module moves: file paths in tool
configuration, and the directives that name modules in documentation.

* Paths: `.coveragerc` `omit`/`include`, ruff and flake8 `per-file-ignores` keys,
  `MANIFEST.in`, `CODEOWNERS` name files and folders, not modules: a moved file's old
  path (or a moved package's folder, as a prefix or a glob's start) becomes its new one.
* Documentation: Sphinx's `.. automodule:: pkg.mod` (and the other `auto*`, `module`,
  `currentmodule` and `py:*` directives), its roles (:mod:`pkg.mod`, :class:`~pkg.mod.C`)
  and mkdocstrings' `::: pkg.mod` name modules a docs build imports: rewritten when they
  name something (`Resolver.resolves`), like a whole-string reference in code. The prose
  around them is left for review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pyagent_workbench.model.resolver import Resolver

PATH_FILES = frozenset({".coveragerc", "setup.cfg", "tox.ini", ".flake8", "pyproject.toml",
                        "ruff.toml", ".ruff.toml", "MANIFEST.in", "CODEOWNERS", "mypy.ini",
                        "pytest.ini"})
"""Files whose entries name files and folders of the repository."""

DOC_SUFFIXES = (".rst", ".md", ".txt")


def names_paths(path: str) -> bool:
    return path.rpartition("/")[2] in PATH_FILES


_PATH_TOKEN = re.compile(r"(?<![\w./-])(?P<lead>\./|/)?(?P<path>[\w.-]+(?:/[\w.-]*)*)")
"""A path-like token, whole: what `PathRenames` looks up (one scan, a dictionary lookup
per token, instead of an alternation of every moved file)."""


class PathRenames:
    """Old file and folder paths (repo-relative) and their new ones, matched as whole
    path tokens: `src/pkg/old` in `src/pkg/old/*` or `/src/pkg/old/ @team`, never in
    `src/pkg/old_extra` or `vendor/src/pkg/old`."""

    def __init__(self, renames: Iterable[tuple[str, str]]) -> None:
        self.renames = {old: new for old, new in renames if old != new}

    def rewrite(self, text: str) -> tuple[str, int]:
        count = 0

        def replace(match: re.Match[str]) -> str:
            nonlocal count
            path = match.group("path")
            parts = path.split("/")
            for end in range(len(parts), 0, -1):  # the file, else its nearest moved folder
                new = self.renames.get("/".join(parts[:end]))
                if new is not None:
                    count += 1
                    return (match.group("lead") or "") + "/".join([new, *parts[end:]])
            return match.group(0)

        if not self.renames:
            return text, 0
        return _PATH_TOKEN.sub(replace, text), count


def folder_renames(packages: dict[str, str], prefix: str) -> list[tuple[str, str]]:
    """The folders of moved packages (old dotted name -> new), as paths."""
    return [(prefix + old.replace(".", "/"), prefix + new.replace(".", "/"))
            for old, new in packages.items()]


_DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+"
_DIRECTIVE = re.compile(
    rf"(?P<head>\.\.[ \t]+(?:auto\w+|module|currentmodule|py:\w+)::[ \t]+)"
    rf"(?P<name>{_DOTTED})")
"""A Sphinx directive naming a module, from its `..`: it counts only at a line's start,
after blanks (`_at_line_start`). A `^` under MULTILINE would be tried at every
character; a pattern opening with literal bytes jumps from candidate to candidate (a
match never spans lines, so one refused mid-line hides none that starts a line)."""
_ROLE = re.compile(
    rf"(?P<head>:(?:py:)?(?:mod|class|func|meth|attr|data|exc|obj|const|type):`[~!]?)"
    rf"(?P<name>{_DOTTED})(?=`)")
_MKDOCSTRINGS = re.compile(rf"(?P<head>:::[ \t]+)(?P<name>{_DOTTED})")
"""mkdocstrings' `::: pkg.mod`, at a line's start after blanks, as `_DIRECTIVE`."""


def rewrite_doc_references(text: str, resolver: Resolver) -> tuple[str, int]:
    """Module names in documentation directives and roles, after the moves."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if match.re is not _ROLE and not _at_line_start(match):
            return match.group(0)
        name = match.group("name")
        new = resolver.new_name(name)
        if new == name or not resolver.resolves(name):
            return match.group(0)
        count += 1
        return match.group("head") + new

    for pattern in (_DIRECTIVE, _ROLE, _MKDOCSTRINGS):
        text = pattern.sub(replace, text)
    return text, count


def _at_line_start(match: re.Match[str]) -> bool:
    """Whether only blanks (spaces, tabs) come before `match` on its line."""
    text, start = match.string, match.start()
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip(" \t")
