"""Where does a dotted name go? The one question every transformer asks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from pyagent_workbench.model import names
from pyagent_workbench.model.mapping import ModuleMapping


@dataclass(frozen=True)
class Resolver:
    """Answers "where does this dotted name go?" from the resolved mapping.

    Picklable, so the same resolver is shipped once to each worker process.
    """

    sources: dict[str, str]
    """Move source -> target, for every resolved move (implied ones included)."""
    modules: frozenset[str]
    """Every module of the analysed packages today (to tell a submodule from a name)."""
    defines: Callable[[str, str], bool] | None = field(default=None, compare=False,
                                                       repr=False)
    """`defines(module, name)`: does the module define `name` at its top level (True
    when it cannot tell)? None: every name is taken to exist."""
    later: dict[str, str] = field(default_factory=dict)
    """The plan's moves still to come after this apply (source -> target), when it
    applies part of a plan: a statement it splits is grouped as the whole plan will
    group it (`final_name`), so that the plan applied in parts ends as it would at once."""
    earlier: dict[str, str] = field(default_factory=dict)
    """The plan's moves that landed before this apply (target -> source): a `from`
    import this apply changes joins the line beside it that holds what an earlier part
    split off the same statement (`old_name`)."""
    origin: tuple[str, str, str] | None = None
    """(repo root, commit, source-root prefix) of the tree before the plan's first part:
    it tells the pieces of one statement from two lines written side by side
    (`rewrite.origin`). `None`: not known (no git history), or not asked."""
    _cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_mapping(cls, mapping: ModuleMapping, modules: frozenset[str],
                     defines: Callable[[str, str], bool] | None = None) -> Resolver:
        return cls({m.source: m.target for m in mapping.moves}, modules, defines)

    def resolves(self, name: str) -> bool:
        """Whether a dotted path names something: a module, or a name its module
        defines (then anything below that name: attributes are not checked)."""
        module = name
        while module and module not in self.modules:
            module = names.parent(module)
        if not module or module == name or self.defines is None:
            return True
        return self.defines(module, name[len(module) + 1:].split(".")[0])

    def new_name(self, name: str) -> str:
        """`name` (a module, or a dotted path below one) after the moves."""
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        result = _rebased(name, self.sources) or name
        self._cache[name] = result
        return result

    def final_name(self, name: str) -> str:
        """`name` once the whole plan has landed: after this apply's moves, else after
        the one still to come that covers it."""
        new = self.new_name(name)
        if new != name or not self.later:
            return new
        return _rebased(name, self.later) or name

    def old_name(self, name: str) -> str | None:
        """Where a module an earlier part of the plan moved was before (`None`: no earlier
        part moved it)."""
        return _rebased(name, self.earlier)

    def is_moved(self, name: str) -> bool:
        return self.new_name(name) != name

    @functools.cached_property
    def source_roots(self) -> frozenset[str]:
        """The first component of every moved module's name."""
        return frozenset(source.split(".")[0] for source in self.sources)

    def is_module(self, name: str) -> bool:
        return name in self.modules


def _rebased(name: str, table: dict[str, str]) -> str | None:
    """`name` under the entry of `table` for it or its nearest package (the rest of the
    name kept), or `None` when none covers it."""
    candidate = name
    while candidate:
        found = table.get(candidate)
        if found is not None:
            return found + name[len(candidate):]
        candidate = names.parent(candidate)
    return None
