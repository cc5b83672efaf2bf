"""ruff's verdict on which files parse (`rewrite.syntax`): the statement-level rewrite
parses only the beginning of a file ruff finds valid, so ruff must never take a file
CPython refuses for one that parses."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pyagent_workbench
import pytest
from pyagent_workbench.rewrite import syntax
from support.codemod import parses


def test_valid_files_parse_and_the_others_do_not(tmp_path: Path) -> None:
    files = {
        "ok.py": b"import os\n\n\ndef f(x):\n    return os.path.join(x, 'a')\n",
        "broken.py": b"def f(:\n    pass\n",
        "-dash and space.py": b"x = 1\n",
        "pkg/deep.py": b"class A:\n    x = [\n        1,\n    ]\n",
        "unclosed.py": b'X = """never closed\n',
        "stub.pyi": b"def f() -> int: ...\n",
        "notes.txt": b"import os\n",
    }
    if sys.version_info < (3, 12):
        files["newer.py"] = b"type X = int\n"  # a syntax of a later Python
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    assert syntax.parsing_files(tmp_path, files) == {
        "ok.py", "-dash and space.py", "pkg/deep.py"}


def test_without_ruff_no_file_is_taken_to_parse(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n")
    monkeypatch.setattr(syntax, "ruff_binary", lambda: str(tmp_path / "no-such-ruff"))
    assert syntax.parsing_files(tmp_path, ["ok.py"]) == set()


def test_ruff_never_takes_a_file_cpython_refuses_for_one_that_parses(tmp_path: Path) -> None:
    """Random one-character edits of this tool's own source (the same test on 2,400
    edits of Django's files found no such file)."""
    sources = sorted(Path(pyagent_workbench.__file__).parent.rglob("*.py"))
    rng = random.Random(2026)
    alphabet = list(b"()[]{}:,.='\"\\ \n\tax#@*+-%")
    verdicts = {}
    for number in range(300):
        data = bytearray(rng.choice(sources).read_bytes())
        at = rng.randrange(len(data) or 1)
        edit = rng.randrange(3)
        if edit == 0 and data:
            del data[at]
        elif edit == 1:
            data[at:at] = bytes([rng.choice(alphabet)])
        elif data:
            data[at] = rng.choice(alphabet)
        name = f"m{number:03d}.py"
        (tmp_path / name).write_bytes(bytes(data))
        verdicts[name] = parses(bytes(data))
    parsing = syntax.parsing_files(tmp_path, verdicts)
    assert sum(not ok for ok in verdicts.values()) > 50  # the edits broke many files
    assert parsing, "ruff gave no verdict"
    assert [name for name in parsing if not verdicts[name]] == []
