"""Safety rules: analysis never executes the analysed repo's code, and nothing is written
outside the repo and its `.pyagent-workbench/` folder.

Every module of the repo here (and its conftest.py, setup.py, noxfile.py, __main__.py)
leaves a marker file when it is executed. `suggest`, `edges`, `check`, `diff` and
`apply --no-verify` must leave none; `verify` (and `apply`, which verifies) import every
module and collect the tests (the conftest.py runs), so they may, and say so on stderr.
The commands run as real processes (the installed console script, from inside the repo)
with HOME and TMPDIR pointed at watched folders; a sentinel folder beside the repo and
the folder holding the plan are watched too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.plans import write_plan
from support.repos import make_repo, tree_digest

from . import stats

SCRIPT = Path(sys.executable).with_name("pyagent-workbench")


def marked(marks: Path, body: str) -> str:
    """Module source that leaves a marker in `marks` whenever it is executed."""
    return (f"import os as _os\n"
            f"with open(_os.path.join({str(marks)!r}, __name__ + '.' + str(_os.getpid())),"
            f" 'a') as _mark:\n    _mark.write('executed')\n{body}")


def hostile_repo(root: Path, marks: Path) -> Path:
    files: dict[str, str | bytes] = {
        "app/__init__.py": marked(marks, ""),
        "app/core/__init__.py": marked(marks, "from .base import BASE\n"),
        "app/core/base.py": marked(marks, "BASE = 1\n"),
        "app/core/util.py": marked(marks, "from app.core.base import BASE\n\nU = BASE\n"),
        "app/infra/__init__.py": marked(marks, ""),
        "app/infra/db.py": marked(marks, "import app.core.util\n\nDB = app.core.util.U\n"),
        "app/infra/cache.py": marked(marks, "from app.infra import db\n\nC = db.DB\n"),
        "app/infra/web.py": marked(marks, "from ..core import base\n\nW = base.BASE\n"),
        "app/__main__.py": marked(marks, ""),
        "conftest.py": marked(marks, ""),
        "setup.py": marked(marks, "raise SystemExit('setup.py must never run')\n"),
        "noxfile.py": marked(marks, ""),
        "sitecustomize.py": marked(marks, ""),
        "tests/test_app.py": marked(marks, "import app.infra.db\n"),
    }
    return make_repo(root, files)


def snapshot(*folders: Path) -> dict[str, dict[str, str]]:
    return {str(f): tree_digest(f) if f.exists() else {} for f in folders}


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / name for name in ("marks", "home", "tmp", "sentinel", "plans")}
    for path in paths.values():
        path.mkdir()
    (paths["sentinel"] / "keep.txt").write_text("untouched\n")
    (paths["home"] / ".gitconfig").write_text("[user]\n\tname = Test\n\temail = t@e.st\n")
    paths["repo"] = hostile_repo(tmp_path / "repo", paths["marks"])
    paths["plan"] = write_plan(paths["plans"] / "plan.toml",
                               [("app.infra.db", "app.storage.db"),
                                ("app.core", "app.base.core")],
                               packages=["app"], facades=True,
                               tiers=[("storage", "app.storage")])
    return paths


def cli(world: dict[str, Path], *args: object) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(world["home"]),
           "TMPDIR": str(world["tmp"]), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([str(SCRIPT), *map(str, args)], cwd=world["repo"], env=env,
                          capture_output=True, text=True, check=False, timeout=300)


def executed(world: dict[str, Path]) -> list[str]:
    return sorted(p.name.rsplit(".", 1)[0] for p in world["marks"].iterdir())


def repo_files(world: dict[str, Path]) -> dict[str, str]:
    return {p: d for p, d in tree_digest(world["repo"]).items() if "__pycache__" not in p}


ANALYSIS = [
    ("suggest", ["suggest", ".", "--tiers", "2", "--container", "app"]),
    ("edges", ["edges", "{plan}", "--repo", "."]),
    ("check", ["check", "{plan}", "--repo", ".", "--format", "json"]),
    ("diff", ["diff", "{plan}", "--repo", "."]),
    ("diff --stat --json", ["diff", "{plan}", "--repo", ".", "--stat", "--json"]),
    ("apply --no-verify", ["apply", "{plan}", "--repo", ".", "--no-verify"]),
]


@pytest.mark.parametrize("name, args", ANALYSIS, ids=[a[0] for a in ANALYSIS])
def test_analysis_never_executes_the_repo(world: dict[str, Path], name: str,
                                          args: list[str]) -> None:
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    watched = snapshot(world["home"], world["tmp"], world["sentinel"], world["plans"])
    before = repo_files(world)
    result = cli(world, *[a.format(plan=world["plan"]) for a in args])
    stats.bump("safety checks")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert executed(world) == [], f"{name} executed the repo's code"
    assert "execute" not in result.stderr, result.stderr
    assert snapshot(world["home"], world["tmp"], world["sentinel"], world["plans"]) == watched
    if name != "apply --no-verify":
        assert repo_files(world) == before, f"{name} changed the repo"
    else:
        assert (world["repo"] / "app/storage/db.py").is_file()


def test_verify_executes_the_repo_and_says_so(world: dict[str, Path]) -> None:
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    watched = snapshot(world["home"], world["tmp"], world["sentinel"], world["plans"])
    applied = cli(world, "apply", world["plan"], "--repo", ".")
    stats.bump("safety checks")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "note: verify imports every module" in applied.stderr
    assert "execute the repo's code" in applied.stderr
    assert "checked: OK" in applied.stdout
    ran = executed(world)
    assert "app.storage.db" in ran and "app.infra.db" in ran  # new path, and before the move
    assert "setup" not in ran and "noxfile" not in ran
    assert "conftest" in ran  # the repo uses pytest: verify collects its tests

    shutil.rmtree(world["marks"])
    world["marks"].mkdir()
    verified = cli(world, "verify", world["plan"], "--repo", ".")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert ("note: verify imports every module and collects the tests with pytest: this "
            "executes the repo's code") in verified.stderr
    assert executed(world)
    assert snapshot(world["home"], world["tmp"], world["sentinel"], world["plans"]) == watched


def test_recover_and_a_refused_apply_write_nothing_outside(world: dict[str, Path]) -> None:
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    watched = snapshot(world["home"], world["tmp"], world["sentinel"], world["plans"])
    before = repo_files(world)
    (world["repo"] / "app/core/base.py").write_text("BASE = 2  # uncommitted\n")
    refused = cli(world, "apply", world["plan"], "--repo", ".")
    stats.bump("safety checks")
    assert refused.returncode == 2 and "uncommitted changes" in refused.stderr
    assert executed(world) == []
    recovered = cli(world, "recover", ".")
    assert recovered.returncode == 0 and "nothing to recover" in recovered.stdout
    assert snapshot(world["home"], world["tmp"], world["sentinel"], world["plans"]) == watched
    changed = {p for p in before.keys() | repo_files(world).keys()
               if before.get(p) != repo_files(world).get(p)}
    assert changed == {"app/core/base.py"}


def test_python_dash_m_from_inside_a_repo_runs_none_of_its_code(world: dict[str, Path]
                                                                 ) -> None:
    repo, marks = world["repo"], world["marks"]
    (repo / "tomlkit").mkdir()
    (repo / "tomlkit/__init__.py").write_text(marked(marks, "raise ImportError('hijacked')\n"))
    result = subprocess.run([sys.executable, "-m", "pyagent_workbench", "diff", str(world["plan"]),
                             "--repo", "."], cwd=repo, capture_output=True, text=True,
                            check=False, env={**os.environ, "HOME": str(world["home"])})
    stats.bump("safety checks")
    assert executed(world) == [], result.stderr
    assert result.returncode == 0, result.stderr
