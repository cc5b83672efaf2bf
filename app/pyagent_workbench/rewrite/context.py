"""What a transformer needs to know about the file it rewrites and about the moves."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyagent_workbench.model import names
from pyagent_workbench.model.mapping import ModuleMapping


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


@dataclass(frozen=True)
class Resolver:
    """Answers "where does this dotted name go?" from the resolved mapping.

    Picklable, so the same resolver is shipped once to each worker process.
    """

    sources: dict[str, str]
    """Move source -> target, for every resolved move (implied ones included)."""
    modules: frozenset[str]
    """Every module of the analysed packages today (to tell a submodule from a name)."""
    single_names: bool = False
    _cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_mapping(cls, mapping: ModuleMapping, modules: frozenset[str]) -> Resolver:
        return cls({m.source: m.target for m in mapping.moves}, modules)

    def new_name(self, name: str) -> str:
        """`name` (a module, or a dotted path below one) after the moves."""
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        result = name
        candidate = name
        while candidate:
            target = self.sources.get(candidate)
            if target is not None:
                result = target + name[len(candidate):]
                break
            candidate = names.parent(candidate)
        self._cache[name] = result
        return result

    def is_moved(self, name: str) -> bool:
        return self.new_name(name) != name

    def is_module(self, name: str) -> bool:
        return name in self.modules
