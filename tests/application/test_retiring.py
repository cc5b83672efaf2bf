"""Facades after an apply: listed with their uses, the unused ones removed."""

from __future__ import annotations

from pathlib import Path

from pyagent_workbench.application import applying, opening, retiring
from pyagent_workbench.rewrite.apply import ApplyOptions
from support.repos import git


def test_unused_facades_go_and_used_ones_stay(small_repo: Path) -> None:
    plan_path = small_repo / "plan.toml"
    applying.apply(opening.open_workspace(plan_path),
                   ApplyOptions(plan_path=plan_path, verify=False))
    git(small_repo, "add", "-A")
    git(small_repo, "commit", "-q", "-m", "moved")
    (small_repo / "pkg/late.py").write_text("from pkg.infra import db\n")
    git(small_repo, "add", "-A")
    git(small_repo, "commit", "-q", "-m", "new code on an old path")
    workspace = opening.open_workspace(plan_path)
    facades = {f.old: f for f in retiring.list_facades(workspace)}
    assert set(facades) == {"pkg.infra.db", "pkg.infra.cache"}
    assert facades["pkg.infra.db"].used and not facades["pkg.infra.cache"].used
    result = retiring.retire_facades(workspace)
    assert [f.old for f in result.removed] == ["pkg.infra.cache"]
    assert [f.old for f in result.kept] == ["pkg.infra.db"]
    assert not (small_repo / "pkg/infra/cache.py").exists()
    assert (small_repo / "pkg/infra/db.py").is_file()
