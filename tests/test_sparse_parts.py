"""The statement-level rewrite from a part of a file (`statements._parts`) agrees with
libcst on the whole file, on files made at random from pieces that look like top-level
statements to a careless reader: code at the margin inside strings and brackets, line
continuations, decorators with comments, quotes in comments and comments in strings,
CRLF line endings. Seeded: the same files every run."""

from __future__ import annotations

import ast
import random

import pytest
from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite import statements
from pyagent_workbench.rewrite.context import FileContext
from pyagent_workbench.rewrite.files import statement_pattern
from pyagent_workbench.rewrite.statements import RewriteState
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


@pytest.mark.parametrize("seed", range(4))
def test_a_part_of_a_file_rewrites_it_as_libcst_does_the_whole(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = recording_parts(monkeypatch)
    state = RewriteState(Resolver(MOVES, frozenset(MODULES)), statement_pattern(list(MOVES)))
    context = FileContext("app/user.py", "app.user", False, "app.user")
    files = _files(seed, 100)
    for source in files:
        comparison = statements.compare_rewrites(source, context, state, parses=True)
        assert comparison.agree, f"{source.decode()}\n{comparison.explain()}"
    assert sum(part is not None for part in parsed) > len(files) / 2  # parts were read
