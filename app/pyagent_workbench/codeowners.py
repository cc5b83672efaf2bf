"""A repository's `CODEOWNERS` file, read as GitHub and GitLab read it: the owners of a
path are those of the last line whose pattern matches it.

Patterns follow `.gitignore`'s rules: a pattern with a slash other than at its end is
anchored at the root (a leading slash too), one without matches at any depth; `*` and `?`
stay within one path part, `**` crosses them; a pattern matching a directory owns
everything under it. GitLab's `[Section]` headers and `^` optional sections are read as
plain lines of rules (their owners still apply); a line with no owner unsets them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyagent_workbench import safefiles

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
"""Where the file is looked for, first found wins (GitHub's order, then GitLab's)."""
MAX_BYTES = 3 * 1024 * 1024
"""GitHub ignores a CODEOWNERS file over 3 MB; so does this."""


@dataclass(frozen=True)
class Rule:
    pattern: str
    regex: re.Pattern[str]
    owners: tuple[str, ...]


@dataclass(frozen=True)
class CodeOwners:
    path: str
    """Where the file was found, relative to the repo."""
    rules: tuple[Rule, ...]

    def owners_of(self, path: str) -> tuple[str, ...]:
        """The owners of a file (POSIX path relative to the repo); `()` when none."""
        for rule in reversed(self.rules):
            if rule.regex.fullmatch(path):
                return rule.owners
        return ()


def read(root: Path) -> CodeOwners | None:
    """The repo's CODEOWNERS, or `None` when it has none (a link or an oversized file
    is not read: the repo is untrusted input)."""
    for location in LOCATIONS:
        path = root / location
        if path.is_symlink():
            continue
        try:
            data = safefiles.read_regular(path, limit=MAX_BYTES)
        except OSError:  # none there, not a file, or too large
            continue
        return parse(data.decode("utf-8", errors="replace"), location)
    return None


def parse(text: str, path: str = "CODEOWNERS") -> CodeOwners:
    rules = []
    for raw in text.splitlines():
        line = _strip_comment(raw).strip()
        if not line or (line.startswith(("[", "^[")) and "]" in line):
            continue  # blank, or a GitLab section header
        parts = re.split(r"(?<!\\)\s+", line)  # `\ ` is a space inside a pattern
        pattern, owners = parts[0].replace("\\ ", " "), tuple(parts[1:])
        regex = _compile(pattern)
        if regex is not None:
            rules.append(Rule(pattern, regex, owners))
    return CodeOwners(path, tuple(rules))


def _strip_comment(line: str) -> str:
    """Text before an unescaped `#`."""
    out = []
    escaped = False
    for char in line:
        if char == "#" and not escaped:
            break
        escaped = char == "\\" and not escaped
        out.append(char)
    return "".join(out)


def _compile(pattern: str) -> re.Pattern[str] | None:
    """The regex of the paths a pattern owns (a directory's pattern owns what is under
    it); `None` for a pattern that cannot match (a negation, which CODEOWNERS lacks)."""
    if pattern.startswith("!") or not pattern:
        return None
    directory = pattern.endswith("/")
    body = pattern.strip("/")
    anchored = "/" in body or pattern.startswith("/")
    regex = _translate(body) if body else ""
    prefix = "" if anchored else "(?:.*/)?"
    # A match may be a directory: everything under it is owned too.
    suffix = "/.*" if directory else "(?:/.*)?"
    try:
        return re.compile(prefix + regex + suffix, re.DOTALL)
    except re.error:
        return None


def _translate(glob: str) -> str:
    out = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)
