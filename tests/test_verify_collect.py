"""verify collects the tests with pytest before and after an apply and reports each test
that no longer collects; modules whose names are not identifiers (Django's
`migrations/0001_initial.py`) move like any other, with no false lost or new edge."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pyagent_workbench.application import applying
from pyagent_workbench.rewrite.apply import ApplyOptions, apply_plan
from pyagent_workbench.rewrite.records import verify_record_path
from pyagent_workbench.workspace import Workspace
from support.cli import run
from support.plans import write_plan
from support.repos import make_repo

PYPROJECT = '[tool.pytest.ini_options]\ntestpaths = ["tests", "app"]\n'

ENGINE_FILES: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/engine.py": "def run():\n    return 42\n",
    # Carried along by the plan (`app/core/test_engine.py` -> `app/test_engine.py`).
    "app/core/test_engine.py": """
        from app.core.engine import run


        def test_beside():
            assert run() == 42
        """,
    "tests/test_engine.py": """
        from app.core import engine


        def test_run():
            assert engine.run() == 42
        """,
}

# The name is built at run time: no rewrite can follow it, and without a facade the
# module no longer imports once `app.core.engine` has moved.
DYNAMIC_TEST = """
    import importlib

    engine = importlib.import_module("app.core" + ".engine")


    def test_dynamic():
        assert engine.run() == 42
    """

MOVE = [("app.core.engine", "app.engine")]


def engine_repo(tmp_path: Path, extra: dict[str, str | bytes] | None = None, *,
                pytest_config: bool = True) -> Path:
    files = dict(ENGINE_FILES)
    if pytest_config:
        files["pyproject.toml"] = PYPROJECT
    files.update(extra or {})
    repo = make_repo(tmp_path / "repo", files)
    write_plan(repo / "plan.toml", MOVE, packages=["app"], facades=False)
    return repo


def verify_record(repo: Path) -> dict[str, object]:
    workspace = Workspace.open(repo, repo / "plan.toml")
    data: dict[str, object] = json.loads(verify_record_path(workspace).read_text())
    return data


def written_by_collection(repo: Path) -> list[str]:
    """What the apply left in the tree besides its moves: pytest's cache, bytecode."""
    return sorted(str(p.relative_to(repo)) for pattern in ("**/.pytest_cache", "**/__pycache__")
                  for p in repo.glob(pattern))


def test_a_test_that_no_longer_collects_is_a_verify_problem(tmp_path: Path) -> None:
    repo = engine_repo(tmp_path, {
        "tests/test_dynamic.py": DYNAMIC_TEST,
        "tests/test_broken.py": "import nowhere_at_all\n\n\ndef test_never():\n    pass\n",
        # Collects, with one instance fewer after the apply.
        "tests/test_found.py": """
            import importlib.util

            import pytest

            FOUND = [name for name in ("app.core" + ".engine", "app")
                     if importlib.util.find_spec(name)]


            @pytest.mark.parametrize("name", FOUND)
            def test_found(name):
                pass
            """,
    })
    result = run("apply", repo / "plan.toml")
    assert result.code == 1, result.out + result.err
    assert "applied." in result.out
    assert "5 tests checked: PROBLEMS FOUND" in result.out
    assert "  test no longer collects: tests/test_dynamic.py::test_dynamic\n" in result.out
    assert "  test no longer collects: tests/test_found.py::test_found[app.engine]\n" in result.out
    assert "test_found[app]" not in result.out
    assert ("  new collection error: tests/test_dynamic.py: ModuleNotFoundError: No module "
            "named 'app.core.engine'") in result.out
    # Broken before the apply too: not the apply's doing.
    assert "test_broken" not in result.out
    # The carried test and the rewritten one still collect.
    assert "test_engine.py" not in result.out
    assert (repo / "app/test_engine.py").is_file()
    assert written_by_collection(repo) == []

    again = run("verify", repo / "plan.toml", "--json")
    assert again.code == 1
    report = json.loads(again.out)
    assert report["ok"] is False
    assert report["tests_checked"] == 5
    assert report["lost_tests"] == ["tests/test_dynamic.py::test_dynamic",
                                    "tests/test_found.py::test_found[app.engine]"]
    assert list(report["collection_errors"]) == ["tests/test_dynamic.py"]
    assert report["collection_failed"] is None
    assert "collects the tests with pytest" in again.err


def test_tests_that_still_collect_are_no_problem(tmp_path: Path) -> None:
    repo = engine_repo(tmp_path, {
        # A doctest's id names its module (`app/core/engine.py::app.core.engine.double`):
        # both parts move.
        "pyproject.toml": PYPROJECT + 'addopts = "--doctest-modules"\n',
        "app/core/engine.py": '''
            def run():
                return 42


            def double(x):
                """
                >>> double(2)
                4
                """
                return 2 * x
            ''',
        "app/core/tests/__init__.py": "",
        "app/core/tests/test_core.py": "def test_inside():\n    pass\n",
        # The apply rewrites the string, and with it the test's id.
        "tests/test_names.py": """
            import importlib

            import pytest


            @pytest.mark.parametrize("name", ["app.core.engine", "app"])
            def test_imports(name):
                importlib.import_module(name)
            """,
        # An id that differs from one run to the next.
        "tests/test_unstable.py": """
            import os

            import pytest


            @pytest.mark.parametrize("x", [1], ids=[f"pid{os.getpid()}"])
            def test_each_run(x):
                pass
            """,
    })
    write_plan(repo / "plan.toml", [*MOVE, ("app.core", "app.kernel")], packages=["app"],
               facades=False)
    result = run("apply", repo / "plan.toml")
    assert result.code == 0, result.out + result.err
    assert "7 tests checked: OK" in result.out
    assert (repo / "app/kernel/tests/test_core.py").is_file()
    assert '"app.engine"' in (repo / "tests/test_names.py").read_text()
    assert (repo / "app/test_engine.py").is_file()
    tests = verify_record(repo)["tests"]
    assert isinstance(tests, dict)
    assert "app/core/engine.py::app.core.engine.double" in tests["ids"]
    assert tests["paths"]["app/core/tests/test_core.py"] == "app/kernel/tests/test_core.py"
    assert written_by_collection(repo) == []
    assert run("verify", repo / "plan.toml").code == 0


def test_a_conftest_that_no_longer_imports_loses_every_test(tmp_path: Path) -> None:
    repo = engine_repo(tmp_path, {"tests/conftest.py": DYNAMIC_TEST})
    result = run("apply", repo / "plan.toml")
    assert result.code == 1, result.out + result.err
    assert "  tests no longer collect at all: pytest collected nothing" in result.out
    assert "No module named 'app.core.engine'" in result.out
    assert "  test no longer collects: tests/test_engine.py::test_run\n" in result.out
    assert "  test no longer collects: app/test_engine.py::test_beside\n" in result.out


def test_a_repo_without_pytest_is_not_collected(tmp_path: Path) -> None:
    repo = engine_repo(tmp_path, {"tests/test_dynamic.py": DYNAMIC_TEST},
                       pytest_config=False)
    result = run("apply", repo / "plan.toml")
    assert result.code == 0, result.out + result.err
    assert "verify: 1 import edges and 4 modules checked: OK" in result.out
    assert "tests" not in verify_record(repo)


def test_conftest_in_tests_says_the_repo_uses_pytest(tmp_path: Path) -> None:
    repo = engine_repo(tmp_path, {"tests/test_dynamic.py": DYNAMIC_TEST,
                                  "tests/conftest.py": ""}, pytest_config=False)
    result = run("apply", repo / "plan.toml")
    assert result.code == 1
    assert "test no longer collects: tests/test_dynamic.py::test_dynamic" in result.out


def test_no_collect_skips_the_tests(tmp_path: Path) -> None:
    repo = engine_repo(tmp_path, {"tests/test_dynamic.py": DYNAMIC_TEST})
    result = run("apply", repo / "plan.toml", "--no-collect")
    assert result.code == 0, result.out + result.err
    assert "verify: 1 import edges and 4 modules checked: OK" in result.out
    assert "collects the tests" not in result.err
    assert "tests" not in verify_record(repo)


def test_verify_no_collect_leaves_out_the_tests_apply_collected(tmp_path: Path) -> None:
    repo = engine_repo(tmp_path, {"tests/test_dynamic.py": DYNAMIC_TEST})
    assert run("apply", repo / "plan.toml").code == 1
    skipped = run("verify", repo / "plan.toml", "--no-collect")
    assert skipped.code == 0, skipped.out
    assert "verify: 1 import edges and 4 modules checked: OK" in skipped.out
    assert "collects the tests" not in skipped.err
    assert run("verify", repo / "plan.toml").code == 1
    workspace = Workspace.open(repo, repo / "plan.toml")
    assert applying.verify_applied(workspace, collect_tests=False).ok
    assert not applying.verify_applied(workspace).ok


def test_the_library_option_skips_the_tests(tmp_path: Path) -> None:
    repo = engine_repo(tmp_path, {"tests/test_dynamic.py": DYNAMIC_TEST})
    workspace = Workspace.open(repo, repo / "plan.toml")
    result = apply_plan(workspace, ApplyOptions(collect_tests=False))
    assert result.verify is not None and result.verify.ok
    assert result.verify.tests_checked is None


def test_pytest_that_cannot_run_before_is_said_and_the_apply_goes_on(tmp_path: Path) -> None:
    # An interpreter without pytest (a bare virtual environment: the repo is stdlib only).
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    python = bare / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    repo = engine_repo(tmp_path, {"tests/test_dynamic.py": DYNAMIC_TEST})
    workspace = Workspace.open(repo, repo / "plan.toml")
    result = apply_plan(workspace, ApplyOptions(python=str(python)))
    assert result.verify is not None
    assert result.verify.ok, result.verify.render()
    assert (repo / "app/engine.py").is_file()
    lines = [line for line in result.verify.render().splitlines() if "tests" in line]
    assert len(lines) == 1
    assert lines[0].startswith("  tests not compared: before the apply, pytest collected "
                               "nothing")
    assert "No module named pytest" in lines[0]


def test_a_conftest_broken_before_is_said_not_reported(tmp_path: Path) -> None:
    repo = engine_repo(tmp_path, {"tests/conftest.py": "import nowhere_at_all\n",
                                  "tests/test_dynamic.py": DYNAMIC_TEST})
    result = run("apply", repo / "plan.toml")
    assert result.code == 0, result.out + result.err
    assert "4 modules checked: OK" in result.out
    assert ("  tests not compared: before the apply, pytest collected nothing (exit status "
            "4): ModuleNotFoundError: No module named 'nowhere_at_all'") in result.out


# -- modules whose names are not identifiers ----------------------------------------------

MIGRATIONS_FILES: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/core/__init__.py": "",
    "pkg/app/__init__.py": "",
    "pkg/app/models.py": "X = 1\n",
    "pkg/app/migrations/__init__.py": "",
    "pkg/app/migrations/0001_initial.py": "from pkg.app import models\n",
    "pkg/app/migrations/0002_more.py": "import pkg.app.models\nfrom pkg.app import migrations\n",
    "pkg/user.py": "from pkg.app import models\n",
}


def test_a_module_named_by_no_identifier_moves_with_its_package(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", MIGRATIONS_FILES)
    write_plan(repo / "plan.toml", [("pkg.app", "pkg.core.app")], packages=["pkg"],
               facades=False)
    result = run("apply", repo / "plan.toml")
    assert result.code == 0, result.out + result.err
    assert "verify: 4 import edges and 6 modules checked: OK" in result.out
    assert (repo / "pkg/core/app/migrations/0001_initial.py").is_file()
    assert run("verify", repo / "plan.toml").code == 0


def test_a_record_of_an_older_version_maps_them_too(tmp_path: Path) -> None:
    """Records written before listed only the modules named by identifiers."""
    repo = make_repo(tmp_path / "repo", MIGRATIONS_FILES)
    write_plan(repo / "plan.toml", [("pkg.app", "pkg.core.app")], packages=["pkg"],
               facades=False)
    assert run("apply", repo / "plan.toml").code == 0
    path = verify_record_path(Workspace.open(repo, repo / "plan.toml"))
    record = json.loads(path.read_text())
    assert "pkg.app.migrations.0001_initial" in record["mapping"]
    record["mapping"] = {old: new for old, new in record["mapping"].items()
                         if "migrations.0" not in old}
    path.write_text(json.dumps(record))
    result = run("verify", repo / "plan.toml")
    assert result.code == 0, result.out
    assert "lost import edge" not in result.out and "new import edge" not in result.out
