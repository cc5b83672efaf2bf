"""How `apply` stages its moves in git: as `git mv` would for tracked files (so history
follows them), never adding a file the user did not track."""

from __future__ import annotations

from pathlib import Path

from support.cli import run
from support.plans import write_plan
from support.repos import git, make_repo

FILES: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/a.py": "from pkg import b\n\nA = b.B\n",
    "pkg/b.py": "B = 1\n",
    "pkg/data/__init__.py": "\"\"\"Tables.\"\"\"\n",
    "pkg/data/table.csv": "x,y\n",
    ".gitignore": "build/\n",
}


def staged(repo: Path) -> list[str]:
    return sorted(git(repo, "status", "--porcelain", "--untracked-files=all").splitlines())


def test_tracked_moves_are_staged_as_renames_and_untracked_files_stay_untracked(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    (repo / "pkg/scratch.py").write_text("S = 1\n")  # never added to git
    write_plan(repo / "plan.toml", [("pkg.b", "pkg.core.b"), ("pkg.data", "pkg.core.data"),
                                    ("pkg.scratch", "pkg.core.scratch")],
               packages=["pkg"], facades=False)
    result = run("apply", repo / "plan.toml", "--no-verify")
    assert result.code == 0, result.err
    assert staged(repo) == sorted([
        " M pkg/a.py",  # rewritten in place: left for the user to stage
        "A  pkg/core/__init__.py",  # created by the apply
        "R  pkg/b.py -> pkg/core/b.py",
        "R  pkg/data/__init__.py -> pkg/core/data/__init__.py",
        "R  pkg/data/table.csv -> pkg/core/data/table.csv",
        "?? pkg/core/scratch.py",  # was untracked, stays untracked
        "?? plan.toml",
    ])
    git(repo, "commit", "-q", "-m", "moved")
    assert git(repo, "log", "--follow", "--format=%s", "--", "pkg/core/b.py").split() == [
        "moved", "initial"]


def test_a_tracked_file_moved_into_an_ignored_directory_stays_tracked(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    write_plan(repo / "plan.toml", [("pkg.b", "pkg.build.b")], packages=["pkg"],
               facades=False)  # .gitignore ignores every build/ directory
    result = run("apply", repo / "plan.toml", "--no-verify")
    assert result.code == 0, result.err
    assert "R  pkg/b.py -> pkg/build/b.py" in staged(repo)
