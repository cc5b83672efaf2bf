"""How `apply` stages its moves in git: as `git mv` would for tracked files (so history
follows them), never adding a file the user did not track."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pyagent_workbench import gitrepo
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
        "M  pkg/a.py",  # rewritten in place, staged with the rest
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


def test_a_plain_commit_after_apply_records_a_tree_that_imports(tmp_path: Path) -> None:
    """Everything the apply changed is staged: a commit right after it, checked out
    fresh elsewhere, imports (before, only the moves were staged, and the committed
    `pkg/a.py` still imported the module from where it had gone)."""
    repo = make_repo(tmp_path / "repo", FILES)
    write_plan(tmp_path / "plan.toml", [("pkg.b", "pkg.core.b")], packages=["pkg"],
               facades=False)
    result = run("apply", tmp_path / "plan.toml", "--repo", repo, "--no-verify")
    assert result.code == 0, result.err
    assert sorted(git(repo, "status", "--porcelain").splitlines()) == sorted([
        "A  pkg/core/__init__.py", "M  pkg/a.py", "R  pkg/b.py -> pkg/core/b.py"])
    git(repo, "commit", "-q", "-m", "applied")
    fresh = tmp_path / "fresh"
    git(tmp_path, "clone", "-q", str(repo), str(fresh))
    imported = subprocess.run([sys.executable, "-c", "import pkg.a; print(pkg.a.A)"],
                              cwd=fresh, capture_output=True, text=True, check=False)
    assert imported.returncode == 0 and imported.stdout == "1\n", imported.stderr


def test_a_git_ignored_module_of_a_moved_package_moves_rewritten_and_stays_ignored(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {
        **FILES,
        ".gitignore": "local_settings.py\n",
        "pkg/data/local_settings.py": "from pkg.data import TABLE\nimport pkg.b\n",
    })
    write_plan(repo / "plan.toml", [("pkg.b", "pkg.core.b"), ("pkg.data", "pkg.core.data")],
               packages=["pkg"], facades=False)
    result = run("apply", repo / "plan.toml", "--no-verify")
    assert result.code == 0, result.err
    assert (repo / "pkg/core/data/local_settings.py").read_text() == (
        "from pkg.core.data import TABLE\nimport pkg.core.b\n")
    assert "pkg/core/data/local_settings.py" in git(
        repo, "status", "--porcelain", "--ignored")
    assert all("local_settings" not in line for line in staged(repo))


def _identified(repo: Path) -> Path:
    git(repo, "config", "user.name", "Apply Test")
    git(repo, "config", "user.email", "apply@example.com")
    return repo


@pytest.mark.parametrize("facades", [True, False], ids=["facades", "no-facades"])
def test_apply_commit_makes_the_moves_then_the_facades_commits(tmp_path: Path,
                                                               facades: bool) -> None:
    repo = _identified(make_repo(tmp_path / "repo", FILES))
    write_plan(repo / "plan.toml", [("pkg.b", "pkg.core.b"), ("pkg.data", "pkg.core.data")],
               packages=["pkg"], facades=facades)
    result = run("apply", repo / "plan.toml", "--commit")
    assert result.code == 0, result.out + result.err
    assert "committed: " in result.out
    subjects = git(repo, "log", "--format=%s").splitlines()
    assert subjects == (["Add facades at the old paths of 2 moved modules"] if facades
                        else []) + ["Move 2 modules into their tiers (plan.toml)", "initial"]
    moves_commit = "HEAD~1" if facades else "HEAD"
    renames = git(repo, "diff", "-M", "--name-status", f"{moves_commit}~1", moves_commit)
    assert "R100\tpkg/b.py\tpkg/core/b.py" in renames
    assert "R100\tpkg/data/table.csv\tpkg/core/data/table.csv" in renames
    assert git(repo, "log", "--follow", "--format=%s", "--", "pkg/core/b.py").splitlines()[
        -1] == "initial"
    if facades:
        added = git(repo, "show", "--name-status", "--format=", "HEAD").split("\n")
        assert sorted(line for line in added if line) == [
            "A\tpkg/b.py", "A\tpkg/data/__init__.py"]
    assert staged(repo) == ["?? plan.toml"]  # the plan is the user's to commit


def test_apply_commit_refused_with_allow_dirty_and_outside_git(tmp_path: Path) -> None:
    repo = _identified(make_repo(tmp_path / "repo", FILES))
    write_plan(repo / "plan.toml", [("pkg.b", "pkg.core.b")], packages=["pkg"])
    result = run("apply", repo / "plan.toml", "--commit", "--allow-dirty")
    assert result.code == 2 and "--commit" in result.err
    assert (repo / "pkg/b.py").read_text() == "B = 1\n"
    plain = make_repo(tmp_path / "plain", FILES, git_repo=False)
    write_plan(plain / "plan.toml", [("pkg.b", "pkg.core.b")], packages=["pkg"])
    result = run("apply", plain / "plan.toml", "--commit")
    assert result.code == 2 and "git work tree" in result.err


def test_a_commit_git_refuses_leaves_everything_staged(tmp_path: Path) -> None:
    repo = _identified(make_repo(tmp_path / "repo", FILES))
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'refused by the hook' >&2\nexit 1\n")
    hook.chmod(0o755)
    write_plan(repo / "plan.toml", [("pkg.b", "pkg.core.b")], packages=["pkg"])
    result = run("apply", repo / "plan.toml", "--commit")
    assert result.code == 1
    assert "not committed" in result.err and "refused by the hook" in result.err
    assert git(repo, "log", "--format=%s").splitlines() == ["initial"]
    assert staged(repo) == sorted(["?? plan.toml", "A  pkg/core/__init__.py",
                                   "A  pkg/core/b.py", "M  pkg/a.py", "M  pkg/b.py"])
    assert git(repo, "diff", "--name-only") == ""  # nothing left unstaged


def test_facades_remove_stages_its_removals(tmp_path: Path) -> None:
    repo = _identified(make_repo(tmp_path / "repo", {**FILES, "pkg/a.py": "A = 1\n"}))
    write_plan(repo / "plan.toml", [("pkg.b", "pkg.core.b")], packages=["pkg"])
    assert run("apply", repo / "plan.toml", "--commit").code == 0
    removed = run("facades", repo / "plan.toml", "--remove")
    assert removed.code == 0, removed.out + removed.err
    assert not (repo / "pkg/b.py").exists()
    assert staged(repo) == ["?? plan.toml", "D  pkg/b.py"]


def _objects(repo: Path) -> dict[str, int]:
    counts = dict(line.split(": ") for line in git(repo, "count-objects", "-v").splitlines())
    return {"loose": int(counts["count"]), "packed": int(counts["in-pack"])}


STAGING_FILES: dict[str, str | bytes] = {
    **FILES,
    "pkg/tool.py": "import pkg.b\n\nX = pkg.b.B\n",
    "pkg/data/run.sh": "#!/bin/sh\necho run\n",
    "pkg/data/crlf.py": b"from pkg import b\r\n\r\nC = b.B\r\n",
    "pkg/data/empty.py": "",
    "pkg/data/t\u00e2ble.txt": "caf\u00e9\n",
    "pkg/data/blob.bin": bytes(range(256)),
}


@pytest.mark.parametrize("setting", [
    "as shipped", "text=auto", "core.autocrlf", "a clean filter", "core.fileMode off"])
def test_the_index_holds_what_git_update_index_would_stage(tmp_path: Path,
                                                           setting: str) -> None:
    """The apply writes the new contents into one pack (`gitrepo._stage_through_a_pack`)
    where git would store each file as it is, else leaves it to `git update-index`
    (line-ending conversion, a filter, modes ignored): either way the index ends as
    git's own `update-index --add --remove` of the same paths leaves it, stat data
    included."""
    files = dict(STAGING_FILES)
    if setting == "text=auto":
        files[".gitattributes"] = "* text=auto\n"
    repo = make_repo(tmp_path / "repo", files)
    (repo / "pkg/data/run.sh").chmod(0o755)
    git(repo, "add", "--chmod=+x", "pkg/data/run.sh")
    if setting == "a clean filter":  # as git-lfs stores a pointer for the file
        (repo / ".gitattributes").write_text("*.txt filter=upper\n")
        git(repo, "config", "filter.upper.clean", "tr a-z A-Z")
        git(repo, "add", ".gitattributes", "--renormalize", ".")
    if setting == "core.autocrlf":
        git(repo, "config", "core.autocrlf", "true")
    if setting == "core.fileMode off":
        git(repo, "config", "core.fileMode", "false")
    git(repo, "commit", "-q", "-m", "more")
    git(repo, "config", "fastimport.unpackLimit", "1")  # a pack even for a few objects
    git(repo, "gc", "-q")
    write_plan(repo / "plan.toml", [("pkg.b", "pkg.core.b"), ("pkg.data", "pkg.core.data")],
               packages=["pkg"], facades=True)
    result = run("apply", repo / "plan.toml", "--no-verify")
    assert result.code == 0, result.err
    through_a_pack = setting in ("as shipped",)
    assert (_objects(repo)["loose"] == 0) == through_a_pack
    staged_entries = git(repo, "ls-files", "--stage")
    assert git(repo, "diff", "--name-only") == ""  # nothing unstaged: stat data is fresh
    changed = git(repo, "diff", "--cached", "--name-only", "--no-renames", "-z").split("\0")
    assert "pkg/core/data/run.sh" in changed and "pkg/tool.py" in changed
    git(repo, "read-tree", "HEAD")
    subprocess.run(["git", "-C", str(repo), "update-index", "--add", "--remove", "-z",
                    "--stdin"], input="\0".join(c for c in changed if c).encode() + b"\0",
                   check=True, capture_output=True)
    assert git(repo, "ls-files", "--stage") == staged_entries
    if setting != "core.fileMode off":  # (git takes a new path's mode as 644 then)
        assert "100755" in next(line for line in staged_entries.splitlines()
                                if line.endswith("pkg/core/data/run.sh"))


def test_a_path_whose_folder_became_a_file_is_staged_as_removed(tmp_path: Path) -> None:
    """A plan can empty a package folder and land a module at its name: the old paths
    under it are gone (their folder is a file now), as `update-index --remove` takes
    them."""
    repo = make_repo(tmp_path / "repo", {"pkg/__init__.py": "", "pkg/sub/__init__.py": "",
                                         "pkg/sub/mod.py": "X = 1\n"})
    (repo / "pkg/sub/mod.py").unlink()
    (repo / "pkg/sub/__init__.py").unlink()
    (repo / "pkg/sub").rmdir()
    (repo / "pkg/sub").write_text("a file where the folder was\n")
    (repo / "pkg/mod.py").write_text("X = 1\n")
    gitrepo.stage_moves(repo, [(["pkg/sub/mod.py"], "pkg/mod.py"),
                               (["pkg/sub/__init__.py"], "pkg/sub")], [])
    assert git(repo, "diff", "--cached", "--name-status", "--no-renames").split() == [
        "A", "pkg/mod.py", "A", "pkg/sub", "D", "pkg/sub/__init__.py", "D", "pkg/sub/mod.py"]
    assert git(repo, "diff", "--name-only") == ""


def test_contents_imported_ahead_are_staged_as_the_files_end(tmp_path: Path) -> None:
    """`start_blob_import` imports the bytes the apply means to write, while it writes
    them; the staging after reads the files as they are: one written as announced
    needs no object of its own, one that ended otherwise (or was left out) gets its own,
    and the index is what `update-index` alone makes of the tree."""
    repo = make_repo(tmp_path / "repo", {**FILES, "pkg/c.py": "C = 1\n"})
    git(repo, "config", "fastimport.unpackLimit", "1")  # a pack even for a few objects
    git(repo, "gc", "-q")
    moves = [(["pkg/b.py"], "pkg/core/b.py"), (["pkg/c.py"], "pkg/core/c.py"),
             (["pkg/a.py"], "pkg/a.py")]
    imported = gitrepo.start_blob_import(repo, moves, ["pkg/core/__init__.py"], {
        "pkg/core/b.py": b"B = 2\n", "pkg/core/c.py": b"announced, not written\n",
        "pkg/core/__init__.py": b"", "pkg/untracked.py": b"never staged\n"})
    assert imported is not None and imported.wait()
    assert _objects(repo)["loose"] == 0
    (repo / "pkg/core").mkdir()
    (repo / "pkg/b.py").rename(repo / "pkg/core/b.py")
    (repo / "pkg/core/b.py").write_text("B = 2\n")
    (repo / "pkg/c.py").rename(repo / "pkg/core/c.py")
    (repo / "pkg/core/c.py").write_text("C = 3\n")
    (repo / "pkg/core/__init__.py").write_text("")
    (repo / "pkg/a.py").write_text("from pkg.core import b\n")  # not announced
    gitrepo.stage_moves(repo, moves, ["pkg/core/__init__.py"], imported)
    staged_entries = git(repo, "ls-files", "--stage")
    assert git(repo, "diff", "--name-only") == ""
    assert _objects(repo)["loose"] == 2  # C = 3 and the new pkg/a.py
    git(repo, "read-tree", "HEAD")
    paths = ["pkg/a.py", "pkg/b.py", "pkg/c.py", "pkg/core/__init__.py", "pkg/core/b.py",
             "pkg/core/c.py"]
    subprocess.run(["git", "-C", str(repo), "update-index", "--add", "--remove", "-z", "--stdin"],
                   input="\0".join(paths).encode() + b"\0", check=True, capture_output=True)
    assert git(repo, "ls-files", "--stage") == staged_entries
    blobs = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch"],
                           check=True, capture_output=True).stdout
    assert b"never staged" not in blobs and b"announced, not written" in blobs


def test_an_import_stopped_leaves_no_process(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    imported = gitrepo.start_blob_import(repo, [(["pkg/b.py"], "pkg/core/b.py")], [], {
        "pkg/core/b.py": b"B = 2\n" * 200_000})
    assert imported is not None and imported.process is not None
    imported.stop()
    assert imported.process.returncode is not None and not imported.wait()
