"""A repository and a plan over it: the object every use case (CLI or TUI) starts from."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from pyagent_workbench.errors import InvalidPlan, PlanError
from pyagent_workbench.model.mapping import ModuleMapping, resolve
from pyagent_workbench.model.plan import DEFAULT_PLAN_NAME, Plan
from pyagent_workbench.model.validation import check_against_repo
from pyagent_workbench.repo import STATE_DIR, Repo

_SKIP_IN_TREE = frozenset({"__pycache__"})


class Workspace:
    """A repo with a plan; the mapping is resolved lazily and dropped when the plan changes."""

    def __init__(self, repo: Repo, plan: Plan) -> None:
        self.repo = repo
        self.plan = plan

    @classmethod
    def open(cls, repo_path: Path, plan_path: Path | None = None) -> Workspace:
        """Load a plan (if given) and the repo it describes."""
        plan = Plan.load(plan_path) if plan_path is not None else None
        repo = Repo(repo_path, source_root=plan.source_root if plan else None,
                    packages=plan.packages if plan else None)
        if plan is None:
            plan = Plan.new(source_root=repo.source_root, packages=list(repo.packages))
        return cls(repo, plan)

    @staticmethod
    def default_plan_path(repo_path: Path) -> Path:
        return repo_path / DEFAULT_PLAN_NAME

    def plan_changed(self) -> None:
        self.__dict__.pop("mapping", None)

    # -- the mapping -------------------------------------------------------------------

    @cached_property
    def module_table(self) -> dict[str, tuple[str, bool]]:
        return {name: (m.path, m.is_package) for name, m in self.repo.modules.items()}

    @cached_property
    def mapping(self) -> ModuleMapping:
        prefix = "" if self.repo.source_root == "." else self.repo.source_root + "/"
        return resolve(
            self.plan.moves,
            modules=self.module_table,
            source_prefix=prefix,
            files_under=self.files_under,
            exists=lambda rel: (self.repo.root / rel).is_file(),
            carry_tests=self.plan.carry_tests,
        )

    def files_under(self, directory: str) -> list[str]:
        """Every file in a directory tree, as it is on disk (untracked data files included),
        caches excluded."""
        base = self.repo.root / directory
        found = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_IN_TREE)
            rel = Path(dirpath).relative_to(self.repo.root).as_posix()
            for name in sorted(filenames):
                if name.endswith((".pyc", ".pyo")):
                    continue
                found.append(f"{rel}/{name}")
        return found

    def check(self) -> list[PlanError]:
        """Problems of the plan against the repo (the plan's own structure was checked when
        it was loaded)."""
        text = self.plan.dumps()
        where = str(self.plan.path) if self.plan.path else "<plan>"
        return check_against_repo(
            self.plan, self.mapping, modules=self.module_table,
            exists=lambda rel: (self.repo.root / rel).exists(), text=text, where=where,
        )

    def require_valid(self) -> None:
        problems = self.check()
        if problems:
            raise InvalidPlan(problems)


def ensure_state_dir(repo_root: Path) -> Path:
    """The tool's own folder in the repo; it ignores itself for git, like .pytest_cache."""
    state = repo_root / STATE_DIR
    state.mkdir(exist_ok=True)
    ignore = state / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Created by pyagent-workbench: its own state, never committed.\n*\n")
    return state
