"""A plan landed in parts (issue 17): which moves have landed, which part of the plan an
apply or a diff takes (tiers, sources, a batch), and the plan of the pending moves alone
that the apply engine then carries out.

The plan file records each move's batch, the day it landed and its commit (`Move.batch`,
`.landed`, `.commit`); the tree has the last word: a move has landed when its target is
there and its source is gone or is a facade pointing at it (`records.move_states`), so a
plan whose record is missing (edited by hand, a branch merged) reads right all the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyagent_workbench import codeowners, gitrepo
from pyagent_workbench.analysis.batches import Batch, Footprint, bound_groups, plan_batches
from pyagent_workbench.analysis.graph import ImportGraph
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.model import names
from pyagent_workbench.model.plan import Move, Plan
from pyagent_workbench.rewrite.records import MoveState, move_states
from pyagent_workbench.rewrite.retire import Facade
from pyagent_workbench.workspace import Workspace


@dataclass(frozen=True)
class MoveProgress:
    """One move, and where it stands."""

    move: Move
    state: MoveState
    """"landed", "pending", or "vanished" (landed, its source a folder that is gone)."""
    commit: str | None = None
    """The commit holding it: the plan's record, else the commit that added its target
    (git), else `None`."""
    commit_from_git: bool = False
    """The commit was read from git's history, not from the plan."""

    @property
    def landed(self) -> bool:
        return self.state != "pending"


@dataclass(frozen=True)
class Selection:
    """The part of a plan an apply or a diff takes: the moves of these tiers, these
    sources, this batch (together: their union), with the moves bound to them (merged
    into one target, one within another: `analysis.batches.bound_groups`); nothing named
    means the whole plan."""

    tiers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    batch: int | None = None
    max_files: int | None = None
    """With `batch`, in a plan that records no batches: the budget they are planned
    with (`DEFAULT_MAX_FILES` when `None`)."""

    @property
    def everything(self) -> bool:
        return not self.tiers and not self.sources and self.batch is None

    def describe(self) -> str:
        parts = [f"tier {t}" for t in self.tiers]
        if self.sources:
            parts.append(f"{len(self.sources)} named move{'s' if len(self.sources) != 1 else ''}")
        if self.batch is not None:
            parts.append(f"batch {self.batch}")
        return ", ".join(parts) or "the whole plan"


def progress(workspace: Workspace, *, with_commits: bool = False) -> list[MoveProgress]:
    """Every move of the plan with its state in the tree, in plan order. `with_commits`:
    a landed move the plan records no commit for is looked up in git (one `git log` a
    move: for `status`, not for every apply)."""
    states = move_states(workspace)
    result = []
    for move in workspace.plan.moves:
        state = states[move.source]
        commit, from_git = move.commit if state != "pending" else None, False
        if state != "pending" and commit is None and with_commits:
            commit = _commit_adding(workspace, move)
            from_git = commit is not None
        result.append(MoveProgress(move, state, commit, from_git))
    return result


def _commit_adding(workspace: Workspace, move: Move) -> str | None:
    module = workspace.repo.modules.get(move.target)
    if module is None or not workspace.repo.is_git:
        return None
    return gitrepo.commit_adding(workspace.repo.root, module.path)


def select(plan: Plan, selection: Selection) -> list[Move]:
    """The plan's moves the selection names, in plan order; `WorkbenchError` for a tier,
    source or batch the plan does not have (a typo must not select nothing quietly)."""
    moves = plan.moves
    if selection.everything:
        return moves
    known_tiers = {t.name for t in plan.tiers}
    for tier in selection.tiers:
        if tier not in known_tiers:
            raise WorkbenchError(f"the plan has no tier {tier!r} (its tiers: "
                                 f"{_listed(sorted(known_tiers))})")
    sources = {m.source for m in moves}
    for source in selection.sources:
        if source not in sources:
            hint = _nearest(source, sources)
            raise WorkbenchError(f"the plan has no move of {source!r}"
                                 + (f" (did you mean {hint!r}?)" if hint else ""))
    if selection.batch is not None and not any(m.batch == selection.batch for m in moves):
        batches = sorted({m.batch for m in moves if m.batch is not None})
        raise WorkbenchError(
            f"the plan has no batch {selection.batch} "
            + (f"(its batches: {_listed([str(b) for b in batches])})" if batches
               else "(no move is assigned a batch yet: run `batches PLAN --write`)"))
    tiers, named = set(selection.tiers), set(selection.sources)
    chosen = {m.source for m in moves if m.tier in tiers or m.source in named
              or (selection.batch is not None and m.batch == selection.batch)}
    for group in bound_groups(moves):  # moves that only land together come along
        if any(m.source in chosen for m in group):
            chosen.update(m.source for m in group)
    return [m for m in moves if m.source in chosen]


def _listed(items: Sequence[str]) -> str:
    return ", ".join(items[:20]) + (" ..." if len(items) > 20 else "") if items else "none"


def _nearest(name: str, candidates: Iterable[str]) -> str | None:
    last = names.last(name)
    found = sorted(c for c in candidates if names.last(c) == last)
    return found[0] if len(found) == 1 else None


def pending_workspace(workspace: Workspace, moves: Sequence[Move]) -> Workspace:
    """The workspace of the plan reduced to these moves (pending ones): what an apply or
    a diff of part of the plan runs on. The whole plan's workspace when they are all of
    its moves (the records of a plan applied at once keep their name)."""
    if len(moves) == len(workspace.plan.moves):
        return workspace
    return Workspace(workspace.repo, workspace.plan.with_moves({m.source for m in moves}))


# -- batches ------------------------------------------------------------------------------


DEFAULT_MAX_FILES = 50
"""A batch's file budget when none is given: a pull request a person reviews in a
sitting."""


@dataclass(frozen=True)
class BatchView:
    """A batch with its state: "landed" (every move), "partial", or "pending"."""

    batch: Batch
    state: str
    recorded: bool
    """The plan records this batch (its number is on its moves); else it is proposed."""


def planned_batches(workspace: Workspace, graph: ImportGraph, *,
                    max_files: int = DEFAULT_MAX_FILES) -> list[BatchView]:
    """The plan's batches: those its moves record, then the pending moves that have no
    batch yet split into new ones (`analysis.batches`), numbered after the recorded."""
    states = move_states(workspace)
    moves = workspace.plan.moves
    recorded: dict[int, list[Move]] = {}
    for move in moves:
        if move.batch is not None:
            recorded.setdefault(move.batch, []).append(move)
    unassigned = [m for m in moves if m.batch is None and states[m.source] == "pending"]
    prints = footprints(workspace, graph, moves)
    owners = codeowners.read(workspace.repo.root)
    owners_of = owners.owners_of if owners is not None else None
    views = []
    for number, members in sorted(recorded.items()):
        files = sorted(set().union(*(prints[m.source].touched for m in members)))
        who = sorted({o for f in files for o in owners_of(f)}) if owners_of else []
        batch = Batch(number, tuple(members), tuple(files), tuple(who),
                      over_budget=len(files) > max_files)
        views.append(BatchView(batch, _batch_state(members, states), recorded=True))
    first = max(recorded, default=0) + 1
    for batch in plan_batches(unassigned, [t.name for t in workspace.plan.tiers],
                              footprint=lambda m: prints[m.source], owners_of=owners_of,
                              max_files=max_files, first_number=first):
        views.append(BatchView(batch, "pending", recorded=False))
    return views


def _batch_state(moves: Sequence[Move], states: dict[str, MoveState]) -> str:
    landed = sum(states[m.source] != "pending" for m in moves)
    return "landed" if landed == len(moves) else "partial" if landed else "pending"


def record_batches(plan: Plan, batches: Iterable[BatchView]) -> int:
    """Write the proposed batches' numbers on their moves; how many moves were assigned."""
    count = 0
    for view in batches:
        if view.recorded:
            continue
        for move in view.batch.moves:
            plan.set_progress(move.source, batch=view.batch.number)
            count += 1
    return count


def footprints(workspace: Workspace, graph: ImportGraph,
               moves: Sequence[Move]) -> dict[str, Footprint]:
    """For each move (by source): the files it moves, the files its apply touches (those
    and every file importing one of its modules), and the moves whose modules it imports.
    Estimated from the import graph: string references are not counted."""
    repo = workspace.repo
    sources = {m.source for m in moves}

    def move_of(module: str) -> str | None:
        parts = module.split(".")
        for end in range(len(parts), 0, -1):
            name = ".".join(parts[:end])
            if name in sources:
                return name
        return None

    moved: dict[str, set[str]] = {m.source: set() for m in moves}
    for name, module in repo.modules.items():
        owner = move_of(name)
        if owner is not None:
            moved[owner].add(module.path)
    touched = {source: set(paths) for source, paths in moved.items()}
    imports: dict[str, set[str]] = {m.source: set() for m in moves}
    for record in graph.imports:
        imported_move = move_of(record.imported)
        importer_move = move_of(record.importer)
        if imported_move is not None:
            importer = repo.modules.get(record.importer)
            if importer is not None:
                touched[imported_move].add(importer.path)
        if importer_move is not None and imported_move is not None \
                and importer_move != imported_move:
            imports[importer_move].add(imported_move)
    return {s: Footprint(frozenset(moved[s]), frozenset(touched[s]), frozenset(imports[s]))
            for s in sources}


def assign_batches_if_none(workspace: Workspace, selection: Selection,
                           graph: ImportGraph) -> bool:
    """A batch asked for by number in a plan that records none: the batches `batches`
    proposes are written on the moves first (in memory: the apply saves them with what
    landed), so the numbers stay those the user saw. True when it assigned them."""
    if selection.batch is None or any(m.batch is not None for m in workspace.plan.moves):
        return False
    budget = selection.max_files or DEFAULT_MAX_FILES
    return record_batches(workspace.plan,
                          planned_batches(workspace, graph, max_files=budget)) > 0


# -- stragglers: old paths still used, and the ratchet -------------------------------------


@dataclass(frozen=True)
class Baseline:
    """What `check --baseline` holds CI to: counts that may shrink, never grow."""

    cross_tier: int
    """Cross-tier import statements the plan does not accept."""
    old_paths: dict[str, int]
    """Uses of each old path (a facade's module) still in the code."""

    def as_json(self) -> dict[str, object]:
        return {"schema": 1, "cross_tier_not_accepted": self.cross_tier,
                "old_path_uses": dict(sorted(self.old_paths.items()))}

    @classmethod
    def from_json(cls, data: object) -> Baseline | None:
        """The baseline `data` holds, or `None` when it is not one (every type checked:
        the file is the repo's, untrusted)."""
        if not isinstance(data, dict):
            return None
        cross, olds = data.get("cross_tier_not_accepted"), data.get("old_path_uses")
        if isinstance(cross, bool) or not isinstance(cross, int) or cross < 0:
            return None
        if not isinstance(olds, dict) or not all(
                isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                and v >= 0 for k, v in olds.items()):
            return None
        return cls(cross, dict(olds))

    def grown(self, now: Baseline) -> list[str]:
        """What `now` has more of than this baseline, one line each."""
        lines = []
        if now.cross_tier > self.cross_tier:
            lines.append(f"cross-tier imports not accepted: {now.cross_tier} (baseline "
                         f"{self.cross_tier})")
        for old, count in sorted(now.old_paths.items()):
            if count > self.old_paths.get(old, 0):
                lines.append(f"uses of the old path {old}: {count} (baseline "
                             f"{self.old_paths.get(old, 0)})")
        return lines

    def tightened(self, now: Baseline) -> Baseline:
        """The lower of each count (a ratchet only tightens)."""
        return Baseline(min(self.cross_tier, now.cross_tier),
                        {old: min(count, now.old_paths.get(old, 0))
                         for old, count in self.old_paths.items()
                         if min(count, now.old_paths.get(old, 0))})


def old_path_counts(facades: Iterable[Facade]) -> dict[str, int]:
    return {f.old: len(f.uses) for f in facades if f.uses}


# -- the migration over time (report) -------------------------------------------------------


BURNDOWN_COMMITS = 300
"""At most this many commits (the latest) in the burn-down."""


@dataclass(frozen=True)
class Migration:
    """A plan landing in batches, for the report."""

    batches: list[BatchView]
    landed: int
    total: int
    old_path_uses: dict[str, int]
    """Uses of each old path still in the code (through its facade), today."""
    burndown: list[tuple[str, str, int, int]]
    """(commit, subject, moves landed, lines naming one of their old paths) from the
    commit before the first batch to HEAD, on HEAD's first-parent line (empty outside git
    or before any batch)."""


def migration(workspace: Workspace, graph: ImportGraph, facades: Iterable[Facade]
              ) -> Migration | None:
    """Batches with their state, old paths still used, and the burn-down; `None` for a
    plan with no batch recorded and nothing landed (not a migration in batches yet)."""
    plan = workspace.plan
    states = move_states(workspace)
    landed = [m for m in plan.moves if states[m.source] != "pending"]
    if not landed and not any(m.batch is not None for m in plan.moves):
        return None
    if len(landed) == len(plan.moves) and not any(m.batch is not None for m in plan.moves):
        return None  # applied at once: nothing happened in batches
    return Migration(planned_batches(workspace, graph), len(landed), len(plan.moves),
                     old_path_counts(facades), _burndown(workspace, landed))


def _burndown(workspace: Workspace, landed: Sequence[Move]) -> list[tuple[str, str, int, int]]:
    """At each commit since the one before the first batch: the moves landed by then,
    and the lines of Python naming one of their old paths (a whole dotted word; the old
    module itself, its facade after the move, left out): code still to rewrite."""
    repo = workspace.repo
    if not repo.is_git or not landed:
        return []
    landing = {m.source: c for m in landed if (c := m.commit or _commit_adding(workspace, m))}
    if not landing:
        return []
    commits = gitrepo.first_parent_commits(repo.root, _earliest(repo.root, list(landing.values())))
    position = {commit: i for i, (commit, _) in enumerate(commits)}
    times = [gitrepo.commit_time(repo.root, commit) for commit, _ in commits]
    landed_at = {}
    for source, commit in landing.items():
        at = position.get(commit)
        if at is None:  # landed on a branch merged since: at the first commit after it
            when = gitrepo.commit_time(repo.root, commit)
            at = next((i for i, t in enumerate(times) if t >= when), len(commits))
        landed_at[source] = at
    prefix = "" if repo.source_root == "." else repo.source_root + "/"
    points = []
    start = max(0, len(commits) - BURNDOWN_COMMITS)
    for index, (commit, subject) in enumerate(commits[start:], start):
        moved = sorted(source for source, at in landed_at.items() if at <= index)
        old_files = [prefix + source.replace(".", "/") + suffix
                     for source in moved for suffix in (".py", "")]
        count = gitrepo.count_words(repo.root, commit, moved, exclude=old_files)
        if count is not None:
            points.append((commit, subject, len(moved), count))
    return points


def _earliest(root: Path, commits: Sequence[str]) -> str:
    """The oldest of these commits on HEAD's first-parent line (one merged from a branch:
    by its commit time)."""
    line = gitrepo.first_parent_line(root)
    position = {commit: i for i, commit in enumerate(line)}
    on_line = [c for c in set(commits) if c in position]
    if on_line:
        return min(on_line, key=lambda c: position[c])
    return min((gitrepo.commit_time(root, c), c) for c in set(commits))[1]
