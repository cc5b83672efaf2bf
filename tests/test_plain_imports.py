"""The commonest rewrite, `from a.b import c` with `a.b` moved, is made without libcst
(`statements._from_import`): the same bytes, counts and notes as libcst on the
whole file (`assert_rewrite` compares the two rewrites of every case). libcst is not run
when every statement that changes in a file is one, and sees only the others when not.
Everything else goes to libcst."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite.context import RewriteState
from pyagent_workbench.rewrite.engine import statement_pattern
from support.codemod import (
    _context,
    assert_rewrite,
    counting_libcst_runs,
    rewrite_both_ways,
)

MOVES = {"app.infra.db": "app.storage.db", "app.infra": "app.platform.infra",
         "app.core.jobs": "app.work.jobs", "app.core.tasks": "app.work.tasks",
         "app.core.named": "app.work.renamed", "app.core.top": "top"}
MODULES = ["app", "app.infra", "app.infra.db", "app.infra.cache", "app.core", "app.core.jobs",
           "app.core.tasks", "app.core.stays", "app.core.named", "app.core.top"]

PLAIN = {
    "one name": ("from app.infra.db import Engine\n",
                 "from app.storage.db import Engine\n"),
    "names, aliases and a comment": (
        "from app.infra.db import Engine as E,Pool ,  Row  # noqa: F401\n",
        "from app.storage.db import Engine as E,Pool ,  Row  # noqa: F401\n"),
    "wide spacing": ("from \t app.infra.db   import  Engine\n",
                     "from \t app.storage.db   import  Engine\n"),
    "in a function, beside an unchanged import": (
        "import os\n\n\ndef f():\n    from app.infra.db import Engine\n"
        "    from app.core import thing\n    return os, Engine, thing\n",
        "import os\n\n\ndef f():\n    from app.storage.db import Engine\n"
        "    from app.core import thing\n    return os, Engine, thing\n"),
    "a package's own name": ("from app.infra import helper\n",
                             "from app.platform.infra import helper\n"),
    "CRLF line endings": (b"from app.infra.db import Engine\r\nx = 1\r\n",
                          b"from app.storage.db import Engine\r\nx = 1\r\n"),
    "no line end at the end of the file": ("from app.infra.db import Engine",
                                           "from app.storage.db import Engine"),
    "brackets": ("from app.infra.db import (\n    Engine,\n)\n",
                 "from app.storage.db import (\n    Engine,\n)\n"),
    "brackets, comments and aliases over lines": (
        "from app.infra.db import (  # the engine\n    Engine as E,  # one\n"
        "    # between\n    Pool\n)  # after\n",
        "from app.storage.db import (  # the engine\n    Engine as E,  # one\n"
        "    # between\n    Pool\n)  # after\n"),
    "a backslash after import": ("from app.infra.db import \\\n    Engine\n",
                                 "from app.storage.db import \\\n    Engine\n"),
    "moved submodules in brackets": ("from app.core import (\n    jobs,\n    tasks,\n)\n",
                                     "from app.work import (\n    jobs,\n    tasks,\n)\n"),
    "a moved submodule": ("from app.core import jobs\n", "from app.work import jobs\n"),
    "moved submodules going to one package, one aliased": (
        "from app.core import jobs as j, tasks\n", "from app.work import jobs as j, tasks\n"),
    "a submodule moving with its package": ("from app.infra import cache, helper\n",
                                            "from app.platform.infra import cache, helper\n"),
}

TO_LIBCST = {
    "a submodule among the names": ("from app.infra import db, helper\n",
                                    "from app.storage import db\n"
                                    "from app.platform.infra import helper\n"),
    "a submodule going elsewhere than its package's names": (
        "from app.core import jobs, thing\n",
        "from app.work import jobs\nfrom app.core import thing\n"),
    "a submodule staying beside one moving": (
        "from app.core import jobs, stays\n",
        "from app.work import jobs\nfrom app.core import stays\n"),
    "a submodule moved to the top level": ("from app.core import top\n", "import top\n"),
    "a submodule renamed": ("from app.core import named\n",
                            "from app.work import renamed as named\n"),
    "a backslash before the module": ("from \\\n    app.infra.db import Engine\n",
                                      "from \\\n    app.storage.db import Engine\n"),
    "blanks inside the module's name": ("from app . infra.db import Engine\n",
                                        "from app.storage.db import Engine\n"),
    "submodules in brackets going to two places": (
        "from app.core import (\n    jobs,\n    stays,\n)\n",
        "from app.work import (\n    jobs,\n)\nfrom app.core import (\n    stays,\n)\n"),
    "a relative import": ("from .db import Engine\n", "from ...storage.db import Engine\n"),
    "a star": ("from app.infra.db import *\n", "from app.storage.db import *\n"),
    "two statements on a line": ("from app.infra.db import Engine; x = 1\n",
                                 "from app.storage.db import Engine; x = 1\n"),
    "a plain import": ("import app.infra.db\n\nx = app.infra.db.Engine\n",
                       "import app.storage.db\n\nx = app.storage.db.Engine\n"),
    "a plain import of the moved modules' root beside": (
        "import app\nfrom app.infra.db import Engine\n",
        "import app\nfrom app.storage.db import Engine\n"),
}



@pytest.mark.parametrize("case", list(PLAIN))
def test_plain_from_imports_are_rewritten_without_libcst(
        case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting_libcst_runs(monkeypatch)
    before, after = PLAIN[case]
    result = assert_rewrite(before, after, moves=MOVES, path="app/features/user.py",
                            modules=MODULES)
    assert result.changed_imports == 1
    assert calls == []  # (the whole-file rewrite `assert_rewrite` compares with is libcst)


@pytest.mark.parametrize("case", list(TO_LIBCST))
def test_anything_else_goes_to_libcst(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting_libcst_runs(monkeypatch)
    before, after = TO_LIBCST[case]
    assert_rewrite(before, after, moves=MOVES, path="app/infra/user.py"
                   if case == "a relative import" else "app/features/user.py",
                   modules=MODULES)
    assert calls, "libcst was not run"


def test_a_plan_applied_in_parts_goes_to_libcst(monkeypatch: pytest.MonkeyPatch) -> None:
    # `later`: the statement is grouped as the whole plan will group it.
    calls = counting_libcst_runs(monkeypatch)
    assert_rewrite("from app.infra.db import Engine\n", "from app.storage.db import Engine\n",
                   moves={"app.infra.db": "app.storage.db"}, path="app/features/user.py",
                   modules=MODULES, later={"app.infra": "app.platform.infra"})
    assert calls


def test_libcst_sees_only_the_statements_that_are_not_plain_imports(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting_libcst_runs(monkeypatch)
    result = assert_rewrite(
        "from app.infra.db import Engine\nfrom app.infra.db import (\n    Pool,\n)\n"
        "from app.core import thing\nfrom app.core import jobs, stays\n\n\ndef f():\n"
        "    from app.infra import helper\n    return 'app.infra.db.Row'\n",
        "from app.storage.db import Engine\nfrom app.storage.db import (\n    Pool,\n)\n"
        "from app.core import thing\nfrom app.work import jobs\nfrom app.core import stays\n"
        "\n\ndef f():\n    from app.platform.infra import helper\n"
        "    return 'app.storage.db.Row'\n",
        moves=MOVES, path="app/features/user.py", modules=MODULES)
    assert result.changed_imports == 4 and result.changed_strings == 1
    # The import split in two alone (the string is judged by its text: test_plain_strings),
    # in one libcst run of each statement-level rewrite `assert_rewrite` compares (from
    # the whole tree, from a part of it).
    assert calls == [1, 1]


_MODULES = st.sampled_from(["app.infra.db", "app.infra", "app.core", "app", "app.features"])
_NAMES = st.sampled_from(["Engine", "db", "cache", "helper", "jobs", "tasks", "stays", "named",
                          "top", "thing"])


@st.composite
def _from_import(draw: st.DrawFn) -> str:
    module = draw(_MODULES)
    imported = draw(st.lists(st.tuples(_NAMES, st.booleans()), min_size=1, max_size=4,
                             unique_by=lambda entry: entry[0]))
    parts = [f"{name} as {name}_" if aliased else name for name, aliased in imported]
    layout = draw(st.sampled_from(["line", "brackets", "lines", "comments", "backslash",
                                   "semicolon", "indented", "relative", "spaced"]))
    if layout == "brackets":
        return f"from {module} import ({', '.join(parts)})\n"
    if layout == "lines":
        return f"from {module} import (\n" + "".join(f"    {p},\n" for p in parts) + ")\n"
    if layout == "comments":
        return (f"from {module} import (  # a\n" + "".join(f"    {p},  # b\n" for p in parts)
                + "    # c\n)  # d\n")
    if layout == "backslash":
        return f"from {module} import \\\n    {', '.join(parts)}\n"
    if layout == "semicolon":
        return f"from {module} import {', '.join(parts)}; x = 1\n"
    if layout == "indented":
        return f"def f():\n    from {module} import {', '.join(parts)}\n"
    if layout == "relative":
        return f"from .{module.rpartition('.')[2]} import {', '.join(parts)}\n"
    if layout == "spaced":
        return f"from  {module}\t import  {' , '.join(parts)}  # e\n"
    return f"from {module} import {', '.join(parts)}\n"


@settings(max_examples=400, deadline=None)
@given(st.lists(_from_import(), min_size=1, max_size=5), st.booleans())
def test_from_imports_agree_with_libcst_however_laid_out(statements: list[str],
                                                         crlf: bool) -> None:
    """Random `from` imports of moved modules, of packages whose submodules move (to one
    place, to several, renamed, to the top level), laid out every way: the statement-
    level rewrite gives libcst's bytes, counts and notes (`rewrite_both_ways`)."""
    resolver = Resolver(dict(MOVES), frozenset(MODULES))
    source = "".join(statements)
    if crlf:
        source = source.replace("\n", "\r\n")
    rewrite_both_ways(source.encode(), _context("app/features/user.py", resolver),
                      RewriteState(resolver, statement_pattern(list(MOVES))))
