"""Issue 15, category 3: `facades --remove` never deletes the user's work.

It removes only a facade byte-identical to what `apply` wrote (an edited one is kept and
named), refuses a git tree with uncommitted changes as `apply` does, removes through the
journal (a kill half-way, then `recover`, gives every facade back), and counts as a use
every mention of the old path outside Python too: a shell script, a Makefile, a
Dockerfile, CI and tool configuration, `python -m old.path` in any text, a pickle.

Each case starts from a real apply (the console script, facades on) of `app.infra` to
`app.storage`, committed, then changes the tree and runs the console script again."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pyagent_workbench.rewrite.journal import KILL_SWITCH
from support.plans import write_plan
from support.repos import git, make_repo, tree_digest

from . import stats
from .processes import APP, SCRIPT, cli, refused_in_one_line

FILES: dict[str, str | bytes] = {
    **APP,
    "app/infra/db.py": "import app.core.util\n\nDB = app.core.util.U\n\n\n"
                       "class Record:\n    pass\n",
}
"""processes.APP, with a class in `app.infra.db` for a pickle to name."""

FACADES = ["app/infra/__init__.py", "app/infra/cache.py", "app/infra/db.py"]
"""What the apply leaves at the old paths: a package facade and two module facades."""


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A repo where `app.infra` moved to `app.storage` with facades, committed; and its
    plan (outside the repo)."""
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    base = tmp_path_factory.mktemp("facades-remove")
    repo = make_repo(base / "repo", FILES)
    plan = write_plan(base / "plan.toml", [("app.infra", "app.storage")], packages=["app"],
                      tiers=[("storage", "app.storage")])
    result = cli(repo, "apply", plan, "--repo", ".", "--no-verify", "--force")
    assert result.returncode == 0, result.stdout + result.stderr
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "app.infra moved to app.storage")
    return repo, plan


def copy_of(applied: tuple[Path, Path], tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(applied[0], repo, symlinks=True)
    return repo


def commit(repo: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, newline="")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "after the apply")


def remove(repo: Path, plan: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return cli(repo, "facades", plan, "--repo", ".", "--remove", env=env, timeout=120)


# -- an edited facade is kept ------------------------------------------------------------


def _add_a_line(text: str) -> str:
    return text + "OPS_OVERRIDE = True  # the ops team relies on this\n"


def _change_a_word(text: str) -> str:
    return text.replace("import it from there", "import it from the new place", 1)


def _drop_the_last_newline(text: str) -> str:
    return text.removesuffix("\n")


def _route_a_submodule(text: str) -> str:
    return text.replace("_MOVED_APART = {}",
                        "_MOVED_APART = {'app.infra.legacy': 'app.core.util'}", 1)


EDITS = {
    "a line added": ("app/infra/cache.py", _add_a_line),
    "a word changed": ("app/infra/cache.py", _change_a_word),
    "the last newline removed": ("app/infra/cache.py", _drop_the_last_newline),
    "the package facade routes a submodule": ("app/infra/__init__.py", _route_a_submodule),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_facade_is_kept_and_named_while_untouched_ones_go(
        applied: tuple[Path, Path], tmp_path: Path, edit: str) -> None:
    repo = copy_of(applied, tmp_path)
    edited, change = EDITS[edit]
    text = (repo / edited).read_text()
    assert change(text) != text
    commit(repo, {edited: change(text)})
    mine = (repo / edited).read_bytes()
    result = remove(repo, applied[1])
    stats.bump("bad inputs tried")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / edited).read_bytes() == mine
    assert any(line.startswith(f"kept {edited}") for line in result.stdout.splitlines()), (
        result.stdout)
    untouched = [f for f in FACADES if f != edited and f != "app/infra/__init__.py"]
    for facade in untouched:
        assert not (repo / facade).exists(), result.stdout
        assert f"removed {facade}" in result.stdout


def test_untouched_facades_all_go(applied: tuple[Path, Path], tmp_path: Path) -> None:
    """The other side of the test above: nothing edited, nothing used, nothing kept (the
    now empty old package directory goes too)."""
    repo = copy_of(applied, tmp_path)
    result = remove(repo, applied[1])
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (repo / "app/infra").exists()
    assert "3 facades removed, 0 kept" in result.stdout


# -- a dirty tree is refused ----------------------------------------------------------------


@pytest.mark.parametrize("staged", [False, True], ids=["unstaged", "staged"])
def test_a_dirty_tree_is_refused_in_one_line_with_nothing_removed(
        applied: tuple[Path, Path], tmp_path: Path, staged: bool) -> None:
    repo = copy_of(applied, tmp_path)
    base = repo / "app/core/base.py"
    base.write_text(base.read_text() + "WORK_IN_PROGRESS = 1\n")
    if staged:
        git(repo, "add", "app/core/base.py")
    before = tree_digest(repo)
    result = remove(repo, applied[1])
    stats.bump("bad inputs tried")
    refused_in_one_line(result, "uncommitted changes (app/core/base.py)")
    assert tree_digest(repo) == before


def test_the_plan_being_edited_and_untracked_files_are_no_uncommitted_changes(
        applied: tuple[Path, Path], tmp_path: Path) -> None:
    """As for `apply`: the plan file in the repo may be dirty (the workbench saves it),
    and files git does not track are not changes to the tree."""
    repo = copy_of(applied, tmp_path)
    plan = repo / "plan.toml"
    shutil.copy(applied[1], plan)
    commit(repo, {})
    plan.write_text(plan.read_text() + "# reviewed again\n")
    (repo / "notes.txt").write_text("untracked\n")
    result = cli(repo, "facades", "plan.toml", "--remove", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (repo / "app/infra").exists()


# -- uses outside Python -------------------------------------------------------------------


USES: dict[str, tuple[str, str, int]] = {
    # case: (file, content, line of the use)
    "shell script": ("deploy/serve.sh",
                     "#!/bin/sh\nset -e\nexec python -W ignore -m app.infra.db --serve\n", 3),
    "shell script without suffix, by file path": (
        "bin/serve", "#!/bin/sh\n# serve the database\nexec python3 ./app/infra/db.py\n", 3),
    "Makefile": ("Makefile", "all: worker\n\nworker:\n\tcelery -A app.infra.db worker\n", 4),
    "Dockerfile": ("Dockerfile",
                   'FROM python:3.11-slim\nCOPY . /srv\nCMD ["gunicorn", "app.infra.db:DB"]\n',
                   3),
    "GitHub workflow": (".github/workflows/ci.yml",
                        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                        "      - run: pytest --cov=app.infra.db\n", 6),
    "YAML config": ("conf/logging.yaml",
                    "version: 1\nhandlers:\n  records:\n    class: app.infra.db.Record\n", 4),
    "TOML config": ("conf/worker.toml", '[worker]\n# the app object\napp = "app.infra.db:DB"\n',
                    3),
    "INI config": ("conf/uwsgi.ini", "[uwsgi]\nmodule = app.infra.db:DB\n", 2),
    "python -m in a text file": ("docs/RUNNING.txt",
                                 "How to run\n\nStart it with python -m app.infra.db and "
                                 "wait.\n", 3),
    "Markdown code block": ("README.md",
                            "# Service\n\nThe database layer.\n\n```sh\n"
                            "gunicorn app.infra.db:DB\n```\n", 6),
}


@pytest.mark.parametrize("case", [*USES, "pickle"])
def test_a_use_outside_python_keeps_the_facade(applied: tuple[Path, Path], tmp_path: Path,
                                               case: str) -> None:
    repo = copy_of(applied, tmp_path)
    if case == "pickle":
        name, content, line = "tests/data/record.pickle", pickled_record(tmp_path), None
    else:
        name, content, line = USES[case]
    commit(repo, {name: content})
    listing = cli(repo, "facades", applied[1], "--repo", ".", "--list", "--json")
    assert listing.returncode == 0, listing.stderr
    facades = {f["old"]: f for f in json.loads(listing.stdout)["facades"]}
    uses = [(u["path"], u["line"]) for u in facades["app.infra.db"]["uses"]]
    assert [u for u in uses if u[0] == name], uses
    if line is not None:
        assert (name, line) in uses

    result = remove(repo, applied[1])
    stats.bump("bad inputs tried")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / "app/infra/db.py").is_file(), result.stdout
    assert (repo / "app/infra/__init__.py").is_file(), result.stdout
    assert not (repo / "app/infra/cache.py").exists(), result.stdout


def pickled_record(tmp_path: Path) -> bytes:
    """`app.infra.db.Record()` pickled by the real module (default protocol), as a test
    fixture committed before the move would hold it."""
    before = make_repo(tmp_path / "before", FILES, git_repo=False)
    made = subprocess.run(
        [sys.executable, "-c",
         "import pickle, sys\nfrom app.infra.db import Record\n"
         "sys.stdout.buffer.write(pickle.dumps(Record()))"],
        cwd=before, capture_output=True, check=True,
        env={"PYTHONPATH": str(before), "PYTHONDONTWRITEBYTECODE": "1"})
    assert b"app.infra.db" in made.stdout
    return made.stdout


NOT_USES: dict[str, tuple[str, str]] = {
    "prose in a Markdown document": (
        "docs/MIGRATION.md", "# Migration\n\n`app.infra.db` moved to `app.storage.db`; "
                             "see app/infra/db.py for the facade.\n"),
    "a comment in a shell script": ("deploy/serve.sh",
                                    "#!/bin/sh\n# app.infra.db was served from here\n"
                                    "exec python -m app.storage.db\n"),
    "another plan of this tool": ("phase2.toml",
                                  'schema = 1\nstatus = "draft"\n\n[[moves]]\n'
                                  'source = "app.infra.db"\ntarget = "app.storage.db"\n'),
}


@pytest.mark.parametrize("case", list(NOT_USES))
def test_a_mention_that_runs_nothing_does_not_keep_the_facade(
        applied: tuple[Path, Path], tmp_path: Path, case: str) -> None:
    """The counterpart of the uses above: prose, comments and this tool's own plans name
    the old path without needing it, so they do not keep the facade forever."""
    repo = copy_of(applied, tmp_path)
    name, content = NOT_USES[case]
    commit(repo, {name: content})
    result = remove(repo, applied[1])
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (repo / "app/infra/db.py").exists(), result.stdout


# -- a crash half-way is recovered -------------------------------------------------------

REMOVAL_STEPS = 2 * len(FACADES) + 1
"""A backup per facade, a removal per facade, and the emptied `app/infra/` directory."""


@pytest.mark.parametrize("step", range(1, REMOVAL_STEPS + 1))
def test_a_kill_during_removal_then_recover_gives_the_facades_back(
        applied: tuple[Path, Path], tmp_path: Path, step: int) -> None:
    repo = copy_of(applied, tmp_path)
    before = tree_digest(repo)
    killed = remove(repo, applied[1], **{KILL_SWITCH: str(step)})
    stats.bump("faults injected: SIGKILL during facades --remove")
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    recovered = cli(repo, "recover", ".")
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert tree_digest(repo) == before
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""
    again = remove(repo, applied[1])
    assert again.returncode == 0, again.stdout + again.stderr
    assert not (repo / "app/infra").exists()
