"""Issue 15, category 5 (and category 1's link on the way): unusual but valid trees move
whole, or `apply` refuses them in one line before anything changes.

A moved package carries everything its directory holds: git-ignored files and folders,
links (renamed as links, their text unchanged, never followed), bytecode beside the
sources, empty folders. A submodule or a repository of its own inside it, a link that
would point elsewhere once moved, a path through a link (a target folder that is a link
to elsewhere), two names differing only in case, a target named `__init__` or another
dunder name: refused, exit 2, one line, the tree and what lies outside it byte-identical.
Real git, real submodules and links, the tool run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyagent_workbench.rewrite.apply import ApplyOptions, apply_plan
from pyagent_workbench.rewrite.journal import KILL_SWITCH
from pyagent_workbench.workspace import Workspace
from support.plans import write_plan
from support.repos import git, make_repo, write_files

from . import stats
from .processes import APP, SCRIPT, cli, refused_in_one_line

pytestmark = pytest.mark.skipif(not SCRIPT.exists(),
                                reason="the console script is not installed")

MOVE_INFRA = [("app.infra", "app.storage")]
TIERS = [("storage", "app.storage")]


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under `root` (folders, links to folders, nested repositories' own
    `.git` included; the repository's `.git` and the tool's folder left out): a folder
    as such, a link by its text, a file by its bytes."""
    entries = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == root:
            dirnames[:] = [d for d in dirnames if d not in (".git", ".pyagent-workbench")]
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                entries[rel] = "link -> " + os.readlink(path)
            elif path.is_dir():
                entries[rel] = "folder"
            else:
                entries[rel] = path.read_bytes().decode("latin-1")
    return entries


class World:
    """A repository (`app.core`, `app.infra`), a folder outside it, and a plan."""

    def __init__(self, tmp_path: Path, *, git_repo: bool = True) -> None:
        self.tmp = tmp_path
        self.git_repo = git_repo
        self.repo = make_repo(tmp_path / "repo", APP, git_repo=git_repo)
        self.outside = tmp_path / "outside"
        write_files(self.outside, {"victim.txt": "someone else's file\n",
                                   "folder/kept.txt": "kept\n"})
        self.before: dict[str, str] = {}
        self.outside_before: dict[str, str] = {}
        self.index_before = ""
        """The repo, the folder outside and the git index as `apply` found them."""

    def add(self, files: dict[str, str | bytes], *, ignore: str = "") -> None:
        write_files(self.repo, files)
        if ignore:
            write_files(self.repo, {".gitignore": ignore})

    def commit(self) -> None:
        if self.git_repo:
            git(self.repo, "add", "-A")
            git(self.repo, "commit", "-q", "--allow-empty", "-m", "the unusual tree")

    def apply(self, moves: list[tuple[str, str]], *, facades: bool = True, commit: bool = True,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Commit what was added (unless `commit` is false), then apply as a user would."""
        if commit:
            self.commit()
        plan = write_plan(self.tmp / "plan.toml", moves, packages=["app"], tiers=TIERS,
                          facades=facades)
        self.before = snapshot(self.repo)
        self.outside_before = snapshot(self.outside)
        self.index_before = self.index()
        stats.bump("bad inputs tried")
        return cli(self.repo, "apply", plan, "--repo", ".", "--no-verify", "--force",
                   env=env)

    def index(self) -> str:
        return git(self.repo, "ls-files", "-s") if self.git_repo else ""

    def assert_unchanged(self) -> None:
        assert snapshot(self.repo) == self.before
        assert snapshot(self.outside) == self.outside_before
        assert self.index() == self.index_before

    def assert_moved_whole(self, result: subprocess.CompletedProcess[str],
                           moved: dict[str, str]) -> None:
        """Applied; every entry of `moved` (old -> new) is at its new place as it was
        (a link with the same text), and nothing outside the repo changed."""
        assert result.returncode == 0, result.stderr
        after = snapshot(self.repo)
        for old, new in moved.items():
            assert after.get(new) == self.before[old], (old, new)
            assert old not in after or self.before[old] == "folder", old
        assert snapshot(self.outside) == self.outside_before


# -- refused, before anything changes ------------------------------------------------------


def test_a_submodule_inside_a_moved_package_is_refused(tmp_path: Path) -> None:
    world = World(tmp_path)
    library = make_repo(tmp_path / "library", {"README": "a library\n", "lib.py": "L = 1\n"})
    git(world.repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q",
        str(library), "app/infra/vendor")
    result = world.apply(MOVE_INFRA)
    refused_in_one_line(result, "app/infra/vendor is a git submodule")
    world.assert_unchanged()


def test_a_submodule_not_checked_out_inside_a_moved_package_is_refused(
        tmp_path: Path) -> None:
    """Its folder is empty, but the index still holds it (and `.gitmodules` names it)."""
    world = World(tmp_path)
    library = make_repo(tmp_path / "library", {"README": "a library\n"})
    git(world.repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q",
        str(library), "app/infra/vendor")
    world.commit()
    git(world.repo, "submodule", "deinit", "-q", "-f", "app/infra/vendor")
    result = world.apply(MOVE_INFRA, facades=False)
    refused_in_one_line(result, "app/infra/vendor is a git submodule")
    world.assert_unchanged()


@pytest.mark.parametrize("outer", ["git, ignored", "git, untracked", "git, embedded",
                                   "not under git"])
def test_a_repository_of_its_own_inside_a_moved_package_is_refused(
        tmp_path: Path, outer: str) -> None:
    """Ignored, untracked, or recorded by `git add` as an embedded repository (a gitlink
    with no `.gitmodules` entry); or in a tree that is not under git at all."""
    world = World(tmp_path, git_repo=outer != "not under git")
    if outer == "git, ignored":
        world.add({}, ignore="app/infra/plugins/\n")
    world.commit()
    make_repo(world.repo / "app/infra/plugins", {"plugin.py": "P = 1\n", "notes.txt": "n\n"})
    result = world.apply(MOVE_INFRA, commit=outer != "git, untracked")
    refused_in_one_line(result, "app/infra/plugins is a git ")
    world.assert_unchanged()


@pytest.mark.parametrize("git_repo", [True, False], ids=["git", "not under git"])
@pytest.mark.parametrize("points_to", ["outside", "inside"])
def test_a_target_folder_that_is_a_link_receives_nothing(
        tmp_path: Path, git_repo: bool, points_to: str) -> None:
    """Category 1: `app/storage` is a link, to a folder elsewhere or to another folder
    of the repo; the apply would write the moved module through it."""
    world = World(tmp_path, git_repo=git_repo)
    (world.repo / "app/storage").symlink_to(
        world.outside / "folder" if points_to == "outside" else "core")
    result = world.apply([("app.infra.db", "app.storage.db")])
    refused_in_one_line(result, "app/storage is a link")
    world.assert_unchanged()


def test_a_link_that_would_point_elsewhere_once_moved_is_refused(tmp_path: Path) -> None:
    """A relative link to a file beside the package: one level deeper, its text would
    name another file."""
    world = World(tmp_path)
    world.add({"app/shared.txt": "shared\n"}, ignore="app/infra/shared.txt\n")
    (world.repo / "app/infra/shared.txt").symlink_to("../shared.txt")
    result = world.apply([("app.infra", "app.storage.infra")])
    refused_in_one_line(result, "app/infra/shared.txt is a link to ../shared.txt")
    world.assert_unchanged()


CASE_CLASHES = {
    "beside a module": ({"app/core/Db.py": "X = 1\n"}, [("app.infra.db", "app.core.db")],
                        True, "'app/core/db.py' and 'app/core/Db.py'"),
    "beside a package": ({}, [("app.infra.db", "app.Core.db")], True,
                         "'app/Core' and 'app/core'"),
    "two targets": ({}, [("app.infra.db", "app.storage.Db"),
                         ("app.infra.cache", "app.storage.db")], True,
                    "'app/storage/Db.py' and 'app/storage/db.py'"),
    "renamed beside its facade": ({}, [("app.infra.db", "app.infra.Db")], True,
                                  "'app/infra/Db.py' and 'app/infra/db.py'"),
    "a data file beside one": (
        {"app/infra/Schema.sql": "create table a;\n", "app/storage/__init__.py": "",
         "app/storage/schema.sql": "create table b;\n"},
        MOVE_INFRA, False, "app/storage/Schema.sql would sit beside app/storage/schema.sql"),
}


@pytest.mark.parametrize("case", sorted(CASE_CLASHES))
def test_two_names_differing_only_in_case_are_refused(tmp_path: Path, case: str) -> None:
    files, moves, facades, needle = CASE_CLASHES[case]
    world = World(tmp_path)
    world.add(files)
    result = world.apply(moves, facades=facades)
    refused_in_one_line(result, needle)
    assert "differ" in result.stderr and "only in case" in result.stderr
    world.assert_unchanged()


DUNDER_TARGETS = {
    "a package's own file": ("app.infra.db", "app.storage.__init__", "'__init__' is the file"),
    "an existing package's file": ("app.infra.db", "app.core.__init__",
                                   "'__init__' is the file"),
    "a package moved onto one": ("app.infra", "app.__init__", "'__init__' is the file"),
    "the bytecode folder": ("app.infra.db", "app.__pycache__.db",
                            "'__pycache__' cannot name a package"),
    "an invented dunder": ("app.infra.db", "app.storage.__foo__",
                           "'__foo__' is a name Python reserves"),
    "a package as __main__": ("app.infra", "app.storage.__main__",
                              "a package named __main__"),
}


@pytest.mark.parametrize("case", sorted(DUNDER_TARGETS))
@pytest.mark.parametrize("git_repo", [True, False], ids=["git", "not under git"])
def test_a_dunder_target_is_refused(tmp_path: Path, case: str, git_repo: bool) -> None:
    source, target, needle = DUNDER_TARGETS[case]
    world = World(tmp_path, git_repo=git_repo)
    result = world.apply([(source, target)])
    refused_in_one_line(result, needle)
    world.assert_unchanged()


# -- moved whole ------------------------------------------------------------------------------


@pytest.mark.parametrize("facades", [True, False], ids=["facades", "no facades"])
def test_ignored_files_folders_and_links_move_with_their_package(
        tmp_path: Path, facades: bool) -> None:
    """Links to a file and to a folder outside the repo, a relative link inside the
    package, an ignored file and an ignored folder: at the new place, links with their
    text unchanged (never followed: the folder outside keeps its files)."""
    world = World(tmp_path)
    world.add({"app/infra/local.cfg": "secret = 1\n",
               "app/infra/data/big.bin": b"\x00\x01\x02",
               "app/infra/data/deeper/rows.csv": "a,b\n",
               "app/infra/real.txt": "real\n"},
              ignore="*.cfg\ndata/\nto_*\nalias.txt\n")
    infra = world.repo / "app/infra"
    (infra / "to_file").symlink_to(world.outside / "victim.txt")
    (infra / "to_folder").symlink_to(world.outside / "folder")
    (infra / "alias.txt").symlink_to("real.txt")
    result = world.apply(MOVE_INFRA, facades=facades)
    names = ["local.cfg", "data", "data/big.bin", "data/deeper", "data/deeper/rows.csv",
             "to_file", "to_folder", "alias.txt", "real.txt"]
    world.assert_moved_whole(result, {f"app/infra/{n}": f"app/storage/{n}" for n in names})
    assert (world.repo / "app/storage/alias.txt").read_text() == "real\n"
    # Still ignored where it landed: moving it added nothing to the index.
    assert git(world.repo, "status", "--porcelain", "--", "app/storage/to_folder") == ""


def test_bytecode_beside_the_sources_and_empty_folders_move_too(tmp_path: Path) -> None:
    world = World(tmp_path, git_repo=False)
    world.add({"app/infra/legacy.pyc": b"\x00bytecode"})
    (world.repo / "app/infra/empty").mkdir()
    (world.repo / "app/infra/data").mkdir()
    (world.repo / "app/infra/data/nothing_yet").mkdir()
    result = world.apply(MOVE_INFRA, facades=False)
    world.assert_moved_whole(result, {
        "app/infra/legacy.pyc": "app/storage/legacy.pyc",
        "app/infra/empty": "app/storage/empty",
        "app/infra/data/nothing_yet": "app/storage/data/nothing_yet"})
    assert not (world.repo / "app/infra").exists()


def test_a_module_renamed_in_case_alone_moves_without_facades(tmp_path: Path) -> None:
    """With no facade left at the old name, nothing is left to clash with."""
    world = World(tmp_path)
    result = world.apply([("app.infra.db", "app.infra.Db")], facades=False)
    world.assert_moved_whole(result, {"app/infra/db.py": "app/infra/Db.py"})


def test_a_module_moved_to_main_runs_with_python_m(tmp_path: Path) -> None:
    """`__main__` is the one dunder name a module may be given: what `python -m` runs."""
    world = World(tmp_path)
    world.add({"app/infra/cli.py": "from app.infra import db\n\nprint('db', db.DB)\n"})
    result = world.apply([("app.infra.cli", "app.storage.__main__")])
    assert result.returncode == 0, result.stderr
    ran = subprocess.run([sys.executable, "-m", "app.storage"], cwd=world.repo,
                         capture_output=True, text=True, check=False)
    assert ran.stdout == "db 1\n", ran.stderr


def test_a_killed_apply_recovers_links_as_links(tmp_path: Path) -> None:
    """Killed once everything is written: `recover` puts every link back where it was,
    with its text, and leaves none at the new place."""
    world = World(tmp_path)
    world.add({}, ignore="to_*\n")
    (world.repo / "app/infra/to_file").symlink_to(world.outside / "victim.txt")
    (world.repo / "app/infra/to_folder").symlink_to(world.outside / "folder")
    world.commit()
    plan = write_plan(tmp_path / "count.toml", MOVE_INFRA, packages=["app"], tiers=TIERS)
    steps = _steps_of_an_apply(tmp_path, plan)
    result = world.apply(MOVE_INFRA, env={KILL_SWITCH: str(steps.index("written") + 1)})
    assert result.returncode == -9, result.stderr
    recovered = cli(world.repo, "recover", ".")
    assert recovered.returncode == 0, recovered.stderr
    world.assert_unchanged()
    stats.bump("faults injected: SIGKILL during apply")


def _steps_of_an_apply(tmp_path: Path, plan: Path) -> list[str]:
    """The steps an apply of `plan` goes through, in a copy of the repo (for the kill
    switch, which counts them)."""
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(tmp_path / "repo"), str(copy)], check=True)
    steps: list[str] = []
    apply_plan(Workspace.open(copy, plan), ApplyOptions(verify=False, force=True),
               fault=steps.append)
    return steps


def test_bytecode_is_never_deleted_through_a_linked_cache_folder(tmp_path: Path) -> None:
    """Category 1: after the apply, stale bytecode of a moved module is deleted from its
    old `__pycache__`; one that is a link (to a folder outside) is left alone."""
    world = World(tmp_path)
    write_files(world.outside, {"db.cpython-311.pyc": b"someone else's bytecode"})
    (world.repo / "app/infra/__pycache__").symlink_to(world.outside)
    result = world.apply([("app.infra.db", "app.storage.db")])
    assert result.returncode == 0, result.stderr
    assert snapshot(world.outside) == world.outside_before
    assert (world.repo / "app/infra/__pycache__").is_symlink()
