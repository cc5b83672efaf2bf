"""A workbench session: one repo, its graph, the plan being edited, undo and redo.

Every action the workbench offers is a method here, so the TUI stays a thin view and
tests (or scripts) drive the very same operations without a screen. Each edit is
recorded with the plan text before it: undo puts that text back.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyagent_workbench.analysis.graph import ImportGraph, SyntaxProblem, build_graph
from pyagent_workbench.analysis.planview import CrossEdge, PlanView
from pyagent_workbench.analysis.suggest import suggest
from pyagent_workbench.errors import WorkbenchError
from pyagent_workbench.model import names
from pyagent_workbench.model.plan import DEFAULT_PLAN_NAME, Move, Plan, Verdict
from pyagent_workbench.repo import Repo
from pyagent_workbench.statedir import DRAFT, DRAFT_META, ensure_state_dir, state_dir
from pyagent_workbench.workspace import Workspace

if TYPE_CHECKING:
    from pyagent_workbench.rewrite.apply import ApplyResult
    from pyagent_workbench.rewrite.engine import ChangeSet


Progress = Callable[[str, float], None]
"""Called with a step description and the fraction done (0..1)."""


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


@dataclass(frozen=True)
class Approval:
    ok: bool
    unreviewed: int
    message: str


class Session:
    def __init__(self, repo: Repo, graph: ImportGraph, plan: Plan, *,
                 plan_path: Path | None = None, origin: str = "",
                 view: PlanView | None = None) -> None:
        self.repo = repo
        self.graph = graph
        self.plan_path = plan_path or repo.root / DEFAULT_PLAN_NAME
        self.view = view if view is not None and view.plan is plan else PlanView(
            repo, graph, plan)
        self.origin = origin
        """How the plan was obtained (shown to the user)."""
        self.done: list[Action] = []
        self.undone: list[Action] = []
        self._edge_counts: dict[str, int] | None = None
        self._moves: dict[str, Move] | None = None
        self._saved: str | None = None
        """The plan file's text as last read or written (to tell unsaved work)."""
        if self.plan_path.is_file():
            self._saved = self.plan_path.read_bytes().decode("utf-8", errors="replace")

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, repo_path: Path, *, plan_path: Path | None = None, empty: bool = False,
             progress: Progress | None = None) -> Session:
        """Build the graph, then load the plan: the one named, else the autosaved draft,
        else `pyagent-plan.toml` in the repo, else a suggestion (or an empty plan)."""
        say = progress or (lambda step, done: None)
        say("reading the plan", 0.05)
        plan: Plan | None = None
        view: PlanView | None = None
        origin = ""
        draft = _load_draft(repo_path, plan_path)
        if draft is not None:
            plan, origin = draft
            plan_path = plan.path or plan_path
        elif plan_path is not None:
            plan = Plan.load(plan_path)
            origin = f"opened {plan_path.name}"
        elif (repo_path / DEFAULT_PLAN_NAME).is_file():
            plan_path = repo_path / DEFAULT_PLAN_NAME
            plan = Plan.load(plan_path)
            origin = f"opened {DEFAULT_PLAN_NAME}"
        repo = Repo(repo_path, source_root=plan.source_root if plan else None,
                    packages=plan.packages if plan else None)
        say("building the import graph", 0.15)
        graph = build_graph(repo)
        if plan is None:
            if empty:
                plan = Plan.new(source_root=repo.source_root, packages=list(repo.packages))
                origin = "started from an empty plan"
            else:
                say("suggesting tiers", 0.6)
                suggestion = suggest(repo, graph)
                plan, view = suggestion.plan, suggestion.view
                origin = "started from the suggestion"
        else:
            workspace = Workspace(repo, plan)
            problems = workspace.check()
            if problems:
                raise WorkbenchError("\n".join(str(p) for p in problems))
        say("laying out the board", 0.9)
        session = cls(repo, graph, plan, plan_path=plan_path, origin=origin, view=view)
        say("ready", 1.0)
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
        if self._edge_counts is None:
            counts: dict[str, int] = defaultdict(int)
            unit_of = self.view.units.unit_of
            for importer, imported in self.view.edge_pairs():
                for module in (importer, imported):
                    unit = unit_of.get(module)
                    if unit:
                        counts[unit] += 1
            self._edge_counts = dict(counts)
        return self._edge_counts

    def move_for(self, unit: str) -> Move | None:
        """The plan's move of a unit (the typed views are read once per edit)."""
        if self._moves is None:
            self._moves = {m.source: m for m in self.plan.moves}
        return self._moves.get(unit)

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
        base = self.view.metrics.figures()
        pairs = self.view.edge_pairs()
        reviewed = sum(1 for edges in pairs.values() if edges[0].review is not None)
        return {
            **base.as_dict(),
            "files_touched": self.files_touched(),
            "edges_reviewed": reviewed,
            "edges_total": len(pairs),
        }

    def files_touched(self) -> int:
        """Files the plan moves or rewrites, as the graph tells (strings aside)."""
        moved_modules = {m for m in self.graph.modules if self.view.tiermap.new_name(m) != m}
        touched = set(moved_modules)
        for module in moved_modules:
            touched |= self.graph.importers_of(module)
        return len(touched)

    def edges(self) -> list[CrossEdge]:
        return self.view.cross_tier_edges

    def matrix(self) -> dict[tuple[str, str], int]:
        """(importer tier, imported tier) -> cross-tier edges (module pairs)."""
        cells: dict[tuple[str, str], int] = defaultdict(int)
        for (_importer, _imported), edges in self.view.edge_pairs().items():
            cells[(edges[0].importer_tier, edges[0].imported_tier)] += 1
        return dict(cells)

    # -- editing -----------------------------------------------------------------------------

    def _record(self, description: str, change: Callable[[], None]) -> None:
        before = self.plan.dumps()
        change()
        if description != "approve" and self.plan.status == "approved":
            self.plan.set_status("draft")  # an edit needs a new approval
        after = self.plan.dumps()
        if after == before:
            return
        self.done.append(Action(description, before, after))
        self.undone.clear()
        self._edge_counts = None
        self._moves = None

    def move_units(self, units: Iterable[str], tier: str | None) -> None:
        """Move units into a tier (`None`: back where they are today)."""
        units = [u for u in units if self.view.metrics.assignment.get(u) != tier]
        if not units:
            return
        if tier is not None and self.plan.tier(tier) is None:
            raise WorkbenchError(f"no tier named '{tier}'")
        label = ", ".join(names.last(u) for u in units[:3]) + (" ..." if len(units) > 3 else "")

        def change() -> None:
            for unit in units:
                self.view.move_unit(unit, tier)

        self._record(f"move {label} to {tier or 'stays'}", change)

    def new_tier(self, name: str, container: str | None = None,
                 layer: int | None = None) -> str:
        if not names.is_identifier(name):
            raise WorkbenchError(f"'{name}' is not a valid tier name (a Python identifier)")
        if self.plan.tier(name) is not None:
            raise WorkbenchError(f"a tier named '{name}' exists already")
        container = container or self.containers[0]
        children = {names.last(m) for m in self.repo.modules if names.parent(m) == container}
        if name in children:
            raise WorkbenchError(f"{container}.{name} exists already; choose another name")

        def change() -> None:
            self.plan.add_tier(name, f"{container}.{name}", layer)
            self.view.refresh()

        self._record(f"new tier {name}", change)
        return name

    def rename_tier(self, old: str, new: str) -> None:
        tier = self.plan.tier(old)
        if tier is None:
            raise WorkbenchError(f"no tier named '{old}'")
        if not names.is_identifier(new):
            raise WorkbenchError(f"'{new}' is not a valid tier name (a Python identifier)")
        if self.plan.tier(new) is not None:
            raise WorkbenchError(f"a tier named '{new}' exists already")

        def change() -> None:
            package = f"{names.parent(tier.package)}.{new}"
            self.plan.update_tier(old, new_name=new, package=package)
            for move in self.plan.moves:
                if move.tier == new and names.is_within(move.target, tier.package):
                    self.plan.set_move(move.source, names.rebase(move.target, tier.package,
                                                                 package), new)
            self.view.refresh()

        self._record(f"rename tier {old} to {new}", change)

    def rename_unit(self, unit: str, new_short: str) -> None:
        if not names.is_identifier(new_short):
            raise WorkbenchError(f"'{new_short}' is not a valid module name")
        self._record(f"rename {names.last(unit)} to {new_short}",
                     lambda: self.view.rename_unit(unit, new_short))

    def review(self, edges: Iterable[tuple[str, str]], verdict: Verdict | None,
               note: str = "") -> int:
        """Give edges a verdict (`None` clears it); returns how many changed."""
        edges = sorted(set(edges))
        if not edges:
            return 0

        def change() -> None:
            for importer, imported in edges:
                if verdict is None:
                    if self.plan.review_for(importer, imported) is not None:
                        self.plan.remove_review(importer, imported)
                else:
                    self.plan.set_review(importer, imported, verdict, note)
            self.view.refresh()

        word = verdict or "unreviewed"
        self._record(f"mark {len(edges)} edge{'s' if len(edges) > 1 else ''} {word}", change)
        return len(edges)

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
        plan = Plan.parse(text, path=self.plan.path)
        self.view.plan = plan
        self.view.refresh()
        self._edge_counts = None
        self._moves = None

    # -- approving, saving -----------------------------------------------------------------------

    def approval(self) -> Approval:
        unreviewed = len(self.view.unreviewed())
        if unreviewed:
            return Approval(False, unreviewed,
                            f"{unreviewed} cross-tier edge{'s' if unreviewed > 1 else ''} "
                            f"still unreviewed: review them all before approving")
        if not self.plan.moves:
            return Approval(False, 0, "the plan has no moves yet")
        return Approval(True, 0, "ready to approve")

    def approve(self, path: Path | None = None) -> Path:
        verdict = self.approval()
        if not verdict.ok:
            raise WorkbenchError(verdict.message)
        self._record("approve", lambda: self.plan.set_status("approved"))
        return self.save(path)

    def save(self, path: Path | None = None) -> Path:
        target = path or self.plan_path
        self.plan.save(target)
        self.plan_path = target
        self._saved = self.plan.dumps()
        self.discard_draft()
        return target

    @property
    def unsaved(self) -> bool:
        return self.plan.dumps() != self._saved

    def autosave(self) -> Path | None:
        """Keep unsaved work under .pyagent-workbench/ (restored when the workbench opens
        again); nothing to keep once the plan file holds it."""
        if not self.unsaved:
            self.discard_draft()
            return None
        state = ensure_state_dir(self.repo.root)
        draft = state / DRAFT
        draft.write_text(self.plan.dumps(), encoding="utf-8")
        (state / DRAFT_META).write_text(json.dumps({
            "plan": str(self.plan_path), "saved": time.time()}), encoding="utf-8")
        return draft

    def discard_draft(self) -> None:
        state = state_dir(self.repo.root)
        for name in (DRAFT, DRAFT_META):
            (state / name).unlink(missing_ok=True)

    def workspace(self) -> Workspace:
        return Workspace(self.repo, self.plan)

    def export_report(self, output: Path | None = None, *,
                      with_diff: bool = True) -> list[Path]:
        """The migration report (Markdown + SVG matrix) beside the plan file."""
        from pyagent_workbench.report import collect, write_report

        summary = self.preview().summary if with_diff and self.plan.moves else None
        data = collect(self.view, self.plan_path.name, summary=summary)
        target = output or self.plan_path.with_name(self.plan_path.stem + "-report.md")
        return write_report(data, target)

    # -- preview and apply -------------------------------------------------------------------

    def preview(self, units: Iterable[str] | None = None, *,
                plan: Plan | None = None) -> ChangeSet:
        """The changes of the whole plan, or of the given units' moves only. Pass a copy
        of the plan when calling from another thread while the user goes on editing."""
        from pyagent_workbench.rewrite.engine import preview

        workspace = Workspace(self.repo, plan or self.plan)
        problems = workspace.check()
        if problems:
            raise WorkbenchError("\n".join(str(p) for p in problems))
        only = None
        if units is not None:
            only = [u for u in units if self.plan.move_for(u) is not None]
        return preview(workspace, self.graph, only=only, jobs=1, sweep=units is None)

    def apply(self, progress: Callable[[str, int, int], None] | None = None,
              notice: Callable[[str], None] | None = None) -> ApplyResult:
        """Apply the approved plan (the plan file must be saved and approved first)."""
        from pyagent_workbench.rewrite.apply import apply_plan, workspace_after

        if self.plan.status != "approved":
            raise WorkbenchError("approve the plan before applying it")
        result = apply_plan(self.workspace(), progress=progress, notice=notice,
                            plan_path=self.plan_path)
        workspace = workspace_after(self.workspace())
        self.repo = workspace.repo
        return result


def _load_draft(repo_path: Path, plan_path: Path | None) -> tuple[Plan, str] | None:
    """The autosaved draft, when it continues the plan being opened (or no plan was named)
    and is newer than that plan's file."""
    state = state_dir(repo_path)
    draft, meta = state / DRAFT, state / DRAFT_META
    if not draft.is_file() or not meta.is_file():
        return None
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        plan = Plan.parse(draft.read_text(encoding="utf-8"))
    except (OSError, ValueError, WorkbenchError):
        return None
    source = Path(info.get("plan", ""))
    if plan_path is not None:
        if source.resolve() != plan_path.resolve():
            return None
        if plan_path.is_file() and plan_path.stat().st_mtime > float(info.get("saved", 0)):
            return None
    plan.path = source if str(source) else None
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(info.get("saved", 0))))
    return plan, f"restored your unsaved draft from {when}"
