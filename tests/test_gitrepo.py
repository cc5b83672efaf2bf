"""The git adapter: its questions answer relative to the directory asked about (which may be
a subdirectory of the work tree), and nothing outside a work tree."""

from __future__ import annotations

from pathlib import Path

from pyagent_workbench import gitrepo
from support.repos import git, make_repo

FILES: dict[str, str | bytes] = {
    "README.md": "top\n",
    ".gitignore": "build/\n*.log\n",
    "proj/pkg/__init__.py": "",
    "proj/pkg/a.py": "A = 1\n",
    "proj/pkg/b.py": "B = 1\n",
}


def test_outside_a_work_tree_every_question_answers_nothing(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain/build").mkdir()
    plain = tmp_path / "plain"
    assert gitrepo.toplevel(plain) is None
    assert not gitrepo.is_work_tree(plain)
    assert gitrepo.unignored_files(plain) is None
    assert gitrepo.ignored_dirs(plain, plain) == set()
    assert gitrepo.dirty_paths(plain) == []
    assert gitrepo.index_path(plain) is None
    assert gitrepo.submodules(plain) == set()


def test_files_and_ignored_dirs_are_relative_to_a_subdirectory(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    sub = repo / "proj"
    (sub / "pkg/new.py").write_text("N = 1\n")  # untracked, not ignored: listed
    (sub / "debug.log").write_text("x\n")  # ignored: not listed
    (sub / "build").mkdir()
    (sub / "build/out.py").write_text("")
    assert gitrepo.toplevel(sub) == repo.resolve()
    assert sorted(gitrepo.unignored_files(sub) or []) == [
        "pkg/__init__.py", "pkg/a.py", "pkg/b.py", "pkg/new.py"]
    assert gitrepo.ignored_dirs(sub, sub) == {"build"}


def test_a_project_unpacked_in_an_ignored_directory_is_walked_not_listed_by_git(
        tmp_path: Path) -> None:
    # A project downloaded into another repository's ignored build/ (or a cache): git
    # lists none of its files, so the tool walks it as a plain directory.
    from pyagent_workbench.repo import Repo
    repo = make_repo(tmp_path / "repo", FILES)
    unpacked = repo / "build/proj"
    (unpacked / "pkg").mkdir(parents=True)
    (unpacked / "pkg/__init__.py").write_text("")
    (unpacked / "pkg/a.py").write_text("A = 1\n")
    assert gitrepo.toplevel(unpacked) == repo.resolve()
    assert not gitrepo.is_work_tree(unpacked)
    assert gitrepo.is_work_tree(repo / "proj")
    walked = Repo(unpacked, source_root=".", packages=["pkg"])
    assert not walked.is_git
    assert sorted(walked.modules) == ["pkg", "pkg.a"]


def test_submodules_are_listed_relative_to_a_subdirectory_checked_out_or_not(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    library = make_repo(tmp_path / "library", {"README": "a library\n"})
    for path in ("proj/pkg/vendor", "elsewhere/vendor"):
        git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q",
            str(library), path)
    assert gitrepo.submodules(repo / "proj") == {"pkg/vendor"}
    git(repo, "commit", "-q", "-m", "submodules")
    git(repo, "submodule", "deinit", "-q", "-f", "proj/pkg/vendor")
    assert gitrepo.submodules(repo / "proj") == {"pkg/vendor"}
    assert gitrepo.submodules(tmp_path / "library") == set()


def test_dirty_paths_lists_changed_tracked_files_and_the_new_path_of_a_rename(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    sub = repo / "proj"
    assert gitrepo.dirty_paths(sub) == []
    (sub / "pkg/a.py").write_text("A = 2\n")
    (sub / "pkg/untracked.py").write_text("")
    git(repo, "mv", "proj/pkg/b.py", "proj/pkg/c.py")
    assert sorted(gitrepo.dirty_paths(sub)) == ["pkg/a.py", "pkg/c.py"]


def test_stage_moves_stages_tracked_moves_as_renames_and_adds_created_files(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    sub = repo / "proj"
    (sub / "pkg/scratch.py").write_text("S = 1\n")  # never tracked
    (sub / "pkg/core").mkdir()
    for name in ("b.py", "scratch.py"):
        (sub / "pkg" / name).rename(sub / "pkg/core" / name)
    (sub / "pkg/core/__init__.py").write_text("")
    index = gitrepo.index_path(sub)
    assert index is not None and index.is_file()
    gitrepo.stage_moves(sub, [(["pkg/b.py"], "pkg/core/b.py"),
                              (["pkg/scratch.py"], "pkg/core/scratch.py")],
                        ["pkg/core/__init__.py"])
    status = sorted(git(repo, "status", "--porcelain", "--untracked-files=all").splitlines())
    assert status == ["?? proj/pkg/core/scratch.py",
                      "A  proj/pkg/core/__init__.py",
                      "R  proj/pkg/b.py -> proj/pkg/core/b.py"]
