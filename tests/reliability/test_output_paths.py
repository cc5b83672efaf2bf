"""Issue 15, category 1 (output paths) and category 6 (values out of range): every file
the user asks for (`suggest -o`, `report -o` and the SVG beside it, the workbench's
export) is written whole through a fresh temporary file, or refused in one line when the
path is a link, a folder, a FIFO, or cannot be written; the link's target and everything
else are left byte-identical. Before: a folder was an internal error, a link was
silently replaced by a file (with the link's mode, 0777), and `report` wrote through the
link into the file it pointed to. A number out of range on the command line (`serve
--port 99999`, `--resolution nan`) is a one-line error, not a traceback or a silent
nonsense run. Real processes, real links and FIFOs."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from pyagent_workbench.errors import OutputError
from pyagent_workbench.session import Session
from support.plans import write_plan
from support.repos import make_repo

from . import stats
from .processes import APP, SCRIPT, cli, entries, refused_in_one_line

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", APP)


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    return write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the repo and the output folder that a link points to."""
    path = tmp_path / "elsewhere" / "victim.txt"
    path.parent.mkdir()
    path.write_text("someone else's file\n")
    return path


def _link(victim: Path) -> Callable[[Path], str]:
    def make(path: Path) -> str:
        path.symlink_to(victim)
        return "is a symbolic link"
    return make


def _dangling(path: Path) -> str:
    path.symlink_to(path.parent / "nowhere" / "file")
    return "is a symbolic link"


def _folder(path: Path) -> str:
    path.mkdir()
    return "is a folder"


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return "is not a regular file"


def _missing_folder(path: Path) -> str:
    return "does not exist"


SHAPES = {"link": None, "dangling link": _dangling, "folder": _folder, "fifo": _fifo}


def _shape(name: str, victim: Path) -> Callable[[Path], str]:
    return _link(victim) if name == "link" else SHAPES[name]  # type: ignore[return-value]


@pytest.mark.parametrize("shape", [*SHAPES, "missing folder"])
def test_suggest_output_that_is_not_a_writable_file_is_refused(
        tmp_path: Path, repo: Path, victim: Path, shape: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / ("sub" if shape == "missing folder" else "") / "plan.toml"
    needle = _missing_folder(target) if shape == "missing folder" else \
        _shape(shape, victim)(target)
    before = entries(repo, out, victim.parent)
    result = cli(repo, "suggest", ".", "-o", target, timeout=120)
    stats.bump("bad inputs tried")
    refused_in_one_line(result, needle)
    assert entries(repo, out, victim.parent) == before


@pytest.mark.parametrize("which", ["report", "svg"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_report_never_writes_through_a_link_or_into_a_special_file(
        tmp_path: Path, repo: Path, plan: Path, victim: Path, which: str, shape: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    report = out / "phase1.md"
    taken = report if which == "report" else out / "phase1-matrix.svg"
    needle = _shape(shape, victim)(taken)
    before = entries(repo, out, victim.parent)
    result = cli(repo, "report", plan, "--repo", ".", "-o", report, "--no-diff", timeout=120)
    stats.bump("bad inputs tried")
    refused_in_one_line(result, needle)
    assert entries(repo, out, victim.parent) == before


def test_report_beside_a_plan_whose_report_name_is_a_committed_link(
        tmp_path: Path, victim: Path) -> None:
    """The default place (`PLAN-report.md` beside the plan) inside a repository that
    commits a link under that name."""
    repo = make_repo(tmp_path / "repo", APP, git_repo=False)
    plan = write_plan(repo / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    (repo / "plan-report.md").symlink_to(victim)
    before = entries(repo, victim.parent)
    result = cli(repo, "report", plan, "--no-diff", timeout=120)
    stats.bump("bad inputs tried")
    refused_in_one_line(result, "is a symbolic link")
    assert entries(repo, victim.parent) == before


def test_output_files_are_written_whole_with_an_ordinary_mode(
        tmp_path: Path, repo: Path, plan: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert cli(repo, "suggest", ".", "-o", out / "plan.toml", timeout=120).returncode == 0
    done = cli(repo, "report", plan, "--repo", ".", "-o", out / "r.md", "--no-diff",
               timeout=120)
    assert done.returncode == 0, done.stderr
    for name in ("plan.toml", "r.md", "r-matrix.svg"):
        mode = stat.S_IMODE((out / name).stat().st_mode)
        assert mode & 0o022 == 0 and mode & 0o111 == 0, (name, oct(mode))
    assert sorted(p.name for p in out.iterdir()) == ["plan.toml", "r-matrix.svg", "r.md"]


def test_the_workbench_export_refuses_a_link_and_keeps_its_target(
        tmp_path: Path, repo: Path, plan: Path, victim: Path) -> None:
    session = Session.open(repo, plan_path=plan)
    export = tmp_path / "exported.toml"
    export.symlink_to(victim)
    kept = victim.read_bytes()
    with pytest.raises(OutputError, match="is a symbolic link"):
        session.save(export)
    with pytest.raises(OutputError, match="is a folder"):
        session.save(tmp_path)
    stats.bump("bad inputs tried", 2)
    assert victim.read_bytes() == kept and export.is_symlink()


@pytest.mark.parametrize("args", [
    ("serve", ".", "--port", "99999"),
    ("serve", ".", "--port", "0"),
    ("serve", ".", "--port", "-1"),
    ("serve", ".", "--port", "http"),
    ("suggest", ".", "--tiers", "0"),
    ("suggest", ".", "--tiers", "-3"),
    ("suggest", ".", "--tiers", "99999999999999999999"),
    ("suggest", ".", "--resolution", "nan"),
    ("suggest", ".", "--resolution", "inf"),
    ("suggest", ".", "--resolution", "-1"),
    ("suggest", ".", "--resolution", "0"),
    ("suggest", ".", "--seed", "-1"),
    ("suggest", ".", "--seed", str(2**64)),
])
def test_numbers_out_of_range_are_one_line_errors(repo: Path, args: tuple[str, ...]) -> None:
    result = cli(repo, *args, timeout=60)
    stats.bump("bad inputs tried")
    refused_in_one_line(result, f"argument {args[2]}")
    assert result.stdout == ""
