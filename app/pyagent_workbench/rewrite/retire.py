"""Facade retirement: which facades are still used, by whom, and removing the rest
without ever deleting the user's work.

A facade is used when something would break without it. In Python: an import of its
old path (absolute or relative), a whole-string dotted reference (`mock.patch(
"old.path.f")`, `import_module`, a plugin registry), an argv-style nested string. In
every other file (`textuses`): shell scripts, Makefiles, Dockerfiles, CI and tool
configuration outside comment lines, the code shown in documents, binary data such as
pickles. And `python -m old.path` anywhere. Mentions in Python comments and docstrings
and in documents' prose do not count: they break nothing when the facade goes (the
diff of the apply listed them for review).

Removing deletes only a facade byte-identical to what the tool wrote (an edited one is
kept and named), refuses a git work tree with uncommitted changes as `apply` does, and
goes through the journal: a crash half-way leaves a journal that `recover` rolls back.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pyagent_workbench import gitrepo, safefiles
from pyagent_workbench.errors import ApplyError
from pyagent_workbench.model import names
from pyagent_workbench.repo import Repo
from pyagent_workbench.rewrite import facades as facade_files
from pyagent_workbench.rewrite.journal import Fault, Journal, kill_switch_from_env, why
from pyagent_workbench.rewrite.literals import DOTTED_REFERENCE, NESTED_REFERENCE
from pyagent_workbench.rewrite.textuses import OldPaths, read_inside, uses_in_file
from pyagent_workbench.statedir import STATE_DIR, ensure_state_dir
from pyagent_workbench.textlines import numbered_lines


@dataclass(frozen=True)
class Use:
    path: str
    line: int
    text: str
    name: str
    """The old dotted name used (the facade's path or one below it)."""


@dataclass
class Facade:
    old: str
    new: str
    path: str
    is_package: bool
    uses: list[Use] = field(default_factory=list)
    changed: str | None = None
    """Why the file is not, or cannot be shown to be, the facade the tool wrote ("edited
    since the tool wrote it", ...): `--remove` keeps it whatever its uses. None when it
    is byte-identical."""

    @property
    def used(self) -> bool:
        return bool(self.uses)


def find_facades(repo: Repo) -> list[Facade]:
    found = []
    for path in repo.python_files:
        if not path.endswith(".py"):
            continue
        try:
            head = safefiles.read_regular(repo.root / path, limit=facade_files.MARKER_WITHIN,
                                          head=True)
        except OSError:
            continue
        marker = facade_files.read_marker(head)
        if marker is None:
            continue
        old, new = marker
        found.append(Facade(old, new, path, PurePosixPath(path).name == "__init__.py",
                            changed=why_changed(repo.root, path)))
    return sorted(found, key=lambda f: f.old)


def why_changed(root: Path, path: str) -> str | None:
    """Why the facade file at `path` is not one `--remove` may delete (None: it is, byte
    for byte, what the tool wrote, and a file of the repo itself)."""
    full = root / path
    if os.path.realpath(full) != str(full):
        return "a link (or in a linked folder), not the file the tool wrote"
    try:
        content = safefiles.read_regular(full)
    except OSError as error:
        return f"cannot be read ({why(error)})"
    if not facade_files.as_generated(content):
        return "edited since the tool wrote it"
    return None


def find_uses(repo: Repo, facades: list[Facade]) -> list[Facade]:
    """Fill in each facade's uses; a package facade is used when anything below it is."""
    if not facades:
        return facades
    olds = sorted({f.old for f in facades}, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w.])(?:" + "|".join(re.escape(o) for o in olds) + r")(?:\.[A-Za-z_]\w*)*(?![\w])")
    worth_parsing = _worth_parsing(pattern, olds)
    old_paths = OldPaths((f.old, f.path) for f in facades)
    facade_paths = {f.path for f in facades}
    uses: list[Use] = []
    for path in repo.files:
        if path in facade_paths or path.startswith(STATE_DIR + "/"):
            continue
        if path.endswith((".py", ".pyi")):
            uses.extend(_python_uses(repo, path, pattern, olds, worth_parsing, old_paths))
        else:
            uses.extend(Use(path, u.line, u.text, u.name)
                        for u in uses_in_file(repo.root, path, old_paths))

    by_name = {f.old: f for f in facades}
    for use in uses:
        # The facade that serves this name: the longest old path it lies under, and every
        # package facade above it (Python imports those first).
        for old in olds:
            if names.is_within(use.name, old):
                by_name[old].uses.append(use)
    return facades


def _worth_parsing(pattern: re.Pattern[str], olds: list[str]) -> re.Pattern[str]:
    """Text that may import an old path: the path itself, or `from <its package> import`
    (`from pkg.infra import db` names `pkg.infra.db` nowhere in one piece)."""
    parents = sorted({names.parent(o) for o in olds if "." in o}, key=len, reverse=True)
    if not parents:
        return pattern
    # `f` first, then the boundary behind it: `re` jumps between the `f`s (`patterns`).
    from_parent = (r"f(?<![\w.]f)rom\s+(?:" + "|".join(re.escape(p) for p in parents)
                   + r")\s+import(?![\w])")
    return re.compile(f"{pattern.pattern}|{from_parent}")


def _python_uses(repo: Repo, path: str, pattern: re.Pattern[str],
                 olds: list[str], worth_parsing: re.Pattern[str],
                 old_paths: OldPaths) -> list[Use]:
    source = read_inside(repo.root, path)
    if source is None:
        return []
    text = source.decode("utf-8", errors="replace")
    module = repo.module_name_for(path)
    if worth_parsing.search(text) is None and not ("from ." in text and module is not None):
        return []
    code = _code_uses(repo, path, source, text, module, pattern, olds)
    seen = {(use.line, use.name) for use in code}
    # `python -m old.path` in a comment or a docstring runs the old path all the same.
    return code + [Use(path, number, line.strip(), name)
                   for number, line in enumerate(numbered_lines(text), start=1)
                   for name in old_paths.runs_as_module(line) if (number, name) not in seen]


def _code_uses(repo: Repo, path: str, source: bytes, text: str, module: str | None,
               pattern: re.Pattern[str], olds: list[str]) -> list[Use]:
    """What the code of a Python file imports or names in strings (not its comments nor
    its docstrings)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # Unparsable (or too deep for CPython's parser): fall back to the text, which
        # may over-count (safe: keeps a facade).
        return [Use(path, n, line.strip(), m.group(0))
                for n, line in enumerate(numbered_lines(text), start=1)
                for m in [pattern.search(line)] if m]
    lines = numbered_lines(text)
    package = None
    if module is not None:
        package = module if PurePosixPath(path).stem == "__init__" else names.parent(module)
    found = []
    for node, name in _names_referred_to(tree, package):
        if any(names.is_within(name, old) for old in olds):
            line = getattr(node, "lineno", 1)
            found.append(Use(path, line, lines[line - 1].strip() if line <= len(lines) else "",
                             name))
    return found


def _names_referred_to(tree: ast.Module, package: str | None
                       ) -> Iterator[tuple[ast.AST, str]]:
    """Every dotted name the code refers to, with its node: modules and names imported
    (relative imports resolved in `package`; skipped when it is unknown), and whole or
    nested dotted references in strings other than docstrings."""
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                resolved = names.resolve_relative(package, node.level, node.module) if (
                    package is not None) else None
                if resolved is None:
                    continue
                base = resolved
            for alias in node.names:
                yield node, f"{base}.{alias.name}" if alias.name != "*" else base
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                id(node) not in docstrings):
            for name in _string_references(node.value):
                yield node, name


def _string_references(value: str) -> list[str]:
    """A whole-string dotted reference, or else the argv-style ones nested in the string."""
    whole = DOTTED_REFERENCE.match(value)
    if whole:
        return [whole.group("path")]
    return [nested.group("path") or nested.group("mpath") or nested.group("epath")
            for nested in NESTED_REFERENCE.finditer(value)]


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


@dataclass
class Retirement:
    removed: list[Facade]
    kept: list[Facade]
    """Every facade left in place: still used, needed by a facade below it, or changed
    since the tool wrote it (`Facade.changed` says how)."""
    removed_dirs: list[str]

    @property
    def edited(self) -> list[Facade]:
        """The facades kept because they are no longer what the tool wrote."""
        return [f for f in self.kept if f.changed]


def retire(repo: Repo, facades: list[Facade], *, plan_file: str | None = None,
           fault: Fault | None = None) -> Retirement:
    """Remove every unused facade that is still exactly what the tool wrote (all or
    nothing, through the journal). A git work tree with uncommitted changes is refused
    first (`plan_file`, the plan's path in the repo, may be among them, as for `apply`);
    `fault` is the test seam (`journal.Fault`; by default the kill switch)."""
    if repo.is_git:
        gitrepo.refuse_committed_state(repo.root, STATE_DIR)
        refuse_dirty_tree(repo, plan_file)
    for facade in facades:
        # Read again now: the file may have changed since the facades were listed.
        facade.changed = why_changed(repo.root, facade.path)
    kept = [f for f in facades if f.used or f.changed]
    # A package facade whose submodule facades stay, stays.
    needed_packages = {
        p.old for p in facades if p.is_package
        for f in kept if names.is_strictly_within(f.old, p.old)
    }
    kept += [f for f in facades if f.old in needed_packages and f not in kept]
    unused = [f for f in facades if f not in kept]
    if not unused:
        return Retirement([], kept, [])
    paths = {f.path for f in unused}
    fault = fault or kill_switch_from_env()
    journal = Journal(repo.root, ensure_state_dir(repo.root))
    journal.begin(paths, git_index=None, plan="facades --remove", fault=fault,
                  after=dict.fromkeys(paths))
    removed_dirs: list[str] = []
    try:
        for path in sorted(paths):
            journal.remove(repo.root / path)
            if fault:
                fault(f"remove:{path}")
        for directory in sorted({str(PurePosixPath(p).parent) for p in paths},
                                key=lambda d: -d.count("/")):
            base = repo.root / directory
            if directory != "." and _holds_only_caches(base):
                journal.remove(base)
                removed_dirs.append(directory)
                if fault:
                    fault(f"remove:{directory}/")
    except BaseException:
        journal.rollback()
        raise
    journal.commit()
    if repo.is_git:  # staged, as apply stages its changes: a plain commit records them
        gitrepo.stage_removals(repo.root, paths)
    return Retirement(sorted(unused, key=lambda f: f.old), kept, removed_dirs)


def refuse_dirty_tree(repo: Repo, plan_file: str | None) -> None:
    """Uncommitted changes, as `apply` refuses them: removing facades over them would
    mix the two, and git could no longer give back what was there before."""
    dirty = [path for path in gitrepo.dirty_paths(repo.root)
             if path != plan_file and not path.startswith(STATE_DIR + "/")]
    if dirty:
        shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        raise ApplyError(f"the git work tree has uncommitted changes ({shown}); commit or "
                         f"stash them before removing facades; nothing was removed")


def _holds_only_caches(directory: Path) -> bool:
    """A real folder (not a link) in which nothing is left but `__pycache__` folders of
    compiled files: removed with the facades that emptied it."""
    if directory.is_symlink() or not directory.is_dir():
        return False
    for entry in directory.iterdir():
        if entry.name != "__pycache__" or entry.is_symlink() or not entry.is_dir():
            return False
        if any(not (f.is_file() and f.suffix in (".pyc", ".pyo")) or f.is_symlink()
               for f in entry.iterdir()):
            return False
    return True
