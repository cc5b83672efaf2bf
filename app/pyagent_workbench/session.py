"""A workbench session: one repo, its graph, the plan being edited, undo and redo.

What the workbench does is a use case of `application`, shared with the command line;
the session adds what is the workbench's own: every edit is recorded with the plan's
text before and after it (undo puts the text back), and unsaved work is autosaved as a
draft under the tool's folder.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pyagent_workbench import safefiles
from pyagent_workbench.analysis.graph import ImportGraph, SyntaxProblem
from pyagent_workbench.analysis.planview import CrossEdge, PlanView
from pyagent_workbench.analysis.tiers import TierMap
from pyagent_workbench.analysis.units import ContainerCandidate
from pyagent_workbench.application import approving, editing, opening, reporting, suggesting
from pyagent_workbench.application.applying import ApplyProgress, apply
from pyagent_workbench.application.approving import Approval
from pyagent_workbench.application.editing import Edit
from pyagent_workbench.application.migrating import Selection
from pyagent_workbench.application.opening import AppliedPlan, Progress
from pyagent_workbench.application.previewing import preview_plan
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.model import names
from pyagent_workbench.model.plan import Move, Plan, Verdict
from pyagent_workbench.repo import Repo
from pyagent_workbench.rewrite.apply import ApplyOptions, ApplyResult
from pyagent_workbench.rewrite.engine import ChangeSet, RewriteProgress
from pyagent_workbench.workspace import Workspace

__all__ = ["Action", "Approval", "Progress", "Session", "UnitInfo"]


@dataclass(frozen=True)
class Action:
    description: str
    before: str
    """The plan text before the action."""
    after: str


@dataclass(frozen=True)
class UnitInfo:
    name: str
    short: str
    container: str
    modules: int
    cross_edges: int
    tier: str | None
    target: str | None


class Session:
    def __init__(self, repo: Repo, graph: ImportGraph, plan: Plan, *,
                 plan_path: Path | None = None, origin: str = "",
                 view: PlanView | None = None, applied: AppliedPlan | None = None) -> None:
        self.repo = repo
        self.graph = graph
        self.plan_path = plan_path or opening.free_plan_path(repo.root)
        self.view = view if view is not None and view.plan is plan else PlanView(
            repo, graph, plan)
        self.origin = origin
        """How the plan was obtained (shown to the user)."""
        self.applied = applied
        """The plan as applied, when the tree already reflects it (nothing to edit)."""
        self.done: list[Action] = []
        self.undone: list[Action] = []
        self._files_touched: tuple[TierMap, int] | None = None
        self._candidates: tuple[tuple[str, ...], list[ContainerCandidate]] | None = None
        self._checked: tuple[str, Repo, tuple[str, ...]] | None = None
        """The plan text last found valid against the repo, with the repo and its
        listing then (`preview`)."""
        self._text = plan.dumps()
        """The plan's text now: every edit serialises the plan once, here."""
        self._saved: str | None = None
        """The plan file's text as last read or written (to tell unsaved work)."""
        with contextlib.suppress(OSError):
            self._saved = safefiles.read_regular(self.plan_path).decode(
                "utf-8", errors="replace")

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, repo_path: Path, *, plan_path: Path | None = None, empty: bool = False,
             fresh: bool = False, progress: Progress | None = None) -> Session:
        """The plan named, else the autosaved draft, else the repo's plan file, else a
        suggestion; `empty` or `fresh` start a new (empty or suggested) plan whatever
        exists. An applied plan opens as applied."""
        start = opening.start_workbench(repo_path, plan_path=plan_path, empty=empty,
                                        fresh=fresh, progress=progress)
        session = cls(start.repo, start.graph, start.plan, plan_path=start.plan_path,
                      origin=start.origin, view=start.view, applied=start.applied)
        if progress is not None:
            progress("ready", 1.0)
        return session

    # -- reading ---------------------------------------------------------------------------

    @property
    def plan(self) -> Plan:
        return self.view.plan

    @property
    def syntax_errors(self) -> list[SyntaxProblem]:
        return self.graph.syntax_errors

    @property
    def containers(self) -> list[str]:
        return self.view.units.containers

    def tiers_for(self, container: str | None = None) -> list[str]:
        """Tier names (of one container, or all), highest layer first."""
        tiers = [t for t in self.plan.tiers
                 if container is None or names.parent(t.package) == container]
        return [t.name for t in sorted(tiers, key=lambda t: (-(t.layer or 0), t.name))]

    def unit_edge_counts(self) -> dict[str, int]:
        """Cross-tier edges (module pairs) touching each unit."""
        return self.view.unit_edge_counts

    def move_for(self, unit: str) -> Move | None:
        return self.plan.move_for(unit)

    def unit_info(self, unit: str) -> UnitInfo:
        data = self.view.units.units[unit]
        move = self.move_for(unit)
        return UnitInfo(
            name=unit, short=names.last(move.target if move else unit),
            container=data.container, modules=len(data.modules),
            cross_edges=self.unit_edge_counts().get(unit, 0),
            tier=self.view.metrics.assignment.get(unit),
            target=move.target if move else None,
        )

    def units(self) -> list[str]:
        return sorted(self.view.units.units)

    def board(self) -> dict[str | None, list[str]]:
        """Tier (or `None`: stays where it is) -> its units, sorted."""
        columns: dict[str | None, list[str]] = {None: []}
        for name in self.tiers_for():
            columns[name] = []
        for unit, tier in sorted(self.view.metrics.assignment.items()):
            columns.setdefault(tier, []).append(unit)
        return columns

    def figures(self) -> dict[str, float | int]:
        progress = reporting.review_progress(self.view)
        return {
            **self.view.metrics.figures().as_dict(),
            "files_touched": self.files_touched(),
            "edges_reviewed": progress.reviewed,
            "edges_total": progress.total,
        }

    def files_touched(self) -> int:
        """Files the plan moves or rewrites, as the graph tells (strings aside); counted
        again only when the plan's names change (a verdict changes none of them)."""
        tiermap = self.view.tiermap
        if self._files_touched is not None and self._files_touched[0] is tiermap:
            return self._files_touched[1]
        moved_modules = {m for m in self.graph.modules if tiermap.new_name(m) != m}
        touched = set(moved_modules)
        for module in moved_modules:
            touched |= self.graph.importers_of(module)
        self._files_touched = (tiermap, len(touched))
        return len(touched)

    def edges(self) -> list[CrossEdge]:
        return self.view.cross_tier_edges

    def matrix(self) -> dict[tuple[str, str], int]:
        """(importer tier, imported tier) -> cross-tier edges (module pairs)."""
        return self.view.tier_matrix()

    # -- editing -----------------------------------------------------------------------------

    def _record(self, edit: Edit | None) -> None:
        """Make an edit and remember the plan's text around it, for undo and redo."""
        if edit is None:
            return
        before = self._text
        edit.make()
        if edit.description != "approve" and self.plan.status == "approved":
            self.plan.set_status("draft")  # an edit needs a new approval
        after = self.plan.dumps()
        if after == before:
            return
        self._text = after
        self.done.append(Action(edit.description, before, after))
        self.undone.clear()

    def move_impact(self, units: Iterable[str],
                    tiers: Iterable[str | None]) -> dict[str | None, editing.Impact]:
        """What moving the units to each tier would change, before it is done."""
        return editing.move_impact(self.view, units, tiers)

    def move_units(self, units: Iterable[str], tier: str | None) -> None:
        """Move units into a tier (`None`: back where they are today)."""
        self._record(editing.move_units(self.view, units, tier))

    def new_tier(self, name: str, container: str | None = None,
                 layer: int | None = None) -> str:
        self._record(editing.new_tier(self.view, name, container or self.containers[0],
                                      layer))
        return name

    def rename_tier(self, old: str, new: str) -> None:
        self._record(editing.rename_tier(self.view, old, new))

    def delete_tier(self, name: str) -> None:
        self._record(editing.delete_tier(self.view, name))

    def merge_tiers(self, source: str, into: str) -> None:
        self._record(editing.merge_tiers(self.view, source, into))

    def shift_tier(self, name: str, step: int) -> None:
        """One layer up (1) or down (-1) among the tiers of its container."""
        self._record(editing.shift_tier(self.view, name, step))

    # What an edit would refuse, asked before it is made (a dialog keeps the text).

    def new_tier_refusal(self, name: str, container: str | None = None) -> str | None:
        return _refusal(lambda: editing.new_tier(self.view, name.strip(),
                                                 container or self.containers[0]))

    def rename_tier_refusal(self, old: str, new: str) -> str | None:
        return _refusal(lambda: editing.rename_tier(self.view, old, new.strip()))

    def rename_unit_refusal(self, unit: str, new_short: str) -> str | None:
        return _refusal(lambda: editing.rename_unit(self.view, unit, new_short.strip()))

    def resuggest(self, container: str, tiers: int) -> None:
        """The container's tiers suggested again, as `tiers` tiers (one undoable edit)."""
        self._record(suggesting.resuggest_container(self.view, container, tiers))

    def candidates(self) -> list[ContainerCandidate]:
        """Packages that could be restructured and are not, best first (ranked again
        only when the plan's containers change)."""
        containers = tuple(self.view.base_units.containers)
        if self._candidates is None or self._candidates[0] != containers:
            self._candidates = (containers, suggesting.candidate_containers(self.view))
        return self._candidates[1]

    def restructure(self, container: str, tiers: int | None = None) -> None:
        """One more package restructured, with suggested tiers (one undoable edit)."""
        self._record(suggesting.restructure_container(self.view, container, tiers))

    def rename_unit(self, unit: str, new_short: str) -> None:
        self._record(editing.rename_unit(self.view, unit, new_short))

    def review(self, edges: Iterable[tuple[str, str]], verdict: Verdict | None,
               note: str = "") -> int:
        """Give edges a verdict (`None` clears it); returns how many changed."""
        pairs = set(edges)
        self._record(editing.review(self.view, pairs, verdict, note))
        return len(pairs)

    def undo(self) -> str | None:
        if not self.done:
            return None
        action = self.done.pop()
        self._restore(action.before)
        self.undone.append(action)
        return action.description

    def redo(self) -> str | None:
        if not self.undone:
            return None
        action = self.undone.pop()
        self._restore(action.after)
        self.done.append(action)
        return action.description

    def _restore(self, text: str) -> None:
        self.view.plan = Plan.parse(text, path=self.plan.path)
        self.view.refresh()
        self._text = text

    # -- approving, saving -----------------------------------------------------------------------

    def approval(self) -> Approval:
        return approving.approval(self.view)

    def standing(self) -> str:
        """"draft", "approved", or why an approved plan no longer is (`approving.standing`)."""
        return approving.standing(self.view)

    def approve(self, path: Path | None = None) -> Path:
        self._record(approving.approve(self.view))
        return self.save(path)

    def save(self, path: Path | None = None) -> Path:
        target = path or self.plan_path
        self.plan.save(target)
        self.discard_draft()  # the draft of the plan as it was named until now
        self.plan_path = target
        self._saved = self._text
        return target

    @property
    def unsaved(self) -> bool:
        return self._text != self._saved

    def autosave(self) -> Path | None:
        """Keep unsaved work under .pyagent-workbench/ (restored when the workbench opens
        again); nothing to keep once the plan file holds it."""
        if not self.unsaved:
            self.discard_draft()
            return None
        return opening.save_draft(self.repo.root, self._text, self.plan_path)

    def discard_draft(self) -> None:
        opening.discard_draft(self.repo.root, self.plan_path)

    def workspace(self) -> Workspace:
        return Workspace(self.repo, self.plan)

    def export_report(self, output: Path | None = None, *,
                      with_diff: bool = True) -> list[Path]:
        """The migration report (Markdown + SVG matrix) beside the plan file."""
        return reporting.write_migration_report(
            self.view, self.workspace(), self.plan_path,
            state="all" if self.applied else "none", output=output, with_diff=with_diff)

    # -- preview and apply -------------------------------------------------------------------

    def preview(self, units: Iterable[str] | None = None, *, plan: Plan | None = None,
                progress: RewriteProgress | None = None) -> ChangeSet:
        """The changes of the whole plan (on every core), or of the given units' moves
        only (in this process: a quick look). Pass a copy of the plan when calling from
        another thread while the user goes on editing; `progress` may raise to stop."""
        workspace = Workspace(self.repo, plan or self.plan)
        # The plan's checks against the repo (0.2-0.3 s on Django's) run once per plan
        # text and listing of the repo, not once per preview of a unit.
        checked = (workspace.plan.dumps(), self.repo, self.repo.files)
        if checked != self._checked:
            workspace.require_valid()
            self._checked = checked
        return preview_plan(workspace, self.graph, units=units,
                            jobs=None if units is None else 1, progress=progress,
                            checked=True)

    def apply(self, progress: ApplyProgress | None = None,
              notice: Callable[[str], None] | None = None, *,
              batch: int | None = None) -> ApplyResult | None:
        """Apply the approved plan's pending moves (those of `batch` only, when given);
        afterwards the session shows the plan as applied, or partly. None when there was
        nothing to apply."""
        if self.standing() != "approved":
            raise WorkbenchError("approve the plan before applying it (every cross-tier "
                                 "edge reviewed)")
        applied = apply(self.workspace(), ApplyOptions(plan_path=self.plan_path),
                        selection=Selection(batch=batch), progress=progress, notice=notice,
                        who="the workbench's apply")
        if applied.result is not None:
            self.repo = applied.result.workspace.repo
        self.applied = applied.plan
        return applied.result


def _refusal(build: Callable[[], object]) -> str | None:
    """Why the edit would be refused, or `None`: building an edit checks it, changing
    nothing (only `Edit.make` changes the plan)."""
    try:
        build()
    except WorkbenchError as error:
        return str(error)
    return None
