"""The report, the review progress and CI's check, before and after the apply."""

from __future__ import annotations

from pathlib import Path

from pyagent_workbench.application import applying, editing, opening, reporting
from pyagent_workbench.rewrite.apply import ApplyOptions


def test_review_progress_counts_module_pairs(sample: Path) -> None:
    view = opening.open_plan(sample / "phase1.toml").view
    progress = reporting.review_progress(view)
    assert progress.total == len(view.edge_pairs()) > 0
    assert progress.reviewed == progress.total - len(view.unreviewed())
    editing.review(view, [view.cross_tier_edges[0].key], None).make()  # type: ignore[union-attr]
    assert reporting.review_progress(view).reviewed == progress.reviewed - 1 or \
        progress.reviewed == 0


def test_the_report_is_written_beside_the_plan_before_and_after(small_repo: Path) -> None:
    plan_path = small_repo / "plan.toml"
    opened = opening.open_plan(plan_path)
    written = reporting.write_migration_report(opened.view, opened.workspace, plan_path,
                                               state=opened.state)
    assert [p.name for p in written] == ["plan-report.md", "plan-report-matrix.svg"] or \
        written[0].name == "plan-report.md"
    before = written[0].read_text()
    assert "files moved" in before or "moved" in before
    applying.apply(opened.workspace, ApplyOptions(plan_path=plan_path, verify=False,
                                                  allow_dirty=True))
    after_opened = opening.open_plan(plan_path)
    assert after_opened.state == "all"
    reporting.write_migration_report(after_opened.view, after_opened.workspace, plan_path,
                                     state=after_opened.state)
    assert written[0].read_text() != before


def test_check_passes_only_when_every_cross_tier_import_is_accepted(sample: Path) -> None:
    opened = opening.open_plan(sample / "phase1.toml")
    result = reporting.check_plan(opened)
    unaccepted = [e for e in opened.view.cross_tier_edges if e.verdict != "accepted"]
    assert result.ok == (not unaccepted)
    assert "[importlinter]" in reporting.import_linter_config(opened)
