"""Previewing: the whole plan or some units' moves, and `diff`'s record of what it showed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.application import applying, opening, previewing
from pyagent_workbench.rewrite.apply import ApplyOptions
from pyagent_workbench.statedir import LAST_DIFF, STATE_DIR


def test_a_units_preview_holds_only_its_moves(small_repo: Path) -> None:
    opened = opening.open_plan(small_repo / "plan.toml")
    whole = previewing.preview_plan(opened.workspace, opened.graph)
    assert {c.old_path for c in whole.changes if c.kind == "move"} == {
        "pkg/infra/db.py", "pkg/infra/cache.py"}
    one = previewing.preview_plan(opened.workspace, opened.graph, units=["pkg.infra.db"])
    assert {c.old_path for c in one.changes if c.kind == "move"} == {"pkg/infra/db.py"}
    assert not (small_repo / STATE_DIR / LAST_DIFF).exists()  # a look, not a diff


def test_diff_records_what_it_showed_and_stops_once_applied(small_repo: Path) -> None:
    workspace = opening.open_workspace(small_repo / "plan.toml")
    diff = previewing.diff_plan(workspace)
    assert diff.state == "none" and diff.changeset is not None
    assert diff.changeset.summary.files_moved == 2
    assert (small_repo / STATE_DIR / LAST_DIFF).is_file()
    applying.apply(workspace, ApplyOptions(plan_path=small_repo / "plan.toml", verify=False))
    again = previewing.diff_plan(opening.open_workspace(small_repo / "plan.toml"))
    assert again.state == "all" and again.changeset is None


def test_progress_hears_every_rewritten_file_and_can_stop_the_preview(
        small_repo: Path) -> None:
    opened = opening.open_plan(small_repo / "plan.toml")
    heard: list[tuple[int, int]] = []
    previewing.preview_plan(opened.workspace, opened.graph,
                            progress=lambda done, total: heard.append((done, total)))
    total = heard[-1][1]
    assert heard == [(n, total) for n in range(1, total + 1)] and total >= 3

    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        previewing.preview_plan(opened.workspace, opened.graph, progress=stop)
