"""Facades make the old path the very same module: imports, patches, isinstance and old
pickles work, and import-time side effects run once whichever name comes first."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pyagent_workbench.rewrite import facades as facade_module
from support.cli import run
from support.plans import write_plan
from support.repos import git, make_repo

FILES: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/registry.py": """
        REGISTERED = []


        def register(name):
            if name in REGISTERED:
                raise RuntimeError(f"{name} registered twice")
            REGISTERED.append(name)
        """,
    "app/infra/__init__.py": "",
    "app/infra/attention/__init__.py": """
        from app.registry import register

        register("attention")
        """,
    "app/infra/attention/paged.py": """
        from app.registry import register

        register("paged")


        class Paged:
            pass


        def f():
            return "real"


        def call_f():
            return f()


        def _private():
            return "private"


        if __name__ == "__main__":
            print("paged main", __name__)
        """,
    "app/infra/attention/sub/__init__.py": "",
    "app/infra/attention/sub/table.txt": "rows\n",
    "app/infra/attention/weights.txt": "w\n",
    "app/infra/attention/sub/deep.py": "from app.registry import register\n\nregister('deep')\n",
    "app/core/__init__.py": "",
    "app/core/base/__init__.py": "",
    "app/core/base/agent_core.py": """
        from app.registry import register

        register("agent_core")


        class AgentCore:
            def __init__(self, value=1):
                self.value = value


        if __name__ == "__main__":
            print("core main")
        """,
    "tests/test_paged.py": "from app.infra.attention.paged import f\n\n\ndef test_f():\n"
                           "    assert f() == 'real'\n",
}

PICKLE = """
import pickle
from app.core.base.agent_core import AgentCore
from app.infra.attention.paged import Paged
with open("old.pickle", "wb") as handle:
    pickle.dump((AgentCore(7), Paged()), handle)
"""


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = make_repo(tmp_path_factory.mktemp("facades") / "repo", FILES)
    python(repo, PICKLE)
    write_plan(repo / "plan.toml", [
        ("app.infra.attention", "app.infra.engine.attention"),
        ("app.core.base.agent_core", "app.core.base.lifecycle.agent_core"),
    ], packages=["app"], facades=True)
    result = run("apply", repo / "plan.toml", "--allow-dirty")
    assert result.code == 0, result.out + result.err
    return repo


def python(repo: Path, code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning:app", "-c", textwrap.dedent(code)],
        cwd=repo, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(repo), "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_old_and_new_paths_are_the_same_module(applied: Path) -> None:
    out = python(applied, """
        import warnings
        warnings.simplefilter("ignore")
        import app.infra.attention.paged
        import app.infra.engine.attention.paged
        import app.core.base.agent_core as old_core
        from app.core.base.lifecycle import agent_core as new_core
        from app.infra.attention.paged import Paged, _private
        assert app.infra.attention.paged is app.infra.engine.attention.paged
        assert old_core is new_core
        assert Paged is app.infra.engine.attention.paged.Paged
        assert _private() == "private"
        import app.infra.attention.sub.deep as deep
        import app.infra.engine.attention.sub.deep as deep2
        assert deep is deep2
        print("ok")
        """)
    assert out == "ok\n"


@pytest.mark.parametrize("package, resource, text", [
    ("app.infra.attention", "weights.txt", "w\n"),
    ("app.infra.attention.sub", "table.txt", "rows\n"),
])
def test_package_data_is_served_through_the_old_name(applied: Path, package: str,
                                                     resource: str, text: str) -> None:
    """`importlib.resources` and `pkgutil.get_data` asked for the old package find its
    data at the new place (before, a subpackage gave `None` and an orphan path: the
    import system had put the old name's spec on the moved module), and the moved
    module keeps its own spec."""
    out = python(applied, f"""
        import importlib, importlib.resources, pkgutil, warnings
        warnings.simplefilter("ignore")
        assert pkgutil.get_data({package!r}, {resource!r}) == {text.encode()!r}
        assert importlib.resources.files({package!r}).joinpath({resource!r}).read_text() \\
            == {text!r}
        assert importlib.resources.read_text({package!r}, {resource!r}) == {text!r}
        module = importlib.import_module({package!r})
        assert module.__spec__.name == module.__name__ != {package!r}
        print("ok")
        """)
    assert out == "ok\n"


def test_patching_the_old_path_patches_what_new_callers_see(applied: Path) -> None:
    python(applied, """
        import warnings
        warnings.simplefilter("ignore")
        from unittest import mock
        from app.infra.engine.attention.paged import call_f
        with mock.patch("app.infra.attention.paged.f", return_value="patched"):
            assert call_f() == "patched"
        with mock.patch("app.infra.attention.paged._private", return_value="p"):
            import app.infra.engine.attention.paged as paged
            assert paged._private() == "p"
        assert call_f() == "real"
        """)


def test_isinstance_across_old_and_new_paths(applied: Path) -> None:
    python(applied, """
        import warnings
        warnings.simplefilter("ignore")
        from app.core.base.agent_core import AgentCore as Old
        from app.core.base.lifecycle.agent_core import AgentCore as New
        assert isinstance(Old(), New) and isinstance(New(), Old)
        """)


def test_objects_pickled_under_the_old_path_unpickle(applied: Path) -> None:
    python(applied, """
        import pickle, warnings
        warnings.simplefilter("ignore")
        from app.core.base.lifecycle.agent_core import AgentCore
        from app.infra.engine.attention.paged import Paged
        with open("old.pickle", "rb") as handle:
            core, paged = pickle.load(handle)
        assert type(core) is AgentCore and core.value == 7
        assert type(paged) is Paged
        """)


NAMES = [
    "app.infra.attention", "app.infra.engine.attention",
    "app.infra.attention.paged", "app.infra.engine.attention.paged",
    "app.infra.attention.sub.deep", "app.core.base.agent_core",
    "app.core.base.lifecycle.agent_core",
]


ORDERS = [*itertools.permutations(NAMES[:4]), (*NAMES[4:], *NAMES[:4]), tuple(reversed(NAMES))]


@pytest.mark.parametrize("order", ORDERS)
def test_side_effects_run_once_whatever_is_imported_first(applied: Path,
                                                          order: tuple[str, ...]) -> None:
    out = python(applied, f"""
        import importlib, warnings
        warnings.simplefilter("ignore")
        for name in {list(order)!r}:
            importlib.import_module(name)
        for name in {NAMES!r}:
            importlib.import_module(name)
        from app.registry import REGISTERED
        print(sorted(REGISTERED))
        """)
    assert out.strip() == str(sorted(["attention", "paged", "deep", "agent_core"]))


def test_old_paths_warn_with_the_new_path(applied: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "always::DeprecationWarning", "-c",
         "import app.core.base.agent_core\nimport app.infra.attention.paged"],
        cwd=applied, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(applied), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert ("app.core.base.agent_core moved to app.core.base.lifecycle.agent_core"
            in result.stderr)
    assert ("app.infra.attention.paged moved to app.infra.engine.attention.paged"
            in result.stderr)


@pytest.mark.parametrize(("old", "printed"), [
    ("app.infra.attention.paged", "paged main __main__"),
    ("app.core.base.agent_core", "core main"),
])
def test_running_an_old_path_with_python_m_runs_the_new_module(applied: Path, old: str,
                                                               printed: str) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-m", old],
        cwd=applied, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(applied), "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == printed


def test_no_facades_for_test_modules(applied: Path) -> None:
    assert (applied / "tests/test_paged.py").read_text().startswith(
        "from app.infra.engine.attention.paged import f")
    facade_files = [p.relative_to(applied).as_posix()
                    for p in (applied / "app/infra/attention").rglob("*.py")]
    assert sorted(facade_files) == [
        "app/infra/attention/__init__.py", "app/infra/attention/paged.py",
        "app/infra/attention/sub/__init__.py", "app/infra/attention/sub/deep.py",
    ]


def test_repo_tests_pass_after_apply(applied: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=applied, capture_output=True, text=True, check=False,
                            env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout


def test_pytest_warnings_as_errors_is_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {
        **FILES, "pyproject.toml": '[tool.pytest.ini_options]\nfilterwarnings = ["error"]\n'})
    write_plan(repo / "plan.toml", [("app.infra.attention", "app.infra.engine.attention")],
               packages=["app"], facades=True)
    diff = run("diff", repo / "plan.toml")
    assert ('pyproject.toml [tool.pytest.ini_options] filterwarnings "error" turns warnings '
            "into errors") in diff.out
    no_facades = run("diff", repo / "plan.toml", "--no-facades")
    assert "turns warnings into errors" not in no_facades.out


def test_a_linked_pytest_config_is_not_read(tmp_path: Path) -> None:
    """Configuration linked from outside the repo is never read (it may point anywhere):
    the warning above comes from the repo's own files only."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
    repo = make_repo(tmp_path / "repo", FILES)
    (repo / "pytest.ini").symlink_to(outside / "pytest.ini")
    git(repo, "add", "pytest.ini")
    git(repo, "commit", "-qm", "a linked pytest.ini")
    write_plan(repo / "plan.toml", [("app.infra.attention", "app.infra.engine.attention")],
               packages=["app"], facades=True)
    diff = run("diff", repo / "plan.toml")
    assert diff.code == 0, diff.err
    assert "turns warnings into errors" not in diff.out


# -- recognising a facade the tool wrote, byte for byte --------------------------------------

GENERATED = {
    "module": facade_module.module_facade("app.infra.db", "app.storage.db"),
    "package": facade_module.package_facade("app.infra", "app.storage",
                                            {"app.infra.legacy": "app.core.legacy"}),
}


@pytest.mark.parametrize("kind", list(GENERATED))
def test_a_facade_as_the_tool_wrote_it_is_recognised_as_such(kind: str) -> None:
    content = GENERATED[kind]
    assert facade_module.as_generated(content)
    assert facade_module.read_marker(content) in {("app.infra.db", "app.storage.db"),
                                                 ("app.infra", "app.storage")}


@pytest.mark.parametrize("kind", list(GENERATED))
@pytest.mark.parametrize("where", ["docstring", "marker names", "digest", "code", "end"])
def test_a_facade_changed_anywhere_is_not_as_generated(kind: str, where: str) -> None:
    content = GENERATED[kind]
    if where == "end":
        changed = content + b"\n"
    else:
        position = {
            "docstring": content.index(b"Moved:") + 1,
            "marker names": content.index(b"-> app.storage") + 3,
            "digest": content.index(b"sha256 ") + 7,
            "code": content.index(b"DeprecationWarning"),
        }[where]
        replacement = b"0" if content[position:position + 1] != b"0" else b"1"
        changed = content[:position] + replacement + content[position + 1:]
    assert changed != content
    assert not facade_module.as_generated(changed)


def unstamped(content: bytes) -> bytes:
    """A facade as versions before the digest wrote it."""
    return re.sub(rb"^# pyagent-workbench: sha256 [0-9a-f]+\n", b"", content, count=1,
                  flags=re.MULTILINE)


def test_a_facade_of_an_earlier_version_is_recognised_only_when_its_names_prove_it() -> None:
    """Facades written before the digest: regenerating from the marker's two names must
    give the file back exactly; a package facade's table of submodules is read from the
    file itself, so it proves nothing, and such a facade is not taken as unedited."""
    earlier = [unstamped(GENERATED["module"]),
               unstamped(facade_module.package_facade("app.infra", "app.storage", {}))]
    for content in earlier:
        assert b"sha256" not in content
        assert facade_module.as_generated(content)
        assert not facade_module.as_generated(content.replace(b"instead", b"now"))
    routed = unstamped(GENERATED["package"])
    assert facade_module.read_marker(routed) == ("app.infra", "app.storage")
    assert not facade_module.as_generated(routed)
