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


def test_a_use_after_a_page_break_is_shown_on_its_own_line(small_repo: Path) -> None:
    """A form feed line counts as one line, as CPython counts it (`str.splitlines`
    would break it in two: the use then showed the text of the line above it)."""
    plan_path = small_repo / "plan.toml"
    applying.apply(opening.open_workspace(plan_path),
                   ApplyOptions(plan_path=plan_path, verify=False))
    git(small_repo, "add", "-A")
    git(small_repo, "commit", "-q", "-m", "moved")
    (small_repo / "pkg/late.py").write_text('"""Late code."""\n\x0c\nimport os\n'
                                           '# run: python -m pkg.infra.db\n'
                                           'from pkg.infra import db\n')
    workspace = opening.open_workspace(plan_path)
    uses = {f.old: f for f in retiring.list_facades(workspace)}["pkg.infra.db"].uses
    assert sorted((u.line, u.text) for u in uses) == [
        (4, "# run: python -m pkg.infra.db"), (5, "from pkg.infra import db")]
