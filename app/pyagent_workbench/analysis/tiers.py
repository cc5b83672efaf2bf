"""Which tier each module and unit belongs to under a plan, before or after it is applied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pyagent_workbench.model import names
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.model.resolver import Resolver


@dataclass
class TierMap:
    """Tier membership by new (post-plan) dotted name."""

    plan: Plan
    resolver: Resolver

    implied: dict[str, tuple[str, str | None]]
    """Colocated tests a move carries along: test module -> (target, tier)."""

    @classmethod
    def for_plan(cls, plan: Plan, modules: Mapping[str, bool]) -> TierMap:
        """`modules`: every module today -> is it a package."""
        implied: dict[str, tuple[str, str | None]] = {}
        explicit = {m.source for m in plan.moves}
        for move in plan.moves:
            carry = plan.carry_tests if move.carry_tests is None else move.carry_tests
            # Before the apply the source tells whether it is a module; after, the target.
            is_package = modules.get(move.source, modules.get(move.target, True))
            if not carry or is_package:
                continue
            parent, last = names.parent(move.source), names.last(move.source)
            new_last = names.last(move.target)
            for test in (f"{last}_test", f"test_{last}"):
                name = f"{parent}.{test}"
                if name not in explicit:
                    new_test = test.replace(last, new_last, 1)
                    implied[name] = (f"{names.parent(move.target)}.{new_test}", move.tier)
        sources = {m.source: m.target for m in plan.moves}
        sources.update({name: target for name, (target, _) in implied.items()})
        return cls(plan, Resolver(sources, frozenset(modules)), implied)

    def __post_init__(self) -> None:
        tiers = self.plan.tiers
        self._packages = sorted(((t.package, t.name) for t in tiers),
                                key=lambda pt: -len(pt[0]))
        self._explicit = {m.source: m.tier for m in self.plan.moves if m.tier}
        self._explicit.update({n: tier for n, (_, tier) in self.implied.items() if tier})
        self._layers = {t.name: t.layer for t in tiers}
        self._cache: dict[str, str | None] = {}

    def new_name(self, module: str) -> str:
        return self.resolver.new_name(module)

    def tier_of(self, module: str) -> str | None:
        """The tier of a module, named by today's or by its post-plan name."""
        cached = self._cache.get(module, "")
        if cached != "":
            return cached
        result: str | None = None
        candidate = module
        while candidate:
            tier = self._explicit.get(candidate)
            if tier is not None:
                result = tier
                break
            candidate = names.parent(candidate)
        if result is None:
            new = self.resolver.new_name(module)
            for package, name in self._packages:
                if names.is_within(new, package):
                    result = name
                    break
        self._cache[module] = result
        return result

    def layer(self, tier: str | None) -> int | None:
        return self._layers.get(tier) if tier else None

    def direction(self, importer_tier: str, imported_tier: str) -> str:
        """"down" (allowed), "up" (layer violation) or "sideways"."""
        a, b = self.layer(importer_tier), self.layer(imported_tier)
        if a is None or b is None or a == b:
            return "sideways"
        return "down" if a > b else "up"
