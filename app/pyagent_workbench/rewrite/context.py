"""What a rewrite needs to know about the file it rewrites and about the moves (none of
it needs libcst: the process that plans the work imports it too)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pyagent_workbench.model import names
from pyagent_workbench.model.resolver import Resolver


@dataclass(frozen=True)
class FileContext:
    """Where a file sits before and after the plan, as import names."""

    path: str
    module: str | None
    """The file's dotted name today; `None` for a file with no importable name (a script)."""
    is_package: bool
    new_module: str | None

    @property
    def package(self) -> str | None:
        """The package relative imports start from today."""
        if self.module is None:
            return None
        return self.module if self.is_package else names.parent(self.module)

    @property
    def new_package(self) -> str | None:
        if self.new_module is None:
            return None
        return self.new_module if self.is_package else names.parent(self.new_module)


def absolute_module(level: int, module: str, package: str | None) -> str | None:
    """The module `from <level dots><module> import ...` names, in a file whose relative
    imports start from `package`; `None` when it climbs above the top (or the file is in
    no package)."""
    if not level:
        return module
    parts = package.split(".") if package else []
    if level - 1 >= len(parts):
        return None
    return ".".join(parts[: len(parts) - (level - 1)] + ([module] if module else []))


@dataclass(frozen=True)
class RewriteState:
    """What every worker needs for every file: shipped once per worker."""

    resolver: Resolver
    reference: re.Pattern[bytes]
    """Any dotted name under a moved module (the engine's reference pattern)."""
    compile_check: bool = False
    """Compile every changed text where it is computed (`apply` refuses to write a file
    that would not compile; done here, it runs on every core)."""


def relative_import_may_change(level: int, module: str, context: FileContext,
                               sources: Mapping[str, str]) -> bool:
    """Could `from <level dots><module> import ...` in this file change, or be reported?
    False only when it certainly keeps its meaning as written."""
    package = context.package
    base = absolute_module(level, module, package) if package else None
    if base is None:
        return True
    file_move = _covering(context.module, sources) if context.module else None
    base_move = _covering(base, sources)
    if file_move is None:
        prefix = base + "."
        return base_move is not None or any(s.startswith(prefix) for s in sources)
    if base_move != file_move:
        return True
    prefix = file_move + "."
    return any(s.startswith(prefix) for s in sources)


def _covering(name: str, sources: Mapping[str, str]) -> str | None:
    """The move source deciding where `name` goes (the longest one it lies within)."""
    candidate = name
    while candidate:
        if candidate in sources:
            return candidate
        candidate = candidate.rpartition(".")[0]
    return None
