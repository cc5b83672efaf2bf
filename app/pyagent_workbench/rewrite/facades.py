"""Facades: the old module paths keep working after a move, as the very same module.

A facade makes the old name *the same module object* as the new one, so
`mock.patch("old.f")` patches what callers of the new path see, `isinstance` holds
across both names and old pickles load. Type checkers, which do not run it, read a
star import of the new module under `TYPE_CHECKING`: mypy and pyright resolve the names
imported through the old path. A package facade also installs a meta-path
finder for every `old.*` name: aliasing the package object alone would make Python
find the old name's submodules through the new package's `__path__` and execute
them a second time under the old name (registries refusing duplicates then fail).

Each facade is self-contained (no helper module to ship or to keep importable) and
carries a marker line, so the tool recognises its own facades later. The line after it
holds the sha256 of the facade's bytes without that line: `facades --remove` deletes a
facade only while it is byte-identical to what the tool wrote, and the digest tells
that from the file alone (a fresh clone has none of the tool's records).
"""

from __future__ import annotations

import hashlib
import json
import re
import textwrap

from pyagent_workbench.model.validation import is_test_path

MARKER = "# pyagent-workbench: facade"
_MARKER_RE = re.compile(
    rb"^# pyagent-workbench: facade (?P<old>[\w.]+)(?: |\r?\n#   )-> (?P<new>[\w.]+)"
    rb"(?P<stamp>(?P<newline>\r?\n)# pyagent-workbench: sha256 (?P<digest>[0-9a-f]{32}))?"
    rb"(?=\r?$)", re.MULTILINE)
"""The marker line (on two lines when one is too long) and its stamp, in a facade whose
lines end in LF, or in CRLF where the project's formatter writes them so."""
DIGEST_LENGTH = 32
"""Hex digits of the sha256 kept: 128 bits tell any edit, on a line a linter accepts."""
MARKER_WITHIN = 2000
"""The marker line is looked for in a file's first bytes only (it follows a short
docstring)."""
LINE_LENGTH = 79
"""The facades' line length when the project names none (PEP 8's)."""

# The templates are as ruff-format and black write them, in lines of at most 72
# characters; the names they carry appear in the docstring (wrapped to the project's
# line length), the marker (on two lines when one is too long) and two assignments.
_MODULE_DOC = (
    "Moved: `{old}` is now `{new}`.",
    "This module keeps the old import path working during the migration: importing it "
    "gives the module at the new path itself. Import `{new}` instead.",
)
_MODULE_CODE = '''\
# ruff: noqa: F403
import importlib as _importlib
import sys as _sys
import typing as _typing
import warnings as _warnings

if _typing.TYPE_CHECKING:  # type checkers follow the old path there
{star}

_OLD = "{old}"
_NEW = "{new}"
{schedule}
_warnings.warn(
    f"{{_OLD}} moved to {{_NEW}}; import it from there{when}",
    DeprecationWarning,
    stacklevel=2,
)
if __name__ == "__main__":  # `python -m` of the old name runs the new
    import runpy as _runpy

    _runpy.run_module(_NEW, run_name="__main__", alter_sys=True)
else:
    _sys.modules[__name__] = _importlib.import_module(_NEW)
'''

_PACKAGE_DOC = (
    "Moved: `{old}` is now `{new}`.",
    "This package keeps the old import paths working during the migration: importing "
    "`{old}` or any `{old}.*` module gives the module at its new path itself (the same "
    "object, executed once). Import from `{new}` instead.",
)
_PACKAGE_CODE = '''\
# ruff: noqa: F403
import importlib as _importlib
import importlib.abc as _importlib_abc
import importlib.util as _importlib_util
import sys as _sys
import typing as _typing
import warnings as _warnings

if _typing.TYPE_CHECKING:  # type checkers follow the old path there
{star}

_OLD = "{old}"
_NEW = "{new}"
{schedule}_MOVED_APART = {moved_apart}
"""Old submodules that did not follow the package: where they went."""
_Finder = _importlib_abc.MetaPathFinder
_Loader = _importlib_abc.Loader
_find_spec = _importlib_util.find_spec
_from_loader = _importlib_util.spec_from_loader


class _MovedModules(_Finder, _Loader):
    """Serves an old submodule's import with the new module."""

    old = _OLD
    _own_specs = {{}}

    @staticmethod
    def _new_name(fullname):
        return _MOVED_APART.get(fullname, _NEW + fullname[len(_OLD) :])

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(_OLD + "."):
            return None
        try:
            new_spec = _find_spec(self._new_name(fullname))
        except ImportError:
            new_spec = None
        if new_spec is None:
            prefix = fullname + "."
            if not any(n.startswith(prefix) for n in _MOVED_APART):
                return None
            # A folder without __init__.py the plan emptied: it goes
            # on here, empty, for the old names of the submodules
            # that moved apart from it.
            spec = _from_loader(fullname, self, is_package=True)
            spec.loader_state = "emptied"
            return spec
        return _from_loader(
            fullname,
            self,
            origin=new_spec.origin,
            is_package=new_spec.submodule_search_locations is not None,
        )

    def create_module(self, spec):
        if spec.loader_state == "emptied":
            return None  # a plain empty package module
        new = self._new_name(spec.name)
        _warnings.warn(
            f"{{spec.name}} moved to {{new}}; import it from there{when}",
            DeprecationWarning,
            stacklevel=2,
        )
        module = _importlib.import_module(new)
        self._own_specs[module.__name__] = module.__spec__
        return module

    def exec_module(self, module):
        # The import system has just set the old name's spec on the
        # module: give it back its own (importlib.resources finds the
        # package's data through it).
        own = self._own_specs.pop(module.__name__, None)
        if own is not None:
            module.__spec__ = own

    def get_data(self, path):  # `pkgutil.get_data` through an old name
        with open(path, "rb") as stream:
            return stream.read()

    def get_resource_reader(self, fullname):
        new_spec = _find_spec(self._new_name(fullname))
        reader = getattr(new_spec.loader, "get_resource_reader", None)
        return reader(new_spec.name) if reader is not None else None

    def get_code(self, fullname):  # `python -m` of an old submodule
        new_spec = _find_spec(self._new_name(fullname))
        return new_spec.loader.get_code(new_spec.name)


if all(getattr(f, "old", None) != _OLD for f in _sys.meta_path):
    _sys.meta_path.insert(0, _MovedModules())

_warnings.warn(
    f"{{_OLD}} moved to {{_NEW}}; import it from there{when}",
    DeprecationWarning,
    stacklevel=2,
)
_sys.modules[__name__] = _importlib.import_module(_NEW)
'''


def module_facade(old: str, new: str, line_length: int | None = None, *,
                  removal: str | None = None) -> bytes:
    return stamped(module_text(old, new, line_length, removal=removal))


def package_facade(old: str, new: str, moved_apart: dict[str, str],
                   line_length: int | None = None, *, removal: str | None = None) -> bytes:
    return stamped(package_text(old, new, moved_apart, line_length, removal=removal))


def module_text(old: str, new: str, line_length: int | None = None, *,
                removal: str | None = None) -> bytes:
    """A module facade without its digest line (see `stamped`); `removal`: when the old
    path goes (`[options] deprecate`: a day or a version), said in its warning."""
    width = line_length or LINE_LENGTH
    return (_docstring(_MODULE_DOC, old, new, width) + _marker(old, new, width)
            + _MODULE_CODE.format(old=old, new=new, star=_star(new, width),
                                  **_schedule(removal))).encode()


def package_text(old: str, new: str, moved_apart: dict[str, str],
                 line_length: int | None = None, *, removal: str | None = None) -> bytes:
    """A package facade without its digest line (see `stamped`)."""
    width = line_length or LINE_LENGTH
    table = "{}" if not moved_apart else "{\n" + "".join(
        f"    {json.dumps(k)}: {json.dumps(v)},\n" for k, v in sorted(moved_apart.items())) + "}"
    return (_docstring(_PACKAGE_DOC, old, new, width) + _marker(old, new, width)
            + _PACKAGE_CODE.format(old=old, new=new, moved_apart=table,
                                   star=_star(new, width), **_schedule(removal))).encode()


def _star(new: str, width: int) -> str:
    """The star import type checkers read; a dotted name cannot be wrapped, so a line
    past the line length says it is meant (E501)."""
    line = f"    from {new} import *"
    return line if len(line) <= width else line + "  # noqa: E501"


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def removal_phrase(removal: str) -> str:
    """When the old path goes, in words: a day, or a version."""
    return (f"removed on {removal}" if _DAY.fullmatch(removal)
            else f"removed in version {removal}")


def _schedule(removal: str | None) -> dict[str, str]:
    """The template's pieces for a removal date (none: the templates as they always
    were, so facades written without a schedule keep their bytes)."""
    if removal is None:
        return {"schedule": "", "when": ""}
    return {"schedule": f"_WHEN = {json.dumps(f' ({removal_phrase(removal)})')}\n",
            "when": "{_WHEN}"}


def _docstring(paragraphs: tuple[str, ...], old: str, new: str, width: int) -> str:
    lines = []
    for number, paragraph in enumerate(paragraphs):
        text = paragraph.format(old=old, new=new)
        if number:
            lines.append("")
        lines += textwrap.wrap(text, width=width - (3 if number == 0 else 0),
                               break_long_words=False, break_on_hyphens=False)
    return '"""' + "\n".join(lines) + '\n"""\n\n'


def _marker(old: str, new: str, width: int) -> str:
    line = f"{MARKER} {old} -> {new}"
    return line + "\n" if len(line) <= width else f"{MARKER} {old}\n#   -> {new}\n"


_RUFF_EXEMPTION = re.compile(rb"^# ruff: noqa: F403(\r?\n)", re.MULTILINE)
"""The templates' ruff directive (the star import is meant), after the marker, with the
line ending the formatter left (ruff's `line-ending` may make it CRLF)."""
FLAKE8_EXEMPTION = b"# flake8: noqa"
"""flake8's whole-file exemption: its pyflakes checks flag the meant star import twice
(F401, F403), pycodestyle the formatters' `x[len(y) :]` (E203, unless the project
ignores it), and any plugin may flag what a shim does."""


def exempt_from_flake8(content: bytes) -> bytes:
    """A facade (before its stamp) for a project that lints with flake8: flake8 skips it
    (`FLAKE8_EXEMPTION`, under the ruff directive, with its line ending). Added after
    the project's sorter and formatter ran: ruff reads the line as a blanket `noqa` (and
    would not sort)."""
    match = _RUFF_EXEMPTION.search(content)
    if match is None:  # not from the templates: the exemption at the end will do
        newline = b"\r\n" if b"\r\n" in content else b"\n"
        ending = b"" if content.endswith(b"\n") else newline
        return content + ending + FLAKE8_EXEMPTION + newline
    return (content[:match.end()] + FLAKE8_EXEMPTION + match.group(1)
            + content[match.end():])


def stamped(content: bytes) -> bytes:
    """`content` with the sha256 of its own bytes on a line after its marker line."""
    match = _MARKER_RE.search(content[:MARKER_WITHIN])
    if match is None:  # pragma: no cover - the templates carry the marker
        raise ValueError("a facade without its marker line")
    digest = _digest(content)
    newline = b"\r\n" if content[match.end():match.end() + 2] == b"\r\n" else b"\n"
    return (content[:match.end()] + newline + b"# pyagent-workbench: sha256 " + digest
            + content[match.end():])


def _digest(content: bytes) -> bytes:
    return hashlib.sha256(content).hexdigest()[:DIGEST_LENGTH].encode()


def read_marker(content: bytes) -> tuple[str, str] | None:
    """(old, new) when `content` is one of our facades."""
    match = _MARKER_RE.search(content[:MARKER_WITHIN])
    if match is None:
        return None
    return match.group("old").decode(), match.group("new").decode()


def as_generated(content: bytes) -> bool:
    """Whether `content` is, byte for byte, a facade the tool wrote: its digest matches
    the rest of its bytes. A facade of an earlier version (no digest) is recognised only
    when regenerating it from its marker's two names gives it back exactly (a module
    facade, or a package facade routing no submodule apart): a table of submodules read
    from the file itself would prove nothing about an edit to that table."""
    match = _MARKER_RE.search(content[:MARKER_WITHIN])
    if match is None:
        return False
    digest = match.group("digest")
    if digest is not None:
        unstamped = content[:match.start("stamp")] + content[match.end("stamp"):]
        return _digest(unstamped) == digest
    old, new = match.group("old").decode(), match.group("new").decode()
    return content in (module_text(old, new), package_text(old, new, {}))


def is_test_module(path: str) -> bool:
    """Test files get no facade: pytest would collect the facade as a second copy."""
    return is_test_path(path)
