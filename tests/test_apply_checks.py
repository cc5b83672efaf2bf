"""apply --run-tests rolls back on a regression; verify reports what broke."""

from __future__ import annotations

import sys
from pathlib import Path

from support.cli import run
from support.plans import write_plan
from support.repos import make_repo, tree_digest

FILES: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/engine.py": "def run():\n    return 42\n",
    "tests/test_engine.py": """
        from app.core import engine


        def test_run():
            assert engine.run() == 42


        def test_module_identity():
            import sys

            # A runtime identity: the tool reports this string, it does not rewrite it.
            assert sys.modules["app.core.engine"] is engine
        """,
}
PYTEST = f"{sys.executable} -m pytest -q -p no:cacheprovider tests"


def test_run_tests_rolls_back_when_a_passing_test_fails(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    write_plan(repo / "plan.toml", [("app.core.engine", "app.engine")], packages=["app"],
               facades=False)
    before = tree_digest(repo)
    result = run("apply", repo / "plan.toml", "--run-tests", PYTEST)
    assert result.code == 2
    assert "tests that passed before fail after the apply, so it was rolled back" in result.err
    assert "test_module_identity" in result.err
    assert tree_digest(repo) == before


def test_run_tests_keeps_the_apply_when_tests_still_pass(tmp_path: Path) -> None:
    files = dict(FILES)
    files["tests/test_engine.py"] = ("from app.core import engine\n\n\ndef test_run():\n"
                                     "    assert engine.run() == 42\n")
    repo = make_repo(tmp_path / "repo", files)
    write_plan(repo / "plan.toml", [("app.core.engine", "app.engine")], packages=["app"])
    result = run("apply", repo / "plan.toml", "--run-tests", PYTEST)
    assert result.code == 0, result.err
    assert "tests after the apply: 1 passed" in result.out
    assert (repo / "app/engine.py").is_file()


def test_verify_reports_a_module_that_no_longer_imports(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    write_plan(repo / "plan.toml", [("app.core.engine", "app.engine")], packages=["app"])
    assert run("apply", repo / "plan.toml").code == 0
    assert run("verify", repo / "plan.toml").code == 0
    (repo / "app/engine.py").write_text("import app.nowhere\n")
    result = run("verify", repo / "plan.toml")
    assert result.code == 1
    assert "no longer imports: app.engine: ModuleNotFoundError" in result.out
    assert "lost import edge: app.engine" not in result.out
    assert "new import edge: app.engine -> app\n" in result.out
