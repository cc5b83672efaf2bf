"""Split the pending moves of a plan into pull-request-sized batches (issue 17).

Large-scale change practice (Google's Rosie, Chromium's `git cl split`) shards a change
so that each shard is reviewed, tested and merged on its own. Here every batch is safe on
its own by construction (the apply rewrites every reference in the repo, and facades keep
the old paths working), so the split is about review:

* moves bound together (merged into one target, one inside another's source or target)
  never part;
* batches follow the plan's tiers in the plan's order (the order a team chose: the
  proposal lands its engine tier first), and never mix two tiers;
* within a tier, a move whose modules others of the tier import comes first (the import
  graph, cycles taken as one), so a batch's moved code imports the new paths of what it
  uses wherever it can;
* with a CODEOWNERS file, a tier's moves are grouped by the owners of the moved files,
  one group's batches after another's, so each batch goes to one set of reviewers;
* a batch holds moves while the files they touch (moved, and importing what moves)
  stay within the budget; a move over the budget alone is a batch of its own.

Pure: the caller says which files each move touches and who owns them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pyagent_workbench.model.schema import Move


@dataclass(frozen=True)
class Batch:
    number: int
    moves: tuple[Move, ...]
    files: tuple[str, ...]
    """The files its apply touches (estimated from the import graph: moved files and
    files importing what moves)."""
    owners: tuple[str, ...]
    """The owners (CODEOWNERS) of the files it touches."""
    over_budget: bool = False
    """One move (or moves bound together) touching more files than the budget."""

    @property
    def tiers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.tier or "(no tier)" for m in self.moves))


@dataclass
class _Group:
    """Moves that land together."""

    moves: list[Move]
    files: set[str] = field(default_factory=set)
    owner_key: tuple[str, ...] = ()


def bound_groups(moves: Sequence[Move]) -> list[list[Move]]:
    """The moves that must land in one batch, in plan order: moves into one target,
    or one whose source or target lies within another's source or target (a package and
    a module of it moved elsewhere, a module merged into a package another move
    creates)."""
    parent = list(range(len(moves)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    holding: dict[str, list[int]] = {}
    for i, move in enumerate(moves):
        for name in (move.source, move.target):
            holding.setdefault(name, []).append(i)
    for i, move in enumerate(moves):
        for name in (move.source, move.target):
            parts = name.split(".")
            for end in range(1, len(parts) + 1):  # the name and every package above it
                for j in holding.get(".".join(parts[:end]), ()):
                    parent[find(j)] = find(i)
    groups: dict[int, list[Move]] = {}
    for i, move in enumerate(moves):
        groups.setdefault(find(i), []).append(move)
    return list(groups.values())


@dataclass(frozen=True)
class Footprint:
    """What a move's apply touches."""

    moved: frozenset[str]
    """The files it moves (old paths)."""
    touched: frozenset[str]
    """Every file it touches: those, and the files importing what moves."""
    imports: frozenset[str]
    """The sources of the other moves whose modules its modules import."""


def plan_batches(moves: Sequence[Move], tier_order: Sequence[str], *,
                 footprint: Callable[[Move], Footprint],
                 owners_of: Callable[[str], tuple[str, ...]] | None = None,
                 max_files: int, first_number: int = 1) -> list[Batch]:
    """Batches of `moves` (the pending ones), numbered from `first_number`;
    `owners_of(path)`: a file's owners (no CODEOWNERS: `None`)."""
    if max_files < 1:
        raise ValueError("the file budget must be at least 1")
    rank = {tier: i for i, tier in enumerate(tier_order)}
    groups = [_Group(g) for g in bound_groups(moves)]
    prints = {m.source: footprint(m) for m in moves}
    for group in groups:
        moved: set[str] = set()
        for move in group.moves:
            group.files |= prints[move.source].touched
            moved |= prints[move.source].moved
        if owners_of is not None:
            # The owners of what moves (the importers spread over the whole repo).
            group.owner_key = tuple(sorted({o for path in moved or group.files
                                            for o in owners_of(path)}))
    by_tier: dict[str | None, list[_Group]] = {}
    for group in groups:
        by_tier.setdefault(_tier_of(group, rank), []).append(group)
    ordered_tiers = sorted(by_tier, key=lambda t: (t is None, rank.get(t or "", len(rank)),
                                                   t or ""))
    batches: list[Batch] = []
    for tier in ordered_tiers:
        tier_groups = _dependencies_first(by_tier[tier], prints)
        for owned in _by_owner(tier_groups):
            batches.extend(_pack(owned, max_files, owners_of,
                                 first_number + len(batches)))
    return batches


def _tier_of(group: _Group, rank: Mapping[str, int]) -> str | None:
    """A group's tier: the first in the plan's order among its moves' tiers."""
    tiers = [m.tier for m in group.moves if m.tier is not None]
    if not tiers:
        return None
    return min(tiers, key=lambda t: rank.get(t, len(rank)))


def _dependencies_first(groups: list[_Group],
                        prints: Mapping[str, Footprint]) -> list[_Group]:
    """The groups with each one after those it imports (cycles taken as one, in plan
    order inside), else in plan order."""
    group_of = {m.source: i for i, g in enumerate(groups) for m in g.moves}
    import networkx as nx  # (0.13 s to import: not for the commands that never order)

    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(groups)))
    for i, group in enumerate(groups):
        for move in group.moves:
            for imported in prints[move.source].imports:
                j = group_of.get(imported)
                if j is not None and j != i:
                    graph.add_edge(j, i)  # i imports j: j first
    condensed = nx.condensation(graph)
    order = nx.lexicographical_topological_sort(
        condensed, key=lambda c: min(condensed.nodes[c]["members"]))
    return [groups[i] for c in order for i in sorted(condensed.nodes[c]["members"])]


def _by_owner(groups: list[_Group]) -> list[list[_Group]]:
    """Groups of one owner set together, in order of each set's first group."""
    owned: dict[tuple[str, ...], list[_Group]] = {}
    for group in groups:
        owned.setdefault(group.owner_key, []).append(group)
    return list(owned.values())


def _pack(groups: Iterable[_Group], max_files: int,
          owners_of: Callable[[str], tuple[str, ...]] | None, number: int) -> list[Batch]:
    batches: list[Batch] = []
    current: list[_Group] = []
    files: set[str] = set()

    def close() -> None:
        nonlocal current, files
        if current:
            batches.append(_batch(number + len(batches), current, files, owners_of,
                                  max_files))
        current, files = [], set()

    for group in groups:
        if current and len(files | group.files) > max_files:
            close()
        current.append(group)
        files |= group.files
    close()
    return batches


def _batch(number: int, groups: list[_Group], files: set[str],
           owners_of: Callable[[str], tuple[str, ...]] | None, max_files: int) -> Batch:
    owners = sorted({o for path in files for o in owners_of(path)}) if owners_of else []
    return Batch(number, tuple(m for g in groups for m in g.moves), tuple(sorted(files)),
                 tuple(owners), over_budget=len(files) > max_files)
