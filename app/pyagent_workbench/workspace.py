"""A repository and a plan over it: the object every use case (CLI or TUI) starts from."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from pyagent_workbench import safefiles
from pyagent_workbench.errors import InvalidPlan, PlanError
from pyagent_workbench.model.mapping import ModuleMapping, resolve
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.model.repo_validation import check_against_repo
from pyagent_workbench.repo import Repo

_SKIP_IN_TREE = frozenset({"__pycache__"})


class Workspace:
    """A repo with a plan; the mapping is resolved on first use (make a new workspace
    after editing the plan)."""

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
        root = str(self.repo.root)
        found = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_IN_TREE)
            rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
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
        problems = check_against_repo(
            self.plan, self.mapping, modules=self.module_table,
            exists=lambda rel: (self.repo.root / rel).exists(), text=text, where=where,
            read=lambda rel: safefiles.read_regular(self.repo.root / rel),
        )
        if not problems:
            problems = [PlanError(message, where=where) for message in self._file_problems()]
        return problems

    def _file_problems(self) -> list[str]:
        """What the files on disk make unsafe to move: symbolic links (moving one changes
        what it points to; one pointing into a moved directory breaks), and a module that
        a package of the same name hides today (moving the package would expose it)."""
        mapping = self.mapping
        root = self.repo.root
        moved = {f.old for f in mapping.files}
        moved_dirs = {f.old.rsplit("/", 1)[0] for f in mapping.files if "/" in f.old}
        problems = []
        for path, resolved in self.repo.links.items():
            if path in moved or any(path.startswith(d + "/") for d in moved_dirs
                                    if f"{d}/__init__.py" in moved):
                problems.append(f"{path} is a symbolic link and the plan moves it: moved, it "
                                f"would point elsewhere; replace it with a real file first")
                continue
            try:
                target = Path(resolved).relative_to(root).as_posix()
            except ValueError:
                continue  # points outside the repo: unaffected by the plan
            if target in moved or any(target == d or target.startswith(d + "/")
                                      for d in moved_dirs if f"{d}/__init__.py" in moved):
                problems.append(f"{path} is a symbolic link to {target}, which the plan moves: "
                                f"the link would break; remove it or point it elsewhere first")
        for name in mapping.packages:
            info = self.module_table.get(name)
            if info is None or not info[0].endswith("/__init__.py"):
                continue
            hidden = info[0][: -len("/__init__.py")] + ".py"
            if (root / hidden).is_file():
                problems.append(
                    f"{hidden} is hidden by the package {name} today (Python imports the "
                    f"package); moving the package would make `import {name}` load it "
                    f"instead: delete or rename {hidden} first")
        return problems

    def require_valid(self) -> None:
        problems = self.check()
        if problems:
            raise InvalidPlan(problems)

