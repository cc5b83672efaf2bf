"""The workbench previews and applies from worker threads: there the rewrite's worker
processes come from a fork server (a fork of a threaded process could inherit a held
lock), and give exactly what one process gives."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pyagent_workbench.application import opening, previewing
from pyagent_workbench.rewrite import runner, workers
from pyagent_workbench.rewrite.engine import ChangeSet
from support.large import make_large_repo


def contents(changeset: ChangeSet) -> list[tuple[str, str | None, str, bytes]]:
    return sorted((c.kind, c.old_path, c.new_path, c.new_bytes) for c in changeset.changes)


def test_a_preview_from_a_thread_runs_served_workers_and_matches_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_large_repo(tmp_path / "large")
    opened = opening.open_plan(repo / "plan.toml")
    alone = previewing.preview_plan(opened.workspace, opened.graph, jobs=1)

    started: list[str] = []
    choose = runner._process_context

    def recording() -> object:
        context = choose()
        started.append(context.get_start_method())
        return context

    monkeypatch.setattr(runner, "_PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(runner, "_process_context", recording)
    workers.start_fork_server()  # from the main thread, as the workbench does when it opens
    result: dict[str, ChangeSet] = {}

    def work() -> None:
        result["changeset"] = previewing.preview_plan(opened.workspace, opened.graph,
                                                      jobs=2)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=300)
    assert started and set(started) == {"forkserver"}
    assert contents(result["changeset"]) == contents(alone)
    assert result["changeset"].problems == alone.problems


def test_work_beside_conform_sees_the_final_paths_and_its_failure_is_raised(
        tmp_path: Path) -> None:
    """`preview(beside_conform=...)` (apply's checks and backups) runs in a thread while
    the changes are conformed: it is handed every path the changes touch, the preview
    gives what it gives without it, and what it raises is raised by the preview."""
    from pyagent_workbench.rewrite.engine import preview

    repo = make_large_repo(tmp_path / "large")
    opened = opening.open_plan(repo / "plan.toml")
    alone = preview(opened.workspace, opened.graph, jobs=1)
    seen: list[tuple[set[str], list[str], str]] = []

    def beside(paths_final: ChangeSet) -> None:
        seen.append((paths_final.touched_paths(), paths_final.removed_dirs,
                     threading.current_thread().name))

    beside_it = preview(opened.workspace, opened.graph, jobs=1, beside_conform=beside)
    assert contents(beside_it) == contents(alone)
    assert seen == [(alone.touched_paths(), alone.removed_dirs, "beside-conform")]

    def failing(paths_final: ChangeSet) -> None:
        raise RuntimeError("refused beside conform")

    with pytest.raises(RuntimeError, match="refused beside conform"):
        preview(opened.workspace, opened.graph, jobs=1, beside_conform=failing)


PLANNER = """
import sys
from pathlib import Path
from pyagent_workbench.application import opening, previewing
from pyagent_workbench.rewrite import runner

runner._PARALLEL_THRESHOLD = 10  # the generated repo is smaller than Django
if __name__ == "__main__":  # (each worker runs this module again, as multiprocessing does)
    opened = opening.open_plan(Path(sys.argv[1]) / "plan.toml")
    diff = previewing.diff_plan(opened.workspace)
    assert diff.changeset is not None and diff.changeset.changes
    print(sorted(m for m in sys.modules if m == "libcst" or m.startswith("libcst.")))
"""


def test_the_process_planning_a_whole_plan_diff_never_imports_libcst(tmp_path: Path) -> None:
    """libcst runs in the workers, which the fork server gives its imports: the process
    that plans the work (and the workbench) is spared a quarter of a second."""
    repo = make_large_repo(tmp_path / "large")
    script = tmp_path / "planner.py"
    script.write_text(PLANNER)
    done = subprocess.run([sys.executable, str(script), str(repo)], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
