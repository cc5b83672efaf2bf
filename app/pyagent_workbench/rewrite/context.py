"""What a transformer needs to know about the file it rewrites and about the moves."""

from __future__ import annotations

from dataclasses import dataclass

from pyagent_workbench.model import names


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
