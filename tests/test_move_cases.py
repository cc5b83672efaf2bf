"""The move-and-rewrite cases that break rope, LibCST's rename and similar tools
(../shared/MOVE-CASES.md), each applied for real to a generated repo, asserting the
exact rewritten text; every apply ends with verify importing every module, and every
case first checks that the whole-file and the statement-level rewrite agree on each of
its files."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support import cli
from support.codemod import assert_rewrites_agree
from support.plans import write_plan
from support.repos import git, make_repo

MOD = ("app.core.base.agent_core", "app.core.base.lifecycle.agent_core")
PKG = ("app.infra.attention", "app.infra.engine.attention")

BASE: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/config.py": "Y = 1\n",
    "app/core/base/__init__.py": "",
    "app/core/base/helpers.py": "def h():\n    return 2\n",
    "app/core/base/agent_core.py": """
        class AgentCore:
            def run(self):
                return 3
        """,
    "app/core/base/agent_core_extra.py": "EXTRA = 1\n",
    "app/infra/__init__.py": "",
    "app/infra/attention/__init__.py": "",
    "app/infra/attention/kernels.py": "K = 'k'\n",
    "app/infra/attention_utils.py": "U = 1\n",
}


def run(command: str, plan: Path, *args: str) -> cli.Result:
    """The CLI, once both rewrites of every Python file of the plan's repo are known to
    agree (the statement-level one is only a faster way to the whole-file one's result)."""
    assert_rewrites_agree(plan.parent, plan)
    return cli.run(command, plan, *args)


def apply_case(tmp_path: Path, files: dict[str, str | bytes], *,
               moves: list[tuple[str, str]] | None = None, facades: bool = False,
               args: tuple[str, ...] = ()) -> Path:
    repo = make_repo(tmp_path / "repo", {**BASE, **files})
    write_plan(repo / "plan.toml", moves or [MOD, PKG], packages=["app"], facades=facades)
    result = run("apply", repo / "plan.toml", *args)
    assert result.code == 0, result.out + result.err
    if "--no-verify" not in args:
        assert "checked: OK" in result.out, result.out
    return repo


def read(repo: Path, path: str) -> str:
    return (repo / path).read_text()


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# -- import statements ---------------------------------------------------------------------


def test_01_plain_import_and_dotted_uses(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {"app/user.py": """
        import app.core.base.agent_core


        def make():
            return app.core.base.agent_core.AgentCore()
        """})
    assert read(repo, "app/user.py") == dedent("""
        import app.core.base.lifecycle.agent_core


        def make():
            return app.core.base.lifecycle.agent_core.AgentCore()
        """)


def test_02_import_as_keeps_alias_and_uses(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {"app/user.py": """
        import app.core.base.agent_core as ac

        core = ac.AgentCore()
        """})
    assert read(repo, "app/user.py") == dedent("""
        import app.core.base.lifecycle.agent_core as ac

        core = ac.AgentCore()
        """)


def test_03_from_package_import_moved_submodule(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {"app/user.py": """
        from app.core.base import agent_core

        core = agent_core.AgentCore()
        """})
    assert read(repo, "app/user.py") == dedent("""
        from app.core.base.lifecycle import agent_core

        core = agent_core.AgentCore()
        """)


def test_04_statement_split_when_only_one_name_moved(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {"app/user.py": """
        from app.core.base import helpers, agent_core  # c

        value = helpers.h() + agent_core.AgentCore().run()
        """})
    assert read(repo, "app/user.py") == dedent("""
        from app.core.base import helpers  # c
        from app.core.base.lifecycle import agent_core

        value = helpers.h() + agent_core.AgentCore().run()
        """)


def test_05_parenthesised_import_keeps_each_comment(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {"app/user.py": """
        from app.core.base import (
            helpers,  # small helpers
            agent_core,  # the core
            agent_core_extra,  # extras
        )
        """})
    # Three submodules: importing agent_core_extra before agent_core would change the
    # order their code runs in, so the statement is split where the module changes.
    assert read(repo, "app/user.py") == dedent("""
        from app.core.base import (
            helpers,  # small helpers
        )
        from app.core.base.lifecycle import (
            agent_core,  # the core
        )
        from app.core.base import (
            agent_core_extra,  # extras
        )
        """)


def test_05_names_that_import_nothing_stay_in_one_statement(tmp_path: Path) -> None:
    """Only submodules run code when imported: names defined by the package itself may
    be gathered into one statement (the submodules keep their order)."""
    repo = apply_case(tmp_path, {
        "app/core/base/__init__.py": "FIRST = 1\nLAST = 2\n",
        "app/user.py": "from app.core.base import helpers, FIRST, agent_core, LAST\n"})
    assert read(repo, "app/user.py") == (
        "from app.core.base import helpers, FIRST, LAST\n"
        "from app.core.base.lifecycle import agent_core\n")


def test_06_from_module_import_names_and_star(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {
        "app/core/base/agent_core.py": """
            __all__ = ["AgentCore"]


            class AgentCore:
                pass
            """,
        "app/user.py": """
            from app.core.base.agent_core import AgentCore as AC
            from app.infra.attention.kernels import *
            """,
    })
    assert read(repo, "app/user.py") == dedent("""
        from app.core.base.lifecycle.agent_core import AgentCore as AC
        from app.infra.engine.attention.kernels import *
        """)


def test_07_parent_import_untouched_submodule_import_rewritten(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {"app/user.py": """
        import app.core.base
        import app.core.base.agent_core

        core = app.core.base.agent_core.AgentCore()
        helpers = app.core.base.helpers
        """})
    assert read(repo, "app/user.py") == dedent("""
        import app.core.base
        import app.core.base.lifecycle.agent_core

        core = app.core.base.lifecycle.agent_core.AgentCore()
        helpers = app.core.base.helpers
        """)


def test_08_name_reexported_by_init_is_left_alone(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {
        "app/core/base/__init__.py": "from .agent_core import AgentCore\n",
        "app/user.py": "from app.core.base import AgentCore\n",
    })
    assert read(repo, "app/user.py") == "from app.core.base import AgentCore\n"
    assert read(repo, "app/core/base/__init__.py") == (
        "from .lifecycle.agent_core import AgentCore\n")


def test_09_imports_in_functions_type_checking_and_try_keep_their_place(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {"app/user.py": """
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from app.core.base.agent_core import AgentCore

        try:
            from app.infra.attention import kernels
        except ImportError:  # optional
            kernels = None


        def late() -> "AgentCore":
            from app.core.base.agent_core import AgentCore

            return AgentCore()
        """})
    assert read(repo, "app/user.py") == dedent("""
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from app.core.base.lifecycle.agent_core import AgentCore

        try:
            from app.infra.engine.attention import kernels
        except ImportError:  # optional
            kernels = None


        def late() -> "AgentCore":
            from app.core.base.lifecycle.agent_core import AgentCore

            return AgentCore()
        """)


# -- relative imports ------------------------------------------------------------------------


def test_10_sibling_relative_import_stays_relative(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {"app/core/base/helpers.py": """
        from .agent_core import AgentCore
        from . import agent_core, agent_core_extra


        def h():
            return 2
        """})
    assert read(repo, "app/core/base/helpers.py") == dedent("""
        from .lifecycle.agent_core import AgentCore
        from .lifecycle import agent_core
        from . import agent_core_extra


        def h():
            return 2
        """)


def test_11_moved_file_relative_imports_gain_a_dot(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {"app/core/base/agent_core.py": """
        from ..config import Y
        from .helpers import h
        from . import agent_core_extra


        class AgentCore:
            def run(self):
                return Y + h() + agent_core_extra.EXTRA
        """})
    assert read(repo, "app/core/base/lifecycle/agent_core.py") == dedent("""
        from ...config import Y
        from ..helpers import h
        from .. import agent_core_extra


        class AgentCore:
            def run(self):
                return Y + h() + agent_core_extra.EXTRA
        """)


def test_12_package_move_internal_imports_kept_escaping_recomputed(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {
        "app/infra/attention/__init__.py": "from .kernels import K\nfrom . import paged\n",
        "app/infra/attention/paged.py": """
            from .kernels import K
            from . import kernels
            from ..attention_utils import U
            from ...core import config
            """,
    })
    assert read(repo, "app/infra/engine/attention/__init__.py") == (
        "from .kernels import K\nfrom . import paged\n")
    assert read(repo, "app/infra/engine/attention/paged.py") == dedent("""
        from .kernels import K
        from . import kernels
        from ...attention_utils import U
        from ....core import config
        """)


def test_13_consumers_that_end_up_closer_or_farther(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {
        "app/infra/runner.py": "from .attention import kernels\n",
        "app/core/user.py": "from ..infra.attention import kernels\n",
    })
    assert read(repo, "app/infra/runner.py") == "from .engine.attention import kernels\n"
    assert read(repo, "app/core/user.py") == "from ..infra.engine.attention import kernels\n"


def test_14_relative_import_above_top_level_is_reported_not_guessed(tmp_path: Path) -> None:
    files = {
        "app/core/broken.py": "try:\n    from ....nowhere import x\n"
                              "except ImportError:\n    x = 0\n",
        "scripts/tool.py": "try:\n    from .attention import kernels\nexcept ImportError:\n"
                           "    kernels = None\n",
    }
    repo = make_repo(tmp_path / "repo", {**BASE, **files})
    write_plan(repo / "plan.toml", [MOD, PKG], packages=["app"], facades=False)
    diff = run("diff", repo / "plan.toml")
    assert "app/core/broken.py:2: relative import climbs above the top-level package" in diff.out
    result = run("apply", repo / "plan.toml")
    assert result.code == 0
    assert read(repo, "app/core/broken.py") == files["app/core/broken.py"]


# -- names and strings ----------------------------------------------------------------------


def test_15_prefix_safety_on_dotted_boundaries(tmp_path: Path) -> None:
    text = dedent("""
        import app.core.base.agent_core_extra
        import app.infra.attention_utils

        NAMES = ["app.core.base.agent_core_extra", "app.infra.attention_utils.U"]
        VALUE = app.core.base.agent_core_extra.EXTRA + app.infra.attention_utils.U
        """)
    repo = apply_case(tmp_path, {"app/user.py": text})
    assert read(repo, "app/user.py") == text


def test_16_whole_string_dotted_paths_in_code(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {"app/user.py": """
        import importlib
        from unittest import mock

        PLUGINS = {"core": "app.core.base.agent_core:AgentCore",
                   "k": 'app.infra.attention.kernels.K'}


        def load():
            return importlib.import_module("app.infra.attention")


        def patched():
            with mock.patch("app.core.base.agent_core.AgentCore.run"):
                return __import__(r"app.core.base.agent_core")


        def annotated() -> "app.core.base.agent_core.AgentCore":
            raise NotImplementedError
        """})
    assert read(repo, "app/user.py") == dedent("""
        import importlib
        from unittest import mock

        PLUGINS = {"core": "app.core.base.lifecycle.agent_core:AgentCore",
                   "k": 'app.infra.engine.attention.kernels.K'}


        def load():
            return importlib.import_module("app.infra.engine.attention")


        def patched():
            with mock.patch("app.core.base.lifecycle.agent_core.AgentCore.run"):
                return __import__(r"app.core.base.lifecycle.agent_core")


        def annotated() -> "app.core.base.lifecycle.agent_core.AgentCore":
            raise NotImplementedError
        """)


def test_16_module_paths_quoted_inside_longer_strings(tmp_path: Path) -> None:
    """argv lists, `-m` command lines and the `from X import` lines of generated code
    (jinja2's compiler writes `"from jinja2.runtime import " + names`) are rewritten;
    anything else naming a moved module inside a longer string is only reported."""
    text = dedent("""
        import subprocess

        ARGV = ["python", "-m", "app.infra.attention.kernels"]
        LINE = "python -m app.core.base.agent_core --fast"
        HEADER = "from app.infra.attention.kernels import " + ", ".join(["K"])
        TEMPLATE = 'x = 1\\nfrom app.core.base.agent_core import AgentCore\\n'
        PROSE = "see app.infra.attention.kernels for the details"
        LAZY = "import app.infra.attention.kernels; app.infra.attention.kernels.K"


        def run():
            return subprocess.run(ARGV, check=False)
        """)
    repo = make_repo(tmp_path / "repo", {**BASE, "app/user.py": text})
    write_plan(repo / "plan.toml", [MOD, PKG], packages=["app"])
    diff = run("diff", repo / "plan.toml")
    assert 'app/user.py:7: [text] PROSE = "see app.infra.attention.kernels' in diff.out
    assert 'app/user.py:8: [text] LAZY = "import app.infra.attention.kernels;' in diff.out
    assert ('app/user.py:5: rewrote the module path quoted in the string "from '
            'app.infra.attention.kernels import"; check it') in diff.out
    assert run("apply", repo / "plan.toml").code == 0
    assert read(repo, "app/user.py") == text.replace(
        '"-m", "app.infra.attention.kernels"', '"-m", "app.infra.engine.attention.kernels"'
    ).replace("-m app.core.base.agent_core", "-m app.core.base.lifecycle.agent_core").replace(
        '"from app.infra.attention.kernels import "',
        '"from app.infra.engine.attention.kernels import "').replace(
        "from app.core.base.agent_core import AgentCore",
        "from app.core.base.lifecycle.agent_core import AgentCore")


def test_16_dotted_paths_in_tool_configuration(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "pyproject.toml": """
            [project]
            name = "demo"
            version = "1"

            [project.scripts]
            demo = "app.core.base.agent_core:main"  # the entry point

            [project.entry-points."demo.plugins"]
            kernels = "app.infra.attention.kernels:K"

            [tool.pytest.ini_options]
            addopts = "--cov=app.infra.attention --cov=app.infra.attention_utils"

            [[tool.mypy.overrides]]
            module = ["app.infra.attention.*"]
            # app.infra.attention is strict from now on
            """,
        "setup.cfg": """
            [options.entry_points]
            console_scripts =
                demo = app.core.base.agent_core:main
            """,
        "tox.ini": "[testenv]\ncommands = pytest --cov=app.infra.attention\n",
        "pytest.ini": "[pytest]\naddopts = --cov app.core.base.agent_core\n",
        ".importlinter": """
            [importlinter]
            root_package = app

            [importlinter:contract:layers]
            name = Layers
            type = layers
            layers =
                app.infra.attention
                app.core.base.agent_core
            """,
        "app/core/base/agent_core.py": "def main():\n    return 0\n",
    }
    repo = apply_case(tmp_path, files)
    assert read(repo, "pyproject.toml") == dedent("""
        [project]
        name = "demo"
        version = "1"

        [project.scripts]
        demo = "app.core.base.lifecycle.agent_core:main"  # the entry point

        [project.entry-points."demo.plugins"]
        kernels = "app.infra.engine.attention.kernels:K"

        [tool.pytest.ini_options]
        addopts = "--cov=app.infra.engine.attention --cov=app.infra.attention_utils"

        [[tool.mypy.overrides]]
        module = ["app.infra.engine.attention.*"]
        # app.infra.attention is strict from now on
        """)
    assert "demo = app.core.base.lifecycle.agent_core:main" in read(repo, "setup.cfg")
    assert "--cov=app.infra.engine.attention\n" in read(repo, "tox.ini")
    assert "--cov app.core.base.lifecycle.agent_core\n" in read(repo, "pytest.ini")
    assert "    app.infra.engine.attention\n    app.core.base.lifecycle.agent_core\n" in read(
        repo, ".importlinter")


def test_16_mentions_in_longer_text_are_listed_not_rewritten(tmp_path: Path) -> None:
    text = dedent('''
        """Talks to app.infra.attention.kernels for the heavy lifting."""
        # see app.core.base.agent_core for details
        MESSAGE = "moved from app.core.base.agent_core long ago"
        ''')
    files: dict[str, str | bytes] = {"app/user.py": text,
                                     "docs/design.md": "We use app.infra.attention here.\n"}
    repo = make_repo(tmp_path / "repo", {**BASE, **files})
    write_plan(repo / "plan.toml", [MOD, PKG], packages=["app"])
    diff = run("diff", repo / "plan.toml")
    assert "app/user.py:1: [text]" in diff.out
    assert "app/user.py:2: [comment]" in diff.out
    assert "app/user.py:3: [text]" in diff.out
    assert "docs/design.md:1: [text] We use app.infra.attention here." in diff.out
    assert run("apply", repo / "plan.toml").code == 0
    assert read(repo, "app/user.py") == text


def test_16_a_mention_after_a_page_break_keeps_its_line_number(tmp_path: Path) -> None:
    """A form feed line is one line, as CPython and git count it."""
    text = '"""Module."""\n\x0c\n# see app.core.base.agent_core for details\n'
    repo = make_repo(tmp_path / "repo", {**BASE, "app/user.py": text,
                                         "docs/notes.txt": "page\x0c\napp.infra.attention\n"})
    write_plan(repo / "plan.toml", [MOD, PKG], packages=["app"])
    diff = run("diff", repo / "plan.toml")
    assert "app/user.py:3: [comment]" in diff.out
    assert "docs/notes.txt:2: [text]" in diff.out


def test_17_runtime_identities_are_reported_not_rewritten(tmp_path: Path) -> None:
    text = dedent("""
        import logging
        import sys

        log = logging.getLogger("app.infra.attention")
        loaded = "app.core.base.agent_core" in sys.modules and sys.modules[
            "app.core.base.agent_core"]
        if __name__ == "app.infra.attention.kernels":
            print("main")
        if log.__module__ == "app.core.base.agent_core.sub":
            print("identity")
        if sys.__name__ != "app.infra.attention.ops":
            print("identity")
        """)
    repo = make_repo(tmp_path / "repo", {**BASE, "app/user.py": text})
    write_plan(repo / "plan.toml", [MOD, PKG], packages=["app"])
    diff = run("diff", repo / "plan.toml")
    assert '"app.infra.attention" is a logger name' in diff.out
    assert '"app.core.base.agent_core" is a sys.modules key' in diff.out
    assert '"app.infra.attention.kernels" is compared with __name__' in diff.out
    assert '"app.core.base.agent_core.sub" is compared with __name__' in diff.out
    assert '"app.infra.attention.ops" is compared with __name__' in diff.out
    assert run("apply", repo / "plan.toml").code == 0
    assert read(repo, "app/user.py") == text


def test_18_all_naming_a_moved_submodule_keeps_working_with_facades(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {
        "app/core/base/__init__.py": '__all__ = ["helpers", "agent_core"]\n',
        "app/user.py": "from app.core.base import *\n\nVALUE = agent_core.AgentCore().run()\n",
    }, facades=True)
    assert read(repo, "app/user.py").startswith("from app.core.base import *\n")


def test_18_all_naming_a_moved_submodule_without_facades_is_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {
        **BASE, "app/core/base/__init__.py": '__all__ = ["helpers", "agent_core"]\n'})
    write_plan(repo / "plan.toml", [MOD, PKG], packages=["app"], facades=False)
    diff = run("diff", repo / "plan.toml")
    assert ("app/core/base/__init__.py:1: __all__ names 'agent_core', which moves to "
            "app.core.base.lifecycle.agent_core") in diff.out


def test_19_shadowed_new_root_gets_an_alias(tmp_path: Path) -> None:
    moves = [("app.core.base.agent_core", "engine.agent_core")]
    repo = make_repo(tmp_path / "repo", {
        **BASE,
        "engine/__init__.py": "",
        "app/user.py": """
            import app.core.base.agent_core

            engine = "v8"


            def make():
                return app.core.base.agent_core.AgentCore(), engine
            """,
    })
    write_plan(repo / "plan.toml", moves, packages=["app", "engine"], facades=False)
    result = run("apply", repo / "plan.toml")
    assert result.code == 0, result.err
    assert read(repo, "app/user.py") == dedent("""
        import engine.agent_core as _engine_agent_core

        engine = "v8"


        def make():
            return _engine_agent_core.AgentCore(), engine
        """)


# -- files and packages ---------------------------------------------------------------------


def test_20_destination_package_is_created_with_init(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {})
    assert (repo / "app/core/base/lifecycle/__init__.py").read_text() == ""
    assert (repo / "app/infra/engine/__init__.py").read_text() == ""
    assert not (repo / "app/infra/attention").exists()


def test_21_module_moved_below_its_own_package_while_init_imports_it(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {
        "app/core/base/__init__.py": "from .agent_core import AgentCore\nfrom .helpers import h\n",
        "app/core/base/agent_core.py": """
            from . import helpers


            class AgentCore:
                def run(self):
                    return helpers.h()
            """,
    })
    assert read(repo, "app/core/base/__init__.py") == (
        "from .lifecycle.agent_core import AgentCore\nfrom .helpers import h\n")
    assert read(repo, "app/core/base/lifecycle/agent_core.py").startswith("from .. import helpers")


MERGE_FILES: dict[str, str | bytes] = {
    "app/infra/tokenization/__init__.py": '"""Vocabularies."""\nfrom .vocab import Vocab\n\n'
                                          '__all__ = ["Vocab"]\n',
    "app/infra/tokenization/vocab.py": "class Vocab:\n    pass\n",
    "app/infra/tokenizer/__init__.py": '"""Tokenizers."""\nfrom __future__ import annotations\n'
                                       'from .bpe import BPE\n\n__all__ = ["BPE"]\n',
    "app/infra/tokenizer/bpe.py": "from ..tokenization.vocab import Vocab\n\n\nclass BPE:\n"
                                  "    vocab = Vocab\n",
}
MERGE_MOVES = [("app.infra.tokenization", "app.infra.engine.tokenization"),
               ("app.infra.tokenizer", "app.infra.engine.tokenization")]


def test_22_merge_two_packages_into_one(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, MERGE_FILES, moves=MERGE_MOVES, facades=True)
    assert read(repo, "app/infra/engine/tokenization/bpe.py") == (
        "from .vocab import Vocab\n\n\nclass BPE:\n    vocab = Vocab\n")
    assert read(repo, "app/infra/engine/tokenization/__init__.py") == dedent('''
        """Vocabularies."""
        from __future__ import annotations
        from .vocab import Vocab

        __all__ = ["Vocab"]

        # --- merged from app/infra/tokenizer/__init__.py by pyagent-workbench ---
        # """Tokenizers."""
        from .bpe import BPE

        _merged_all = ["BPE"]
        __all__ = [*__all__, *_merged_all]
        del _merged_all
        ''')


def test_22_merge_refuses_a_file_name_in_both(tmp_path: Path) -> None:
    files = {**MERGE_FILES, "app/infra/tokenizer/vocab.py": "V = 2\n"}
    repo = make_repo(tmp_path / "repo", {**BASE, **files})
    write_plan(repo / "plan.toml", MERGE_MOVES, packages=["app"])
    result = run("apply", repo / "plan.toml")
    assert result.code == 2
    assert ("collision: 'app/infra/tokenization/vocab.py' and 'app/infra/tokenizer/vocab.py' "
            "would both land on 'app/infra/engine/tokenization/vocab.py'") in result.err


def test_22_merge_refuses_inits_binding_the_same_name(tmp_path: Path) -> None:
    files = {**MERGE_FILES, "app/infra/tokenizer/__init__.py": "from .bpe import BPE as Vocab\n"}
    repo = make_repo(tmp_path / "repo", {**BASE, **files})
    write_plan(repo / "plan.toml", MERGE_MOVES, packages=["app"])
    result = run("apply", repo / "plan.toml")
    assert result.code == 2
    assert "'Vocab' is defined by both" in result.err


def test_23_many_interdependent_moves_resolved_in_one_pass(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "app/infra/a.py": "from . import b\nfrom .c import C\n\nA = b.B + C\n",
        "app/infra/b.py": "from .c import C\n\nB = C + 1\n",
        "app/infra/c.py": "C = 1\n",
    }
    moves = [("app.infra.a", "app.infra.x.a"), ("app.infra.b", "app.infra.y.b"),
             ("app.infra.c", "app.infra.x.deep.c")]
    repo = apply_case(tmp_path, files, moves=moves)
    assert read(repo, "app/infra/x/a.py") == (
        "from ..y import b\nfrom .deep.c import C\n\nA = b.B + C\n")
    assert read(repo, "app/infra/y/b.py") == "from ..x.deep.c import C\n\nB = C + 1\n"


def test_24_package_move_carries_data_files_and_rewrites_stubs(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {
        "app/infra/attention/kernels.pyi": "from app.core.base.agent_core import AgentCore\n"
                                           "K: str\n",
        "app/infra/attention/templates/page.html": "<p>{{ x }}</p>\n",
        "app/infra/attention/weights.bin": b"\x00\x01\x02",
    })
    assert read(repo, "app/infra/engine/attention/kernels.pyi") == (
        "from app.core.base.lifecycle.agent_core import AgentCore\nK: str\n")
    assert read(repo, "app/infra/engine/attention/templates/page.html") == "<p>{{ x }}</p>\n"
    assert (repo / "app/infra/engine/attention/weights.bin").read_bytes() == b"\x00\x01\x02"


def test_25_stale_bytecode_removed_and_facade_does_not_shadow(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**BASE, ".gitignore": "__pycache__/\n"})
    cache = repo / "app/core/base/__pycache__"
    cache.mkdir()
    (cache / "agent_core.cpython-311.pyc").write_bytes(b"stale")
    (cache / "helpers.cpython-311.pyc").write_bytes(b"kept")
    write_plan(repo / "plan.toml", [MOD, PKG], packages=["app"], facades=True)
    assert run("apply", repo / "plan.toml").code == 0
    assert not (cache / "agent_core.cpython-311.pyc").exists()
    assert (cache / "helpers.cpython-311.pyc").exists()


def test_26_unparsable_file_referencing_nothing_moved_is_reported_and_left(tmp_path: Path) -> None:
    broken = "def broken(:\n    {{ template }}\n"
    repo = make_repo(tmp_path / "repo", {**BASE, "app/templates/page_tpl.py": broken})
    write_plan(repo / "plan.toml", [MOD, PKG], packages=["app"])
    diff = run("diff", repo / "plan.toml")
    assert "app/templates/page_tpl.py: cannot be parsed" in diff.out
    assert "refers to nothing moved, left as it is" in diff.out
    result = run("apply", repo / "plan.toml", "--no-verify")
    assert result.code == 0, result.err
    assert (repo / "app/templates/page_tpl.py").read_text() == broken


def test_26_unparsable_file_referencing_a_moved_module_stops_the_apply(tmp_path: Path) -> None:
    from support.repos import tree_digest

    broken = "import app.core.base.agent_core\ndef broken(:\n"
    repo = make_repo(tmp_path / "repo", {**BASE, "scripts/old_tool.py": broken})
    write_plan(repo / "plan.toml", [MOD, PKG], packages=["app"])
    before = tree_digest(repo)
    result = run("apply", repo / "plan.toml")
    assert result.code == 2
    assert "scripts/old_tool.py: line 2" in result.err
    assert "refers to a moved module" in result.err
    assert tree_digest(repo) == before


def test_implicitly_concatenated_strings_are_judged_as_one_string(tmp_path: Path) -> None:
    """A reference split over pieces is rewritten in the piece that changes; a
    concatenation that is not a reference as a whole (an error message naming the class,
    then a period) is left whole, never piece by piece."""
    repo = apply_case(tmp_path, {"app/user.py": """
        from unittest import mock

        PATCH = mock.patch("app.core.base." "agent_core.AgentCore.run")
        TARGET = ("app.core.base.agent_core"
                  ".AgentCore")
        MESSAGE = ("expected " "app.core.base.agent_core.AgentCore" " or None")
        MATCH = ("app.core.base.agent_core.AgentCore" ".")
        """})
    assert read(repo, "app/user.py") == dedent("""
        from unittest import mock

        PATCH = mock.patch("app.core.base.lifecycle." "agent_core.AgentCore.run")
        TARGET = ("app.core.base.lifecycle.agent_core"
                  ".AgentCore")
        MESSAGE = ("expected " "app.core.base.agent_core.AgentCore" " or None")
        MATCH = ("app.core.base.agent_core.AgentCore" ".")
        """)


@pytest.mark.parametrize("facades", [True, False])
def test_module_names_built_at_run_time_and_rewritten_keys_are_listed(
        tmp_path: Path, facades: bool) -> None:
    """`import_module(f"pkg.a.{name}")` and `"pkg.a." + name` build names no rewrite can
    see whole: listed for review (line by line) when modules under their fixed start
    moved, never changed; a dictionary key rewritten is listed too (a key may be data)."""
    repo = make_repo(tmp_path / "repo", {**BASE, "app/loader.py": dedent("""
        import importlib


        def load(name):
            return importlib.import_module(f"app.core.base.{name}")


        def load_again(name):
            return importlib.import_module("app.core.base." + name)


        def unrelated(name):
            return importlib.import_module(f"app.infra.{name}")  # nothing moved below


        KEYS = {"app.core.base.agent_core": 1}
        """)})
    write_plan(repo / "plan.toml", [MOD], packages=["app"], facades=facades)
    result = run("diff", repo / "plan.toml")
    assert result.code == 0, result.err
    assert ('app/loader.py:5: "app.core.base." starts a module name built at run time'
            in result.out)
    assert 'app/loader.py:9: "app.core.base." starts' in result.out
    assert "app.infra." not in result.out.split("to review:")[1]
    assert 'app/loader.py:16: rewrote the dictionary key "app.core.base.agent_core"' in (
        result.out)
    assert '-KEYS = {"app.core.base.agent_core": 1}' in result.out
    assert 'f"app.core.base.{name}"' not in result.out.split("to review:")[0]


def test_a_string_is_rewritten_only_when_it_names_something(tmp_path: Path) -> None:
    """A whole string that starts like a moved module's path is rewritten only when the
    rest names what that module defines (or a submodule); otherwise it is data (an
    environ key, a ContextVar's name) and is listed for review, unchanged."""
    repo = make_repo(tmp_path / "repo", {**BASE, "app/user.py": dedent("""
        from contextvars import ContextVar
        from unittest import mock

        PATCH = mock.patch("app.core.base.agent_core.AgentCore.run")
        MODULE = "app.core.base.agent_core"
        ENVIRON_KEY = "app.core.base.agent_core.preserve_context"
        CURRENT = ContextVar("app.core.base.agent_core.AgentCore")
        """)})
    write_plan(repo / "plan.toml", [MOD], packages=["app"])
    review = run("diff", repo / "plan.toml").out.split("to review:")[1]
    assert ('app/user.py:6: "app.core.base.agent_core.preserve_context" is not a module '
            'nor a name its module defines; left unchanged' in review)
    assert 'app/user.py:7: "app.core.base.agent_core.AgentCore" is a ContextVar name' in review
    result = run("apply", repo / "plan.toml", "--no-verify")
    assert result.code == 0, result.err
    assert read(repo, "app/user.py") == dedent("""
        from contextvars import ContextVar
        from unittest import mock

        PATCH = mock.patch("app.core.base.lifecycle.agent_core.AgentCore.run")
        MODULE = "app.core.base.lifecycle.agent_core"
        ENVIRON_KEY = "app.core.base.agent_core.preserve_context"
        CURRENT = ContextVar("app.core.base.agent_core.AgentCore")
        """)


def test_paths_in_tool_configuration_and_module_names_in_docs(tmp_path: Path) -> None:
    """Configuration naming moved files and folders (coverage, ruff's per-file-ignores,
    MANIFEST.in, CODEOWNERS) and documentation naming moved modules in directives and
    roles (Sphinx, mkdocstrings) follow the moves; prose, other paths and names that
    name nothing are left as they are."""
    repo = apply_case(tmp_path, {
        ".coveragerc": "[run]\nomit = app/core/base/agent_core.py\n"
                       "include = app/infra/attention/*\n    app/infra/attention_utils.py\n",
        "pyproject.toml": '[tool.ruff.lint.per-file-ignores]\n'
                          '"app/infra/attention/kernels.py" = ["E501"]\n'
                          '"vendor/app/infra/attention/x.py" = ["E501"]\n',
        "MANIFEST.in": "recursive-include app/infra/attention *.txt\n",
        "CODEOWNERS": "/app/infra/attention/ @attention-team\n"
                      "app/core/base/agent_core.py @core-team\n",
        "docs/api.rst": dedent("""
            Core
            ====

            .. automodule:: app.core.base.agent_core
               :members:

            See :class:`~app.core.base.agent_core.AgentCore`; app.core.base.agent_core
            is where it lives. :mod:`app.core.base.agent_core.nothing` names nothing.
            """),
        "docs/api.md": "# Kernels\n\n::: app.infra.attention.kernels\n",
    }, moves=[MOD, PKG], args=("--no-verify",))
    assert read(repo, ".coveragerc") == (
        "[run]\nomit = app/core/base/lifecycle/agent_core.py\n"
        "include = app/infra/engine/attention/*\n    app/infra/attention_utils.py\n")
    assert read(repo, "pyproject.toml") == (
        '[tool.ruff.lint.per-file-ignores]\n'
        '"app/infra/engine/attention/kernels.py" = ["E501"]\n'
        '"vendor/app/infra/attention/x.py" = ["E501"]\n')
    assert read(repo, "MANIFEST.in") == "recursive-include app/infra/engine/attention *.txt\n"
    assert read(repo, "CODEOWNERS") == ("/app/infra/engine/attention/ @attention-team\n"
                                        "app/core/base/lifecycle/agent_core.py @core-team\n")
    assert read(repo, "docs/api.rst") == dedent("""
        Core
        ====

        .. automodule:: app.core.base.lifecycle.agent_core
           :members:

        See :class:`~app.core.base.lifecycle.agent_core.AgentCore`; app.core.base.agent_core
        is where it lives. :mod:`app.core.base.agent_core.nothing` names nothing.
        """)
    assert read(repo, "docs/api.md") == "# Kernels\n\n::: app.infra.engine.attention.kernels\n"


def test_entry_points_in_setup_py_follow_the_moves(tmp_path: Path) -> None:
    """`name = pkg.mod:func` strings (a list, or an ini-style block) name modules."""
    repo = apply_case(tmp_path, {"setup.py": dedent("""
        from setuptools import setup

        setup(
            entry_points={
                "console_scripts": ["core = app.core.base.agent_core:main"],
                "app.plugins": "[app.plugins]\\nkernels = app.infra.attention.kernels:K\\n",
            },
        )
        """)}, moves=[MOD, PKG], args=("--no-verify",))
    assert read(repo, "setup.py") == dedent("""
        from setuptools import setup

        setup(
            entry_points={
                "console_scripts": ["core = app.core.base.lifecycle.agent_core:main"],
                "app.plugins": "[app.plugins]\\nkernels = app.infra.engine.attention.kernels:K\\n",
            },
        )
        """)


def test_dunder_import_without_a_fromlist_is_rewritten_and_listed(tmp_path: Path) -> None:
    """`__import__("a.b")` returns the top package and the code goes on by attributes
    (`m.b.f`), which no rewrite of the string follows: the string is rewritten (the
    import must work, facades or not) and listed; with a fromlist it returns the module
    itself, and nothing is listed."""
    repo = make_repo(tmp_path / "repo", {**BASE, "app/user.py": dedent("""
        top = __import__("app.core.base.agent_core")
        CORE = top.core.base.agent_core.AgentCore
        itself = __import__("app.core.base.agent_core", fromlist=["AgentCore"])
        """)})
    write_plan(repo / "plan.toml", [MOD], packages=["app"])
    review = run("diff", repo / "plan.toml").out.split("to review:")[1]
    assert ('app/user.py:1: rewrote "app.core.base.agent_core" (__import__ without a '
            'fromlist returns the top package' in review)
    assert review.count("__import__") == 1
    assert run("apply", repo / "plan.toml", "--no-verify").code == 0
    assert read(repo, "app/user.py") == dedent("""
        top = __import__("app.core.base.lifecycle.agent_core")
        CORE = top.core.base.agent_core.AgentCore
        itself = __import__("app.core.base.lifecycle.agent_core", fromlist=["AgentCore"])
        """)


# -- bytes that must not change ------------------------------------------------------------


def test_line_endings_encoding_and_quotes_survive(tmp_path: Path) -> None:
    crlf = (b"# -*- coding: latin-1 -*-\r\nfrom app.core.base import agent_core\r\n"
            b"NAME = '\xe9t\xe9'  # caf\xe9\r\nPATH = 'app.core.base.agent_core'\r\n")
    bom = "\ufeffimport app.core.base.agent_core as m\nx = 1\t# tab\n".encode()
    repo = apply_case(tmp_path, {"app/latin.py": crlf, "app/bom.py": bom})
    assert (repo / "app/latin.py").read_bytes() == (
        b"# -*- coding: latin-1 -*-\r\nfrom app.core.base.lifecycle import agent_core\r\n"
        b"NAME = '\xe9t\xe9'  # caf\xe9\r\nPATH = 'app.core.base.lifecycle.agent_core'\r\n")
    assert (repo / "app/bom.py").read_bytes() == (
        "\ufeffimport app.core.base.lifecycle.agent_core as m\nx = 1\t# tab\n".encode())


def test_unaffected_files_are_byte_identical(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {"app/other.py": "import os  # nothing moved here\n"})
    assert read(repo, "app/other.py") == "import os  # nothing moved here\n"
    status = git(repo, "status", "--porcelain", "--", "app/other.py", "app/core/config.py")
    assert status == ""


def test_colocated_test_file_moves_with_its_module(tmp_path: Path) -> None:
    repo = apply_case(tmp_path, {
        "app/core/base/agent_core_test.py": "from app.core.base.agent_core import AgentCore\n",
        "app/core/base/test_agent_core.py": "from .agent_core import AgentCore\n",
    }, facades=True)
    assert read(repo, "app/core/base/lifecycle/agent_core_test.py") == (
        "from app.core.base.lifecycle.agent_core import AgentCore\n")
    assert read(repo, "app/core/base/lifecycle/test_agent_core.py") == (
        "from .agent_core import AgentCore\n")
    assert not (repo / "app/core/base/agent_core_test.py").exists()  # no facade for tests


@pytest.mark.parametrize("old, new", [("st", "store"), ("tes", "checks"), ("t", "tt"),
                                      ("_test", "probe")])
def test_a_carried_test_is_renamed_by_its_shape_not_by_a_substring(
        tmp_path: Path, old: str, new: str) -> None:
    """`test_<name>.py` becomes `test_<new>.py`, `<name>_test.py` becomes `<new>_test.py`,
    whatever letters the name shares with `test_` (`test_st.py` for `st` -> `store` became
    `testore_st.py`, which pytest no longer collects)."""
    repo = apply_case(tmp_path, {
        f"app/core/{old}.py": "V = 1\n",
        f"app/core/test_{old}.py": f"from app.core.{old} import V\n",
        f"app/core/{old}_test.py": f"from app.core.{old} import V\n",
    }, moves=[(f"app.core.{old}", f"app.core.{new}")], args=("--no-verify",))
    assert read(repo, f"app/core/test_{new}.py") == f"from app.core.{new} import V\n"
    assert read(repo, f"app/core/{new}_test.py") == f"from app.core.{new} import V\n"
    assert not (repo / f"app/core/test_{old}.py").exists()


@pytest.mark.parametrize("facades", [True, False])
def test_git_history_follows_moved_files(tmp_path: Path, facades: bool) -> None:
    repo = apply_case(tmp_path, {}, facades=facades)
    git(repo, "commit", "-q", "-m", "apply plan")
    log = git(repo, "log", "--follow", "--format=%s", "--",
              "app/core/base/lifecycle/agent_core.py")
    assert log.split() == ["apply", "plan", "initial"]


def test_siblings_moved_together_keep_their_relative_imports(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "app/core/base/helpers.py": "from . import agent_core\nfrom .agent_core import AgentCore\n"
                                    "\n\ndef h():\n    return 2\n",
    }
    moves = [MOD, ("app.core.base.helpers", "app.core.base.lifecycle.helpers")]
    repo = apply_case(tmp_path, files, moves=moves)
    assert read(repo, "app/core/base/lifecycle/helpers.py") == (
        "from . import agent_core\nfrom .agent_core import AgentCore\n\n\ndef h():\n"
        "    return 2\n")


# -- code given to exec, eval and compile -------------------------------------------------------


CODE_USER = """
    import textwrap

    exec("import app.infra.attention.kernels")
    LOADED = eval("app.infra.attention.kernels.K")

    HOOKS = textwrap.dedent(\"\"\"
        import app.core.base.agent_core


        @app.core.base.agent_core.register
        def hook():
            return app.core.base.agent_core.AgentCore().run()
        \"\"\")


    def run_hooks():
        namespace = {}
        exec(compile(HOOKS, "<hooks>", "exec"), namespace)
        return namespace["hook"]()


    def kernel():
        namespace = {}
        exec("from app.infra.attention import kernels\\nimport app.infra.attention", namespace)
        return eval("app.infra.attention.kernels.K + kernels.K", namespace)
    """


def test_code_given_to_exec_runs_after_the_move(tmp_path: Path) -> None:
    """The code strings are rewritten with the code around them: after the apply (no
    facades) they import the modules at their new paths and run."""
    repo = apply_case(tmp_path, {
        "app/core/base/agent_core.py": """
            HOOKS = []


            def register(function):
                HOOKS.append(function)
                return function


            class AgentCore:
                def run(self):
                    return 3
            """,
        "app/user.py": CODE_USER,
    })
    assert read(repo, "app/user.py") == dedent(CODE_USER).replace(
        "app.infra.attention", "app.infra.engine.attention").replace(
        "app.core.base.agent_core", "app.core.base.lifecycle.agent_core")
    result = subprocess.run(
        [sys.executable, "-c", "from app import user; print(user.LOADED, user.run_hooks(), "
                               "user.kernel())"],
        cwd=repo, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "k 3 kk\n", "")
    assert not (repo / "app/infra/attention").exists()


def test_code_strings_that_cannot_be_rewritten_are_reported_at_their_line(
        tmp_path: Path) -> None:
    text = dedent("""
        def broken():
            exec("import app.core.base.agent_core\\nif True print(1)")


        def built(name):
            exec(f"import app.infra.attention.{name}\\nimport app.infra.attention.kernels")


        def fine():
            exec("import os")
        """)
    repo = make_repo(tmp_path / "repo", {**BASE, "app/user.py": text})
    write_plan(repo / "plan.toml", [MOD, PKG], packages=["app"])
    diff = run("diff", repo / "plan.toml")
    assert ("app/user.py:2: code given to exec() names app.core.base.agent_core but does "
            "not parse as Python (its line 2: invalid syntax); not rewritten: update it by "
            "hand") in diff.out
    assert ("app/user.py:6: code given to exec() is an f-string naming app.infra.attention; "
            "not rewritten: update it by hand") in diff.out
    assert "app/user.py:10" not in diff.out
    assert run("apply", repo / "plan.toml").code == 0
    assert read(repo, "app/user.py") == text


def test_18_all_naming_a_moved_submodule_the_init_still_binds_is_not_reported(
        tmp_path: Path) -> None:
    # `from . import agent_core` becomes `from app.core.base.lifecycle import agent_core`:
    # the package still binds the name, so `from app.core.base import *` works.
    repo = make_repo(tmp_path / "repo", {
        **BASE, "app/core/base/__init__.py":
            'from . import agent_core, helpers\n\n__all__ = ["helpers", "agent_core"]\n',
        "app/user.py": "from app.core.base import *\n\nVALUE = agent_core.AgentCore().run()\n"})
    write_plan(repo / "plan.toml", [MOD, PKG], packages=["app"], facades=False)
    diff = run("diff", repo / "plan.toml")
    assert diff.code == 0, diff.err
    assert "__all__ names" not in diff.out
    applied = run("apply", repo / "plan.toml")
    assert applied.code == 0 and "checked: OK" in applied.out, applied.out + applied.err
