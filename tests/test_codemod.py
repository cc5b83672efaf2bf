"""The before/after helper (support/codemod.py), and the rewrite of single files through
it: each case is the input code and the exact output, and each runs through both the
whole-file and the statement-level rewrite."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.rewrite import statements
from pyagent_workbench.rewrite.files import FileRewrite
from support.codemod import assert_rewrite, assert_rewrites_agree, fixture_text
from support.plans import write_plan
from support.repos import make_repo

MOVES = {"app.core.base.agent_core": "app.core.base.lifecycle.agent_core",
         "app.infra.attention": "app.infra.engine.attention"}


def test_fixture_text_dedents_and_keeps_bytes_as_they_are() -> None:
    assert fixture_text("""
        import os
            x = 1
        """) == b"import os\n    x = 1\n"
    assert fixture_text(b"a = 1\r\n") == b"a = 1\r\n"


def test_plain_import_and_its_dotted_uses() -> None:
    result = assert_rewrite("""
        import app.core.base.agent_core


        def make():
            return app.core.base.agent_core.AgentCore()
        """, """
        import app.core.base.lifecycle.agent_core


        def make():
            return app.core.base.lifecycle.agent_core.AgentCore()
        """, moves=MOVES)
    assert (result.changed_imports, result.changed_strings) == (1, 0)


def test_from_import_split_keeps_its_comment() -> None:
    assert_rewrite("""
        from app.core.base import helpers, agent_core  # c
        """, """
        from app.core.base import helpers  # c
        from app.core.base.lifecycle import agent_core
        """, moves=MOVES, modules=[*MOVES, "app", "app.core", "app.core.base",
                                   "app.core.base.helpers"])


def test_relative_imports_of_a_moved_file_gain_a_dot() -> None:
    assert_rewrite("""
        from ..config import Y
        from .helpers import h
        """, """
        from ...config import Y
        from ..helpers import h
        """, moves=MOVES, path="app/core/base/agent_core.py")


def test_dotted_strings_in_headers_and_statements() -> None:
    result = assert_rewrite("""
        from unittest import mock


        @mock.patch("app.infra.attention.kernels.K")
        def patched(k) -> "app.core.base.agent_core.AgentCore":
            return mock.patch("app.core.base.agent_core.AgentCore.run")
        """, """
        from unittest import mock


        @mock.patch("app.infra.engine.attention.kernels.K")
        def patched(k) -> "app.core.base.lifecycle.agent_core.AgentCore":
            return mock.patch("app.core.base.lifecycle.agent_core.AgentCore.run")
        """, moves=MOVES)
    assert result.changed_strings == 3


def test_runtime_identity_is_left_and_reported() -> None:
    assert_rewrite("""
        import logging

        log = logging.getLogger("app.infra.attention")
        """, """
        import logging

        log = logging.getLogger("app.infra.attention")
        """, moves=MOVES, problems=[
            'app/user.py:3: "app.infra.attention" is a logger name; left unchanged, review it'])


def test_docstrings_and_comments_are_not_rewritten() -> None:
    text = '''
        """See app.core.base.agent_core."""
        # app.infra.attention is elsewhere now
        '''
    assert_rewrite(text, text, moves=MOVES)


def test_crlf_and_another_encoding_go_through_the_whole_file_rewrite() -> None:
    assert_rewrite(b"# -*- coding: latin-1 -*-\r\nfrom app.core.base import agent_core\r\n"
                   b"NAME = '\xe9t\xe9'\r\n",
                   b"# -*- coding: latin-1 -*-\r\nfrom app.core.base.lifecycle import agent_core"
                   b"\r\nNAME = '\xe9t\xe9'\r\n", moves=MOVES)


def test_a_file_that_does_not_parse_gives_no_text() -> None:
    assert_rewrite("def broken(:\n", None, moves=MOVES)


def test_a_wrong_expectation_fails_with_both_texts() -> None:
    with pytest.raises(AssertionError) as failure:
        assert_rewrite("import app.core.base.agent_core\n", "import app.core.base.agent_core\n",
                       moves=MOVES)
    assert ("expected:\nimport app.core.base.agent_core\n\ngot:\n"
            "import app.core.base.lifecycle.agent_core\n") in str(failure.value)


def test_a_disagreement_between_the_two_rewrites_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong(source: bytes, context: object, state: object) -> FileRewrite:
        return FileRewrite("app/user.py", source)

    monkeypatch.setattr(statements, "rewrite_file", wrong)
    with pytest.raises(AssertionError, match="the two rewrites disagree"):
        assert_rewrite("import app.core.base.agent_core\n",
                       "import app.core.base.lifecycle.agent_core\n", moves=MOVES)


def test_every_file_of_a_repo_is_checked(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {
        "app/__init__.py": "",
        "app/core/__init__.py": "",
        "app/core/base/__init__.py": "from .agent_core import AgentCore\n",
        "app/core/base/agent_core.py": "class AgentCore:\n    pass\n",
        "app/user.py": "import app.core.base.agent_core\n",
        "app/other.py": "import os\n",
    }, git_repo=False)
    plan = write_plan(repo / "plan.toml", [next(iter(MOVES.items()))], packages=["app"])
    assert assert_rewrites_agree(repo, plan) == 2


def test_merging_an_empty_init_leaves_no_lone_marker() -> None:
    """An `__init__.py` with nothing of its own (empty, blank lines, only a `from
    __future__` import that moves to the top) adds nothing to the merge: no
    `# --- merged from ... ---` comment over an empty section."""
    from pyagent_workbench.rewrite.merge import InitPart, merge_inits

    kept = InitPart("app/a/__init__.py", b"from .x import X\n")
    for empty in (b"", b"\n\n", b"from __future__ import annotations\n"):
        merged = merge_inits([kept, InitPart("app/b/__init__.py", empty)])
        assert b"merged from" not in merged, merged
        assert merged.endswith(b"from .x import X\n")
    merged = merge_inits([InitPart("app/a/__init__.py", b""),
                          InitPart("app/b/__init__.py", b"from .y import Y\n")])
    assert merged == (b"# --- merged from app/b/__init__.py by pyagent-workbench ---\n"
                      b"from .y import Y\n")
