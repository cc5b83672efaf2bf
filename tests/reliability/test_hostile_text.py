"""Issue 15, category 7 (the command line): text from the repository or the plan is shown
as text. A comment holding escape sequences (colours, a hyperlink, a bidirectional
override) reached the terminal raw through `edges`; now every line printed for a person
shows them escaped (`\\x1b`), in `edges`, `check`, warnings and errors. `diff` is data
(a patch another tool applies): raw through a pipe, escaped on a terminal. Real
processes, a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest
from pyagent_workbench.display import printable
from support.plans import write_plan
from support.repos import make_repo

from . import stats
from .processes import SCRIPT

HOSTILE = "\x1b[31mRED\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07 \u202etxt.exe [/] [b]"

FILES: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/base.py": "BASE = 1\n",
    "app/infra/__init__.py": "",
    "app/infra/db.py": f"from app.core import base  # {HOSTILE}\n\nX = base.BASE\n",
}


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    repo = make_repo(tmp_path / "repo", FILES)
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db"),
                                               ("app.core", "app.common.core")],
                      packages=["app"], tiers=[("storage", "app.storage"),
                                               ("common", "app.common")])
    return repo, plan


def cli(cwd: Path, *args: object, tty: bool = False) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "200"}
    if not tty:
        done = subprocess.run([str(SCRIPT), *map(str, args)], cwd=cwd, env=env,
                              capture_output=True, text=True, check=False, timeout=120)
        return done.returncode, done.stdout, done.stderr
    main, child = pty.openpty()
    process = subprocess.Popen([str(SCRIPT), *map(str, args)], cwd=cwd, env=env,
                               stdout=child, stderr=subprocess.PIPE, text=True)
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    stderr = process.stderr.read() if process.stderr else ""
    return process.wait(timeout=120), b"".join(chunks).decode(errors="replace"), stderr


def raw_controls(text: str) -> set[str]:
    return {c for c in text if c in "\x1b\x07\u202e"}


def test_edges_and_check_show_control_characters_escaped(world: tuple[Path, Path]) -> None:
    repo, plan = world
    for args in (["edges", plan, "--repo", "."], ["check", plan, "--repo", "."]):
        code, out, err = cli(repo, *args)
        stats.bump("bad inputs tried")
        assert code in (0, 1), err
        assert not raw_controls(out + err)
    code, out, _ = cli(repo, "edges", plan, "--repo", ".")
    assert printable(HOSTILE) in out and "\\x1b[31mRED" in out


def test_diff_is_raw_through_a_pipe_and_escaped_on_a_terminal(
        world: tuple[Path, Path]) -> None:
    repo, plan = world
    code, piped, err = cli(repo, "diff", plan, "--repo", ".")
    stats.bump("bad inputs tried")
    assert code == 0, err
    assert HOSTILE in piped  # a patch keeps the file's bytes
    code, shown, err = cli(repo, "diff", plan, "--repo", ".", tty=True)
    assert code == 0, err
    assert "\\x1b[31mRED" in shown and not raw_controls(shown)


def test_an_error_naming_hostile_text_is_escaped(world: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    repo, _ = world
    plan = tmp_path / "bad.toml"
    plan.write_text('schema = 1\nstatus = "draft"\n\n[repo]\nsource_root = "."\n'
                    'packages = ["app"]\n\n[[tiers]]\nname = "x\\u001b[2Jy"\n'
                    'package = "app.x"\n', encoding="utf-8")
    code, out, err = cli(repo, "check", plan, "--repo", ".")
    stats.bump("bad inputs tried")
    assert code == 2, out + err
    assert "\\x1b[2J" in err and not raw_controls(out + err)


@pytest.mark.parametrize("separator", ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85",
                                       "\u2028", "\u2029"])
def test_a_patch_splits_lines_where_git_does(tmp_path: Path, separator: str) -> None:
    """Python's `str.splitlines` also breaks at a form feed, a vertical tab, the file,
    group and record separators, NEL and the Unicode line and paragraph separators; git
    and CPython break only at `\\n`. A rewritten file holding one (a form feed between
    sections is common in old code) got a patch with lines cut in two and a "No newline
    at end of file" in its middle, which `git apply` refused."""
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    text = f"from app.core import base  # one{separator}two\n\nX = base.BASE  # {separator}\n"
    repo = make_repo(tmp_path / "repo", {**FILES, "app/infra/db.py": text})
    plan = write_plan(tmp_path / "plan.toml", [("app.core", "app.common.core")],
                      packages=["app"], tiers=[("common", "app.common")])
    code, patch, err = cli(repo, "diff", plan, "--repo", ".")
    stats.bump("bad inputs tried")
    assert code == 0, err
    assert "No newline at end of file" not in patch
    applied = subprocess.run(["git", "apply", "--check", "-"], cwd=repo, input=patch,
                             text=True, capture_output=True, check=False)
    assert applied.returncode == 0, applied.stderr + patch
