"""A moved package's directory renamed whole (`rewrite.dirmoves`): the tree and the git
index it leaves are those of the file-by-file moves, byte for byte; a directory that no
longer holds what was planned moves file by file; a failure or a kill after the rename
puts everything back.

Each apply runs twice on copies of one repository, once with the whole-directory rename
and once with it turned off (`plan_dir_moves` planning nothing), and the two results are
compared. Real git, real links, the tool in process and as a real process (`recover`)."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest
from pyagent_workbench.errors import ApplyError
from pyagent_workbench.rewrite import apply as applying
from pyagent_workbench.rewrite.apply import ApplyOptions, apply_plan
from pyagent_workbench.rewrite.dirmoves import plan_dir_moves
from pyagent_workbench.rewrite.journal import KILL_SWITCH
from pyagent_workbench.workspace import Workspace
from support.plans import write_plan
from support.repos import git, make_repo, write_files

from .processes import APP, SCRIPT, cli
from .test_unusual_trees import snapshot

PACKAGE: dict[str, str | bytes] = {
    **APP,
    "app/infra/sub/__init__.py": "from app.infra.db import DB\n",
    "app/infra/sub/deep.py": "from app.infra.sub import DB\n\nD = DB\n",
    "app/infra/locale/af/LC_MESSAGES/django.po": "msgid \"x\"\n",
    "app/infra/locale/af/LC_MESSAGES/django.mo": b"\xde\x12\x04\x95\x00",
    "app/infra/templates/infra/page.html": "<p>{{ x }}</p>\n",
    "app/infra/legacy.pyc": b"\x00bytecode beside the source",
    "app/infra/__pycache__/db.cpython-311.pyc": b"\x00stale bytecode",
    "app/uses.py": "from app.infra.sub.deep import D\nfrom app.infra import cache\n",
}
TIERS = [("storage", "app.storage"), ("other", "app.other")]


def build(base: Path, name: str = "repo") -> Path:
    repo = make_repo(base / name, PACKAGE, git_repo=True)
    write_files(repo, {".gitignore": "__pycache__/\n*.pyc\npage.html\n"})
    (repo / "app/infra/empty").mkdir()
    (repo / "app/infra/page.html").symlink_to("templates/infra/page.html")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a package with data, a link, an empty folder")
    return repo


def copy(repo: Path, name: str) -> Path:
    target = repo.parent / name
    subprocess.run(["cp", "-a", str(repo), str(target)], check=True)
    git(target, "update-index", "-q", "--refresh")
    return target


def without_bytecode(entries: dict[str, str]) -> dict[str, str]:
    """Bytecode caches aside: the file-by-file moves leave them with the old folder."""
    return {path: value for path, value in entries.items() if "__pycache__" not in path}


def applied(repo: Path, moves: list[tuple[str, str]], *, facades: bool,
            whole: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], str]:
    plan = write_plan(repo.parent / f"{repo.name}.toml", moves, packages=["app"],
                      tiers=TIERS, facades=facades)
    with monkeypatch.context() as patch:
        if not whole:
            patch.setattr(applying, "plan_dir_moves", lambda *args: [])
        apply_plan(Workspace.open(repo, plan), ApplyOptions(verify=False, force=True))
    return without_bytecode(snapshot(repo)), git(repo, "ls-files", "-s")


def _failed_at(repo: Path, plan: Path, failing: int) -> Path:
    """A copy of `repo` after an apply of `plan` whose step number `failing` (from 0)
    raised an I/O error: the apply refuses, having rolled back."""
    work = copy(repo, f"work-{failing}")
    taken: list[str] = []

    def fault(step: str) -> None:
        taken.append(step)
        if len(taken) == failing + 1:
            raise OSError(errno.EIO, "simulated", step)

    with pytest.raises(ApplyError):
        apply_plan(Workspace.open(work, plan), ApplyOptions(verify=False, force=True),
                   fault=fault)
    return work


@pytest.mark.parametrize("facades", [True, False], ids=["facades", "no-facades"])
def test_a_package_renamed_whole_lands_as_its_files_moved_one_by_one(
        tmp_path: Path, facades: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = build(tmp_path)
    folder = os.stat(repo / "app/infra").st_ino
    moves = [("app.infra", "app.storage")]
    one_by_one = applied(copy(repo, "files"), moves, facades=facades, whole=False,
                         monkeypatch=monkeypatch)
    whole = applied(repo, moves, facades=facades, whole=True, monkeypatch=monkeypatch)
    assert whole == one_by_one
    # It was one rename: the folder is the same folder, at its new place.
    assert os.stat(repo / "app/storage").st_ino == folder
    assert not (repo / "app/storage/__pycache__").exists()
    assert (repo / "app/storage/page.html").read_text() == "<p>{{ x }}</p>\n"
    assert (repo / "app/storage/empty").is_dir()
    # What the old place holds: the facades and their folders, nothing else (the
    # file-by-file moves once left the emptied folders of `locale/` and the empty one).
    left = {p for p in whole[0] if p.startswith("app/infra/")}
    if facades:
        assert "app/infra/sub/deep.py" in left
        assert not any("locale" in p or "templates" in p or "empty" in p for p in left)
    else:
        assert not (repo / "app/infra").exists()


def test_a_nested_package_moved_elsewhere_is_renamed_on_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`app.infra.sub` leaves for another tier: the outer folder cannot be one rename
    (not everything in it goes to `app/storage/`); the inner one can."""
    repo = build(tmp_path)
    moves = [("app.infra", "app.storage"), ("app.infra.sub", "app.other.sub")]
    seen: list[list[tuple[str, str]]] = []
    real = plan_dir_moves

    def recorded(*args: object) -> object:
        planned = real(*args)  # type: ignore[arg-type]
        seen.append([(m.old, m.new) for m in planned])
        return planned

    monkeypatch.setattr(applying, "plan_dir_moves", recorded)
    one_by_one = applied(copy(repo, "files"), moves, facades=True, whole=False,
                         monkeypatch=monkeypatch)
    whole = applied(repo, moves, facades=True, whole=True, monkeypatch=monkeypatch)
    assert seen == [[("app/infra/sub", "app/other/sub")]]
    assert whole == one_by_one


def test_a_file_that_appears_after_the_plan_keeps_the_folder_moving_file_by_file(
        tmp_path: Path) -> None:
    """Someone saves a new file into the package while the apply backs it up: the
    folder no longer holds what was planned, so its files move one by one and the new
    file stays where it was written (with the folder around it)."""
    repo = build(tmp_path)
    plan = write_plan(tmp_path / "plan.toml", [("app.infra", "app.storage")],
                      packages=["app"], tiers=TIERS, facades=False)
    folder = os.stat(repo / "app/infra").st_ino

    def fault(step: str) -> None:
        if step.startswith("backup:") and not (repo / "app/infra/new.txt").exists():
            (repo / "app/infra/new.txt").write_text("written meanwhile\n")

    apply_plan(Workspace.open(repo, plan), ApplyOptions(verify=False, force=True),
               fault=fault)
    assert (repo / "app/infra/new.txt").read_text() == "written meanwhile\n"
    assert os.stat(repo / "app/infra").st_ino == folder
    assert (repo / "app/storage/locale/af/LC_MESSAGES/django.mo").read_bytes() \
        == PACKAGE["app/infra/locale/af/LC_MESSAGES/django.mo"]
    assert sorted(p.name for p in (repo / "app/infra").iterdir()) == ["new.txt"]


def test_an_edit_before_the_rename_stops_the_apply_with_everything_back(
        tmp_path: Path) -> None:
    """A module of the package edited after the journal copied it: the rename checks
    every file first, and the apply stops with the edit kept and the rest as it was."""
    repo = build(tmp_path)
    plan = write_plan(tmp_path / "plan.toml", [("app.infra", "app.storage")],
                      packages=["app"], tiers=TIERS)
    before = without_bytecode(snapshot(repo))
    index = git(repo, "ls-files", "-s")
    edit = "\n# someone else's edit\n"

    def fault(step: str) -> None:
        if step == "backup:app/infra/sub/deep.py":
            with open(repo / "app/infra/sub/deep.py", "a") as handle:
                handle.write(edit)

    with pytest.raises(ApplyError, match=r"app/infra/sub/deep\.py was changed"):
        apply_plan(Workspace.open(repo, plan), ApplyOptions(verify=False, force=True),
                   fault=fault)
    after = without_bytecode(snapshot(repo))
    assert after.pop("app/infra/sub/deep.py") == before.pop("app/infra/sub/deep.py") + edit
    assert after == before
    assert git(repo, "ls-files", "-s") == index


@pytest.mark.parametrize("facades", [True, False], ids=["facades", "no-facades"])
def test_a_failure_after_the_rename_puts_everything_back(
        tmp_path: Path, facades: bool) -> None:
    """Every step after the rename fails in turn (the next write, a facade in the
    recreated old folder, the staging): rollback leaves the tree and the index as they
    were, bytecode caches aside."""
    repo = build(tmp_path)
    plan = write_plan(tmp_path / "plan.toml", [("app.infra", "app.storage")],
                      packages=["app"], tiers=TIERS, facades=facades)
    steps: list[str] = []
    apply_plan(Workspace.open(copy(repo, "count"), plan),
               ApplyOptions(verify=False, force=True), fault=steps.append)
    renamed = steps.index("move:app/infra/")
    before = without_bytecode(snapshot(repo))
    index = git(repo, "ls-files", "-s")
    for failing in range(renamed + 1, len(steps)):
        work = _failed_at(repo, plan, failing)
        assert without_bytecode(snapshot(work)) == before, steps[failing]
        assert git(work, "ls-files", "-s") == index, steps[failing]
        assert not (work / "app/storage").exists(), steps[failing]


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")
def test_killed_right_after_the_rename_recover_puts_it_back(tmp_path: Path) -> None:
    repo = build(tmp_path)
    plan = write_plan(tmp_path / "plan.toml", [("app.infra", "app.storage")],
                      packages=["app"], tiers=TIERS)
    steps: list[str] = []
    apply_plan(Workspace.open(copy(repo, "count"), plan),
               ApplyOptions(verify=False, force=True), fault=steps.append)
    before = without_bytecode(snapshot(repo))
    index = git(repo, "ls-files", "-s")
    killed = cli(repo, "apply", plan, "--repo", ".", "--no-verify", "--force",
                 env={KILL_SWITCH: str(steps.index("move:app/infra/") + 1)})
    assert killed.returncode == -9, killed.stderr
    assert (repo / "app/storage/locale").is_dir() and not (repo / "app/infra").exists()
    recovered = cli(repo, "recover", ".")
    assert recovered.returncode == 0, recovered.stderr
    assert without_bytecode(snapshot(repo)) == before
    assert git(repo, "ls-files", "-s") == index


def _emptied_by_a_module_move(base: Path) -> tuple[Path, Path]:
    """`app/jobs/` holds one module, which the plan moves, and empty folders: the apply
    removes the folder the move empties, empty folders and bytecode with it."""
    repo = make_repo(base / "repo", {**APP, "app/jobs/run.py": "RUN = 1\n",
                                     "app/uses.py": "from app.jobs.run import RUN\n"})
    (repo / "app/jobs/data/deeper").mkdir(parents=True)
    (repo / "app/jobs/__pycache__").mkdir()
    (repo / "app/jobs/__pycache__/run.cpython-311.pyc").write_bytes(b"\x00bytecode")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a folder with a module and empty folders")
    plan = write_plan(base / "plan.toml", [("app.jobs.run", "app.tasks.run")],
                      packages=["app"], facades=False)
    return repo, plan


def test_a_folder_a_module_move_empties_comes_back_whole_on_rollback(tmp_path: Path) -> None:
    """Every step failing in turn, the last ("written") after the emptied folder went:
    rollback makes its empty folders again (the restored module brings back only its
    own folder), bytecode caches aside."""
    repo, plan = _emptied_by_a_module_move(tmp_path)
    steps: list[str] = []
    apply_plan(Workspace.open(copy(repo, "count"), plan),
               ApplyOptions(verify=False, force=True), fault=steps.append)
    assert not (tmp_path / "count/app/jobs").exists()
    before = without_bytecode(snapshot(repo))
    assert before["app/jobs/data/deeper"] == "folder"
    for failing in range(len(steps)):
        work = _failed_at(repo, plan, failing)
        assert without_bytecode(snapshot(work)) == before, steps[failing]


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")
def test_killed_after_a_module_move_emptied_a_folder_recover_makes_it_again(
        tmp_path: Path) -> None:
    repo, plan = _emptied_by_a_module_move(tmp_path)
    steps: list[str] = []
    apply_plan(Workspace.open(copy(repo, "count"), plan),
               ApplyOptions(verify=False, force=True), fault=steps.append)
    before = without_bytecode(snapshot(repo))
    killed = cli(repo, "apply", plan, "--repo", ".", "--no-verify", "--force",
                 env={KILL_SWITCH: str(steps.index("written") + 1)})
    assert killed.returncode == -9, killed.stderr
    assert not (repo / "app/jobs").exists()
    recovered = cli(repo, "recover", ".")
    assert recovered.returncode == 0, recovered.stderr
    assert without_bytecode(snapshot(repo)) == before
