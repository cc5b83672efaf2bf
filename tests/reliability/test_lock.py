"""Issue 15, category 2: one writer at a time. `apply`, `recover`, `facades --remove` and
the workbench's apply hold `.pyagent-workbench/lock` while they change the repo; a second
writer refuses in one line, before touching anything (before, two applies ran at once
and one's failure path could delete the other's journal; `recover` rolled back under a
running apply). A lock left by a killed process is taken over.

Real processes: the first writer is a real `apply` kept busy by its own `--run-tests`
command (a script that waits for a file the test creates), so it holds the lock exactly
as long as the test needs, with nothing mocked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyagent_workbench.session import Session
from pyagent_workbench.statedir import JOURNAL_DIR, STATE_DIR
from pyagent_workbench.writelock import LOCK_NAME, Locked, repo_lock
from support.plans import write_plan
from support.repos import git, make_repo, tree_digest

from . import stats
from .processes import APP, SCRIPT, cli, refused_in_one_line

HOLD = """\
import os, pathlib, sys, time
started, go = pathlib.Path(os.environ["HOLD_STARTED"]), pathlib.Path(os.environ["HOLD_GO"])
before = started.with_name("before")
if not before.exists():  # the run before the apply writes anything
    before.touch()
    sys.exit(0)
started.touch()
deadline = time.monotonic() + 120
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.05)
"""
"""The repo's "test command": its second run (after the apply has written every file,
its journal still open, before the commit point) waits for `go`."""

MOVES = [("app.infra.db", "app.storage.db")]

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")


class Holder:
    """A real `apply` process paused while it holds the lock."""

    def __init__(self, repo: Path, plan: Path, signals: Path) -> None:
        self.started, self.go = signals / "started", signals / "go"
        self.tree_before, self.index_before = tree_digest(repo), git(repo, "ls-files", "-s")
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
               "HOLD_STARTED": str(self.started), "HOLD_GO": str(self.go)}
        self.process = subprocess.Popen(
            [str(SCRIPT), "apply", str(plan), "--repo", ".", "--no-verify",
             "--run-tests", f"{sys.executable} hold.py"],
            cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not self.started.exists():
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, "the first apply never reached its tests"
            time.sleep(0.05)

    def finish(self) -> subprocess.CompletedProcess[str]:
        self.go.touch()
        out, err = self.process.communicate(timeout=300)
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, out, err)

    def kill(self) -> None:
        self.process.kill()
        self.process.communicate(timeout=60)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {**APP, "hold.py": HOLD})


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    return write_plan(tmp_path / "plan.toml", MOVES, packages=["app"],
                      tiers=[("storage", "app.storage")])


@pytest.fixture
def holder(tmp_path: Path, repo: Path, plan: Path) -> Iterator[Holder]:
    (tmp_path / "signals").mkdir()
    first = Holder(repo, plan, tmp_path / "signals")
    yield first
    if first.process.poll() is None:
        first.kill()


def test_a_second_apply_refuses_while_the_first_runs_and_the_first_completes(
        repo: Path, plan: Path, holder: Holder) -> None:
    second = cli(repo, "apply", plan, "--repo", ".", "--no-verify", timeout=120)
    stats.bump("concurrent writers refused")
    refused_in_one_line(second, "another pyagent-workbench is changing this repository")
    assert f"process {holder.process.pid}" in second.stderr
    assert "apply" in second.stderr
    first = holder.finish()
    assert first.returncode == 0, first.stdout + first.stderr
    assert (repo / "app/storage/db.py").is_file()
    assert (repo / "app/infra/db.py").is_file()  # the facade
    assert not (repo / STATE_DIR / JOURNAL_DIR).exists()
    assert not (repo / STATE_DIR / LOCK_NAME).exists()  # released on exit


def test_recover_refuses_to_roll_back_under_a_running_apply(
        repo: Path, plan: Path, holder: Holder) -> None:
    assert (repo / STATE_DIR / JOURNAL_DIR).exists()  # written, not yet committed
    half = tree_digest(repo)
    result = cli(repo, "recover", ".", timeout=120)
    stats.bump("concurrent writers refused")
    refused_in_one_line(result, "another pyagent-workbench is changing this repository")
    assert tree_digest(repo) == half
    first = holder.finish()
    assert first.returncode == 0, first.stdout + first.stderr
    assert (repo / "app/storage/db.py").is_file()


def test_the_workbench_apply_refuses_while_a_command_line_apply_runs(
        tmp_path: Path, repo: Path, plan: Path) -> None:
    session = Session.open(repo, plan_path=plan)  # opened before the other apply started
    assert session.standing() == "approved"
    (tmp_path / "signals").mkdir()
    holder = Holder(repo, plan, tmp_path / "signals")
    try:
        half = tree_digest(repo)
        with pytest.raises(Locked, match="another pyagent-workbench is changing this "
                                         "repository: apply"):
            session.apply()
        stats.bump("concurrent writers refused")
        assert tree_digest(repo) == half
        assert holder.finish().returncode == 0
    finally:
        if holder.process.poll() is None:
            holder.kill()


def test_a_lock_left_by_a_killed_apply_is_taken_over_by_recover_then_apply(
        repo: Path, plan: Path, holder: Holder) -> None:
    holder.kill()  # SIGKILL: no chance to release the lock
    assert (repo / STATE_DIR / LOCK_NAME).exists()
    recovered = cli(repo, "recover", ".", timeout=120)
    stats.bump("concurrent writers refused")
    assert recovered.returncode == 0, recovered.stderr
    assert "recovered" in recovered.stdout
    assert git(repo, "ls-files", "-s") == holder.index_before
    assert tree_digest(repo) == holder.tree_before
    assert git(repo, "status", "--porcelain") == ""
    again = cli(repo, "apply", plan, "--repo", ".", "--no-verify", timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (repo / "app/storage/db.py").is_file()
    assert not (repo / STATE_DIR / LOCK_NAME).exists()


def _lock_of(repo: Path, **fields: object) -> Path:
    lock = repo / STATE_DIR / LOCK_NAME
    lock.parent.mkdir(exist_ok=True)
    lock.write_text(json.dumps({
        "pid": os.getpid(), "host": os.uname().nodename, "started": time.time(),
        "command": "apply", "token": "x" * 32, "process_start": None, **fields}))
    return lock


def test_a_lock_whose_process_id_was_reused_is_stale(repo: Path) -> None:
    """The process id in the lock now belongs to a process that started after the
    holder (this test's own process, with another start time): the holder is gone."""
    lock = _lock_of(repo, process_start=1)
    with repo_lock(repo, "recover"):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
        assert json.loads(lock.read_text())["process_start"] != 1
    assert not lock.exists()


def test_a_lock_of_a_live_process_is_kept_and_a_garbled_one_is_named(repo: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = _lock_of(repo, pid=sleeper.pid)
        kept = lock.read_bytes()
        with pytest.raises(Locked, match=f"process {sleeper.pid}"), \
                repo_lock(repo, "apply"):
            pass
        assert lock.read_bytes() == kept
    finally:
        sleeper.send_signal(signal.SIGKILL)
        sleeper.wait()
    lock.write_text("{not json")
    with pytest.raises(Locked, match="does not say which process holds it"), \
            repo_lock(repo, "apply"):
        pass
    assert lock.read_text() == "{not json"
    stats.bump("concurrent writers refused", 2)


def test_two_writers_racing_for_the_lock_never_both_hold_it(tmp_path: Path) -> None:
    """Many real processes take and drop the lock at once, some finding stale locks of
    killed ones: at no moment are two inside."""
    repo = make_repo(tmp_path / "repo", APP, git_repo=False)
    inside = tmp_path / "inside"
    inside.mkdir()
    worker = f"""
import os, sys, time
sys.path[:0] = {sys.path!r}
from pathlib import Path
from pyagent_workbench.writelock import Locked, repo_lock
inside, taken = Path({str(inside)!r}), 0
for _ in range(40):
    try:
        with repo_lock(Path({str(repo)!r}), "race"):
            marker = inside / str(os.getpid())
            marker.touch()
            assert len(list(inside.iterdir())) == 1, "two writers inside"
            time.sleep(0.002)
            marker.unlink()
            taken += 1
    except Locked:
        pass
print(taken)
"""
    racers = [subprocess.Popen([sys.executable, "-c", worker], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(6)]
    results = [r.communicate(timeout=120) for r in racers]
    assert all(r.returncode == 0 for r in racers), results
    assert sum(int(out) for out, _ in results) > 0
    stats.bump("concurrent writers refused", 6)


def test_git_status_stays_clean_while_a_lock_is_held(repo: Path) -> None:
    with repo_lock(repo, "apply"):
        assert git(repo, "status", "--porcelain") == ""
