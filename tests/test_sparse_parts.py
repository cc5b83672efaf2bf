"""The statement-level rewrite from a part of a file (`statements._parts`) agrees with
libcst on the whole file, on files made at random from pieces that look like top-level
statements to a careless reader: code at the margin inside strings and brackets, line
continuations, decorators with comments, quotes in comments and comments in strings,
CRLF line endings, and classes and functions whose bodies hold the same (read in part:
`statements._body_parts`). Seeded: the same files every run."""

from __future__ import annotations

import ast
import random
from typing import Any

import pytest
from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite import statements
from pyagent_workbench.rewrite.context import FileContext, RewriteState
from pyagent_workbench.rewrite.files import statement_pattern
from support.codemod import recording_parts

MOVES = {"app.core.base.agent_core": "app.core.base.lifecycle.agent_core",
         "app.infra.attention": "app.infra.engine.attention"}
MODULES = [*MOVES, "app", "app.core", "app.core.base", "app.core.base.helpers", "app.infra",
           "app.infra.attention.kernels"]

PIECES = [
    'from app.core.base import agent_core\n',
    'from app.infra.attention import kernels as k, x\n',
    'import os\n',
    'X = "app.infra.attention.Thing"\n',
    'def f():\n    from app.core.base import agent_core\n    return agent_core\n',
    'S = """\nfrom app.core.base import agent_core\nx = 1\n"""\n',
    "T = '''\n@decorator\nclass Fake:\n'''\n",
    'Q = (\n"app.core.base.agent_core"\n)\n',
    'V = 1 + \\\n2\n',
    '@dec\n# a comment\nclass C:\n    """from app.infra import attention"""\n'
    '    y = "app.core.base.agent_core.A"\n',
    '@dec(\n"app.infra.attention")\ndef g():\n    pass\n',
    "R = rb'\\x00' + b'''\nz\n'''\n",
    "F = f\"{'a'}\" + F'{1}' + Rb\"\\\\\"\n",
    'try:\n    import app.core.base.agent_core\nexcept ImportError:\n    pass\n',
    'if True:\n    pass\nelif False:\n    pass\nelse:\n    W = "app.core.base.agent_core"\n',
    'L = [\n1,\n# ]\n2,\n]\n',
    '# "\nM = 1  # \'\n',
    'class K:\n    def m(self):\n        return "app.infra.attention.x"\n',
    'N = "a\\\nb"\n',
    "P = 'it''s' \"q\"\"\"\n",
    '\f\nE = 1\n',
    'async def h():\n    await x\n',
    'with open(x) as y:\n    pass\n',
    'G = {\n"k": """\n)\n""",\n}\n',
    'def long():\n' + '    a = 1\n' * 60,
    # Classes and functions, read in part (`_body_parts`) when long enough:
    'class A(B):\n    """doc"""\n    x = 1\n\n    def m(self):\n'
    '        from app.core.base import agent_core\n        return agent_core\n\n'
    '    def n(self):\n        return 2\n',
    'class D:\n    @dec\n    # c\n    def m(self):\n        return "app.infra.attention.k"\n'
    '    y = (\n    "app.core.base.agent_core"\n    )\n'
    '    s = """\n    def fake(self):\n    import os\n    """\n',
    'class E:\n    z = 1 + \\\n    2\n    if X:\n        def f(self):\n            pass\n'
    '    else:\n        W = "app.core.base.agent_core"\n',
    'def outer():\n    import os\n    def inner():\n'
    '        from app.infra.attention import kernels\n        return kernels\n    return inner\n',
    'class F: x = "app.infra.attention.y"\n',
    'class G(\n    Base,\n):\n    a = 1\n    def h(self): return "app.core.base.agent_core.Z"\n',
    'async def co():\n    async with x:\n        pass\n    from app.core.base import agent_core\n',
    '@dec\nclass H:\n\n    # at the body\'s indentation\n    """doc"""\n    def i(self):\n'
    '        try:\n            import app.core.base.agent_core\n        except ImportError:\n'
    '            pass\n',
    'class T:\n\tdef m(self):\n\t\treturn "app.infra.attention.q"\n\tdef n(self):\n\t\treturn 1\n',
    'class U:\n    a = 1\n\f\n    def m(self):\n        return "app.infra.attention.w"\n'
    '    b = \'\'\'\n    c = 2\n\'\'\'\n',
]


def _files(seed: int, count: int) -> list[bytes]:
    chance = random.Random(seed)
    files: list[bytes] = []
    while len(files) < count:
        text = "".join(chance.choice(PIECES) + "\n" * chance.randint(0, 2)
                       for _ in range(chance.randint(2, 40)))
        if chance.random() < 0.2:
            text = text.replace("\n", "\r\n")
        try:
            ast.parse(text)
        except SyntaxError:
            continue  # (pieces side by side can make a file that does not parse)
        files.append(text.encode())
    return files


@pytest.mark.parametrize("split_from", [statements._SPLIT_FROM, 0])
@pytest.mark.parametrize("seed", range(4))
def test_a_part_of_a_file_rewrites_it_as_libcst_does_the_whole(
        seed: int, split_from: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """`split_from` 0: every class and function holding a spot is read in part."""
    monkeypatch.setattr(statements, "_SPLIT_FROM", split_from)
    parsed = recording_parts(monkeypatch)
    state = RewriteState(Resolver(MOVES, frozenset(MODULES)), statement_pattern(list(MOVES)))
    context = FileContext("app/user.py", "app.user", False, "app.user")
    body_parts = statements._body_parts
    split: list[int] = []

    def recording(*args: Any, **kwargs: Any) -> list[tuple[int, int]]:
        parts = body_parts(*args, **kwargs)
        split.append(len(parts))
        return parts

    monkeypatch.setattr(statements, "_body_parts", recording)
    files = _files(seed, 100)
    for source in files:
        comparison = statements.compare_rewrites(source, context, state, parses=True)
        assert comparison.agree, f"{source.decode()}\n{comparison.explain()}"
    assert sum(part is not None for part in parsed) > len(files) / 3  # parts were read
    if not split_from:
        assert sum(count > 1 for count in split) > len(files)  # bodies were read in part
