"""The records an apply leaves: what moved, when, and verify's result, read back without
trusting the file."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pyagent_workbench.rewrite import records
from pyagent_workbench.rewrite.apply import ApplyOptions, apply_plan
from pyagent_workbench.rewrite.records import AppliedRecord, load_applied
from pyagent_workbench.rewrite.verify import VerifyReport
from pyagent_workbench.workspace import Workspace
from support.plans import write_plan
from support.repos import make_repo

FILES: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/a.py": "from pkg import b\n\nA = b.B\n",
    "pkg/b.py": "B = 1\n",
}
MOVES = [("pkg.b", "pkg.core.b")]


def workspace(tmp_path: Path, moves: list[tuple[str, str]] = MOVES, *,
              facades: bool = True) -> Workspace:
    repo = make_repo(tmp_path / "repo", FILES)
    plan = write_plan(repo / "plan.toml", moves, packages=["pkg"], facades=facades)
    return Workspace.open(repo, plan)


def applied_file(workspace: Workspace) -> Path:
    return workspace.repo.state_dir / "applied" / f"{records.plan_digest(workspace)}.json"


def test_an_apply_records_what_moved_and_verifys_result(tmp_path: Path) -> None:
    opened = workspace(tmp_path)
    start = time.time()
    result = apply_plan(opened, ApplyOptions(plan_path=opened.plan.path))
    record = load_applied(result.workspace)
    assert record is not None and result.verify is not None
    assert record.moves == MOVES
    assert start <= record.applied_at <= time.time()
    assert record.verify == result.verify.as_json()
    assert record.verify["ok"] is True


def test_without_verify_the_record_says_verify_did_not_run(tmp_path: Path) -> None:
    opened = workspace(tmp_path)
    result = apply_plan(opened, ApplyOptions(verify=False))
    assert result.verify is None
    record = load_applied(opened)
    assert record is not None and record.verify is None
    assert records.save_verify_result(opened, {"schema": 1, "ok": False})
    assert load_applied(opened) == AppliedRecord(record.moves, record.applied_at,
                                                 {"schema": 1, "ok": False})


def test_the_result_holds_the_workspace_over_the_applied_tree(tmp_path: Path) -> None:
    opened = workspace(tmp_path, facades=False)
    result = apply_plan(opened, ApplyOptions(verify=False))
    assert "pkg.core.b" in result.workspace.repo.modules
    assert "pkg.b" not in result.workspace.repo.modules
    assert records.applied_state(result.workspace) == "all"


def test_no_record_before_an_apply(tmp_path: Path) -> None:
    opened = workspace(tmp_path)
    assert load_applied(opened) is None
    assert not records.save_verify_result(opened, {"ok": True})
    assert records.applied_state(opened) == "none"


@pytest.mark.parametrize("content", [
    "not json",
    "[]",
    json.dumps({"moves": [["pkg.b"]], "applied_at": 1.0}),
    json.dumps({"moves": [["pkg.b", 2]], "applied_at": 1.0}),
    json.dumps({"moves": "pkg.b", "applied_at": 1.0}),
    json.dumps({"moves": [["pkg.b", "pkg.core.b"]]}),
    json.dumps({"moves": [["pkg.b", "pkg.core.b"]], "applied_at": True}),
    json.dumps({"moves": [["pkg.b", "pkg.core.b"]], "applied_at": "today"}),
    json.dumps({"moves": [["pkg.b", "pkg.core.b"]], "applied_at": 1.0, "verify": [1]}),
])
def test_a_damaged_record_reads_as_none(tmp_path: Path, content: str) -> None:
    opened = workspace(tmp_path)
    applied_file(opened).parent.mkdir(parents=True)
    applied_file(opened).write_text(content)
    assert load_applied(opened) is None


def test_a_record_reads_back_as_written(tmp_path: Path) -> None:
    opened = workspace(tmp_path)
    written = AppliedRecord([("pkg.b", "pkg.core.b")], 12.5, {"ok": True, "schema": 1})
    records.save_applied(opened, written)
    assert load_applied(opened) == written
    assert json.loads(applied_file(opened).read_text())["schema"] == 1


def test_the_plan_digest_ignores_the_order_of_moves(tmp_path: Path) -> None:
    one = workspace(tmp_path / "one", [("pkg.a", "pkg.x.a"), ("pkg.b", "pkg.x.b")])
    other = workspace(tmp_path / "other", [("pkg.b", "pkg.x.b"), ("pkg.a", "pkg.x.a")])
    assert records.plan_digest(one) == records.plan_digest(other)


def test_a_verify_report_reads_back_what_it_wrote_and_refuses_other_shapes() -> None:
    report = VerifyReport(lost_edges=[("a.b", "a.c")], added_edges=[],
                          broken_imports={"a.d": "ImportError: x"}, still_failing={},
                          modules_checked=12, edges_checked=30)
    assert VerifyReport.from_json(report.as_json()) == report
    for broken in ({"lost_edges": [["a.b"]]}, {"broken_imports": ["a.d"]},
                   {"modules_checked": "12"}, {"edges_checked": True}):
        assert VerifyReport.from_json({**report.as_json(), **broken}) is None
