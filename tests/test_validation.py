"""Every invalid plan is refused with a message naming the entry (and its line), exit
status 2, and nothing written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support.cli import run
from support.repos import make_repo, tree_digest

REPO: dict[str, str | bytes] = {
    "src/__init__.py": "",
    "src/infrastructure/__init__.py": "",
    "src/infrastructure/attention/__init__.py": "",
    "src/infrastructure/attention/paged.py": "X = 1\n",
    "src/infrastructure/tokenization/__init__.py": "",
    "src/infrastructure/tokenization/base.py": "A = 1\n",
    "src/infrastructure/tokenizer/__init__.py": "",
    "src/infrastructure/tokenizer/base.py": "B = 1\n",
    "src/infrastructure/cache/__init__.py": "",
    "src/core/__init__.py": "",
    "src/core/base/__init__.py": "",
    "src/core/base/agent_core.py": "C = 1\n",
    "src/core/base/lifecycle.py": "L = 1\n",
}

HEAD = """\
schema = 1
status = "approved"

[repo]
source_root = "."
packages = ["src"]

"""


def move(source: str, target: str) -> str:
    return f'[[moves]]\nsource = "{source}"\ntarget = "{target}"\n\n'


CASES = {
    "bad TOML": (
        HEAD + '[[moves]]\nsource = "src.infrastructure.attention\n',
        "plan.toml:9: invalid TOML"),
    "unknown schema": (
        HEAD.replace("schema = 1", "schema = 2"),
        "plan.toml:1: unknown schema 2"),
    "missing schema": (
        HEAD.replace("schema = 1\n", ""), "missing 'schema = 1'"),
    "unknown status": (
        HEAD.replace('"approved"', '"done"'),
        "plan.toml:2: unknown status 'done'"),
    "unknown source": (
        HEAD + move("src.infrastructure.atention", "src.infrastructure.engine.attention"),
        "plan.toml:9: move #1: source 'src.infrastructure.atention' is not a module of the repo "
        "(did you mean 'src.infrastructure.attention'?)"),
    "unknown source below a line separator in a comment": (
        HEAD.replace('"approved"', '"approved"  # reviewed\u2028by the team')
        + move("src.infrastructure.atention", "src.infrastructure.engine.attention"),
        "plan.toml:9: move #1: source 'src.infrastructure.atention' is not a module"),
    "duplicate source": (
        HEAD + move("src.infrastructure.attention", "src.infrastructure.engine.attention")
        + move("src.infrastructure.attention", "src.infrastructure.compute.attention"),
        "plan.toml:13: move #2 (src.infrastructure.attention): source "
        "'src.infrastructure.attention' is moved twice (also by move #1)"),
    "target inside its own source": (
        HEAD + move("src.infrastructure.attention", "src.infrastructure.attention.engine"),
        "plan.toml:10: move #1 (src.infrastructure.attention): target "
        "'src.infrastructure.attention.engine' lies inside its own source"),
    "keyword in target": (
        HEAD + move("src.infrastructure.attention", "src.infrastructure.class.attention"),
        "plan.toml:10: move #1 (src.infrastructure.attention): target "
        "'src.infrastructure.class.attention' is not a valid dotted module name ('class' is a "
        "Python keyword)"),
    "path as target": (
        HEAD + move("src.infrastructure.attention", "src/infrastructure/engine"),
        "is not a valid dotted module name (use dots, not a path)"),
    "target escaping with dots": (
        HEAD + move("src.infrastructure.attention", "..engine.attention"),
        "is not a valid dotted module name (empty part between dots)"),
    "non-identifier target": (
        HEAD + move("src.infrastructure.attention", "src.infrastructure.2fast"),
        "('2fast' is not an identifier)"),
    "chain": (
        HEAD + move("src.infrastructure.attention", "src.infrastructure.cache.attention")
        + move("src.infrastructure.cache", "src.infrastructure.storage.cache"),
        "plan.toml:10: move #1 (src.infrastructure.attention): target "
        "'src.infrastructure.cache.attention' lies in 'src.infrastructure.cache', which move #2 "
        "moves away (chain)"),
    "cycle": (
        HEAD + move("src.core.base.agent_core", "src.core.base.lifecycle.agent_core")
        + move("src.core.base.lifecycle", "src.core.base.agent_core.lifecycle"),
        "moves away (cycle)"),
    "merge with its own subpackage": (
        HEAD + move("src.infrastructure", "src.platform")
        + move("src.infrastructure.attention", "src.platform"),
        "move #2 (src.infrastructure.attention): lands on 'src.platform' like move #1 "
        "(src.infrastructure), which contains it: a package cannot be merged with its own "
        "subpackage"),
    "collision after the moves": (
        HEAD + move("src.infrastructure.tokenization", "src.infrastructure.engine.tokenization")
        + move("src.infrastructure.tokenizer", "src.infrastructure.engine.tokenization"),
        "collision: 'src/infrastructure/tokenization/base.py' and "
        "'src/infrastructure/tokenizer/base.py' would both land on "
        "'src/infrastructure/engine/tokenization/base.py'"),
    "collision with a file that stays": (
        HEAD + move("src.core.base.agent_core", "src.core.base.lifecycle"),
        "collision: 'src/core/base/agent_core.py' would land on 'src/core/base/lifecycle.py', "
        "which exists already"),
    "a package's own file as target": (
        HEAD + move("src.core.base.lifecycle", "src.core.__init__"),
        "plan.toml:10: move #1 (src.core.base.lifecycle): target 'src.core.__init__': "
        "'__init__' is the file of a package itself"),
    "a dunder package in the target": (
        HEAD + move("src.core.base.lifecycle", "src.core.__pycache__.lifecycle"),
        "'__pycache__' cannot name a package"),
    "targets differing only in case": (
        HEAD + move("src.core.base.lifecycle", "src.core.base.Agent_core"),
        "'src/core/base/Agent_core.py' and 'src/core/base/agent_core.py' would differ only "
        "in case"),
    "source_root escaping the repo": (
        HEAD.replace('source_root = "."', 'source_root = "../elsewhere"'),
        "plan.toml:5: [repo] source_root '../elsewhere' escapes the repo"),
    "absolute source_root": (
        HEAD.replace('source_root = "."', 'source_root = "/etc"'),
        "plan.toml:5: [repo] source_root '/etc' must be a path relative to the repo"),
    "wrong type": (
        HEAD + "[options]\nfacades = \"yes\"\n",
        "plan.toml:9: [options] facades must be true or false, not a string"),
    "unknown key in a move": (
        HEAD + move("src.infrastructure.attention", "src.infrastructure.engine.attention")
        .replace("\n\n", '\ndestination = "x"\n\n'),
        "plan.toml:11: move #1: unknown key 'destination'"),
    "undeclared tier": (
        HEAD + move("src.infrastructure.attention", "src.infrastructure.engine.attention")
        .replace("\n\n", '\ntier = "engine"\n\n'),
        "plan.toml:11: move #1 (src.infrastructure.attention): tier 'engine' is not declared"),
    "bad verdict": (
        HEAD + '[[reviews]]\nimporter = "a.b"\nimported = "c.d"\nverdict = "ok"\n',
        "plan.toml:11: review #1 (a.b -> c.d): unknown verdict 'ok'"),
}


@pytest.mark.parametrize("command", ["apply", "diff", "check", "edges"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_plan_is_refused_and_nothing_changes(tmp_path: Path, case: str,
                                                     command: str) -> None:
    text, message = CASES[case]
    repo = make_repo(tmp_path / "repo", REPO)
    (repo / "plan.toml").write_text(text)
    before = tree_digest(repo)
    result = run(command, repo / "plan.toml")
    assert result.code == 2, (result.out, result.err)
    assert message in result.err, result.err
    assert "Traceback" not in result.err
    assert result.err.startswith("error: ")
    assert tree_digest(repo) == before


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        schema = 1
        status = "maybe"

        [[moves]]
        source = "a"
        target = "a.b"

        [[moves]]
        source = "c"
        target = "if.x"
        """)
    repo = make_repo(tmp_path / "repo", REPO)
    (repo / "plan.toml").write_text(text)
    result = run("apply", repo / "plan.toml")
    lines = result.err.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("error: ") and "unknown status 'maybe'" in lines[0]
    assert "plan.toml:6: move #1 (a): target 'a.b' lies inside its own source" in lines[1]
    assert "plan.toml:10: move #2 (c): target 'if.x'" in lines[2]
