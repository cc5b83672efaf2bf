"""ruff's verdict on which files parse (`rewrite.syntax`): the statement-level rewrite
parses only the beginning of a file ruff finds valid, so ruff must never take a file
CPython refuses for one that parses."""

from __future__ import annotations

import os
import random
import sys
import warnings
from pathlib import Path

import pyagent_workbench
import pytest
from hypothesis import given
from hypothesis import strategies as st
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


def test_a_project_checked_in_several_runs_gets_the_same_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs of 3 files, two at a time: the answer is that of one run over them all, and
    # a run that cannot start (its files not vouched for) spoils no other.
    files = {f"m{n}.py": (b"def f(:\n" if n % 4 == 1 else b"x = 1\n") for n in range(11)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    whole = syntax.parsing_files(tmp_path, files)
    assert whole == {name for name, data in files.items() if data == b"x = 1\n"}
    monkeypatch.setattr(syntax, "_CHUNK", 3)
    started: list[int] = []
    real_popen = syntax.subprocess.Popen

    def counted(command: list[str], **kwargs: object) -> object:
        started.append(len(command))
        if len(started) == 2:
            raise OSError("no process for this run")
        return real_popen(command, **kwargs)

    monkeypatch.setattr(syntax.subprocess, "Popen", counted)
    parsing = syntax.Parsing(tmp_path, files)
    assert len(started) == 2  # two runs at a time, the others when one ends
    second = set(sorted(files)[3:6])
    assert parsing.result() == whole - second
    assert len(started) == 4


def test_a_check_stopped_leaves_no_process(tmp_path: Path) -> None:
    for n in range(50):
        (tmp_path / f"m{n}.py").write_text("x = 1\n" * 2000)
    parsing = syntax.Parsing(tmp_path, [f"m{n}.py" for n in range(50)])
    processes = [process for _, process in parsing._running]
    parsing.stop()
    assert processes and all(p is not None and p.returncode is not None for p in processes)


def test_findings_are_matched_through_a_linked_root(tmp_path: Path) -> None:
    """ruff reports resolved paths: a root reached through a link still gets its own
    files' verdicts (findings matched by the plain join first, then resolved)."""
    real = tmp_path / "real"
    (real / "pkg").mkdir(parents=True)
    (real / "pkg/ok.py").write_text("x = 1\n")
    (real / "pkg/broken.py").write_text("def f(:\n")
    (tmp_path / "link").symlink_to(real)
    assert syntax.parsing_files(tmp_path / "link", ["pkg/ok.py", "pkg/broken.py"]) == {
        "pkg/ok.py"}


def test_the_early_check_asks_only_what_the_sweeps_cache_does_not_hold(
        tmp_path: Path) -> None:
    """`runner.early_syntax_check`: started before a preview, it leaves out the files
    whose verdict the cache holds (for their size and mtime) and the files that are not
    regular (a FIFO would block ruff); what it leaves out is vouched for by no one."""
    from pyagent_workbench import cachefile
    from pyagent_workbench.rewrite import runner
    from pyagent_workbench.statedir import SYNTAX_CACHE

    for name, text in {"ok.py": "x = 1\n", "broken.py": "def f(:\n", "cached.py": "y = 2\n",
                       "stale.py": "z = 3\n"}.items():
        (tmp_path / name).write_text(text)
    os.mkfifo(tmp_path / "fifo.py")
    state = tmp_path / "state"
    state.mkdir()
    cached, stale = (tmp_path / "cached.py").stat(), (tmp_path / "stale.py").stat()
    cachefile.save(state / SYNTAX_CACHE, {
        "cached.py": [cached.st_mtime_ns, cached.st_size, None],
        "stale.py": [stale.st_mtime_ns, stale.st_size + 1, None]})
    early = runner.early_syntax_check(
        tmp_path, ["ok.py", "broken.py", "cached.py", "stale.py", "fifo.py"], state)
    try:
        assert early.result() == {"ok.py", "stale.py"}
    finally:
        early.stop()


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


def compiles(source: bytes) -> bool:
    """CPython's compiler's verdict (what the syntax sweep reports)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<case>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _blocks(kind: str, count: int) -> str:
    lines = []
    for level in range(count):
        indent = " " * level
        lines += ([f"{indent}try:", f"{indent} pass", f"{indent}except E:"] if kind == "except"
                  else [f"{indent}for a{level} in b:"])
    return "\n".join([*lines, " " * count + "pass"]) + "\n"


ONLY_THE_COMPILER_REFUSES = {
    "return at the top": "return 1\n",
    "return in a class in a function": "def f():\n    class C:\n        return 1\n",
    "break outside a loop": "break\n",
    "continue in a function in a loop": "for x in y:\n    def f():\n        continue\n",
    "yield in a class": "class C:\n    yield 1\n",
    "yield in a comprehension": "def f():\n    return [(yield) for y in z]\n",
    "await outside async": "def f():\n    await x\n",
    "async for outside async": "def f():\n    async for x in y: pass\n",
    "async comprehension outside async": "def f():\n    return [x async for x in y]\n",
    "yield from in async": "async def f():\n    yield from x\n",
    "return with a value in an async generator": "async def f():\n    yield 1\n    return 2\n",
    "nonlocal without a binding": "def f():\n    nonlocal x\n",
    "nonlocal and global":
        "def f():\n    x = 1\n    def g():\n        global x\n        nonlocal x\n",
    "used before global": "def f():\n    print(x)\n    global x\n",
    "import star in a function": "def f():\n    from os import *\n",
    "two starred targets": "a, *b, *c = d\n",
    "bare except not last": "try:\n    pass\nexcept:\n    pass\nexcept E:\n    pass\n",
    "late future import": "import os\nfrom __future__ import annotations\n",
    "unknown future feature": "from __future__ import braces\n",
    "noqa on the error": "return 1  # noqa: F706\n",
    "noqa for the file": "# ruff: noqa\nreturn 1\n",
    "unknown encoding": "# coding: no-such-codec\nx = 1\n",
    "a BOM and another encoding": "\ufeff# coding: latin-1\nx = 1\n",
    "an int of 5,000 digits": "x = " + "9" * 5000 + "\n",
    "21 loops nested": _blocks("for", 21),
    "11 handlers nested": _blocks("except", 11),
    "3,000 operators on short lines": "X = (1\n" + "    + 1\n" * 3000 + ")\n",
    "3,000 elifs": "if x == 0:\n    pass\n" + "".join(
        f"elif x == {n}:\n    pass\n" for n in range(1, 3000)),
    "1,500 nested brackets": "X = " + "(" * 1500 + "1" + ")" * 1500 + "\n",
}


def test_the_sweep_never_takes_a_file_cpythons_compiler_refuses(tmp_path: Path) -> None:
    """What ruff's parser and its compiler rules take, CPython's compiler refuses in
    these: each is either refused by ruff or sent to CPython (`beyond_ruff`)."""
    for number, (case, text) in enumerate(ONLY_THE_COMPILER_REFUSES.items()):
        (tmp_path / f"c{number:02d}.py").write_text(text, encoding="utf-8")
        assert not compiles(text.encode("utf-8")), case
    names = {f"c{number:02d}.py": case for number, case in enumerate(ONLY_THE_COMPILER_REFUSES)}
    taken = syntax.parsing_files(tmp_path, names, compiling=True)
    missed = [names[name] for name in sorted(taken)
              if not syntax.beyond_ruff((tmp_path / name).read_bytes())]
    assert missed == []
    # and ruff alone misses some of them (what beyond_ruff is for)
    assert {"return with a value in an async generator", "unknown encoding",
            "21 loops nested", "3,000 elifs"} <= {
        names[name] for name in taken}


def test_what_the_sweep_leaves_to_ruff_is_most_of_the_code(tmp_path: Path) -> None:
    """The tool's own modules: ruff finds them valid, and few go to CPython."""
    sources = sorted(Path(pyagent_workbench.__file__).parent.rglob("*.py"))
    texts = {str(path.relative_to(Path(pyagent_workbench.__file__).parent)): path.read_bytes()
             for path in sources}
    root = Path(pyagent_workbench.__file__).parent
    assert syntax.parsing_files(root, texts, compiling=True) == set(texts)
    beyond = [name for name, text in texts.items() if syntax.beyond_ruff(text)]
    assert len(beyond) < len(texts) / 4, beyond


def _deepest(text: bytes) -> int:
    """The brackets' depth, relative to the shallowest point before (a stray closing
    bracket never hides a level)."""
    depth = lowest = deepest = 0
    for byte in text:
        if byte in b"([{":
            depth += 1
        elif byte in b")]}":
            depth -= 1
            lowest = min(lowest, depth)
        deepest = max(deepest, depth - lowest)
    return deepest


@given(text=st.text(alphabet="()[]{}x", max_size=300).map(str.encode),
       levels=st.integers(1, 40))
def test_brackets_as_deep_as_a_limit_are_always_seen(text: bytes, levels: int) -> None:
    may = syntax._brackets_may_nest(text, levels)
    if _deepest(text) >= levels:
        assert may
    balanced = text.translate(bytes.maketrans(b"[{]}", b"(())"), b"x")
    while b"()" in balanced:
        balanced = balanced.replace(b"()", b"")
    if not balanced:  # every bracket paired: the answer is exact
        assert may == (_deepest(text) >= levels)


HEADER_TEXTS = st.lists(st.sampled_from(["def", "class", "async", " ", "\t", "\n", "x", "(",
                                         "+", "def ", "\nclass ", "\n  async def "]),
                        max_size=25).map("".join).map(str.encode)


@given(text=HEADER_TEXTS)
def test_the_headers_found_are_the_regexs(text: bytes) -> None:
    assert syntax._function_or_class_headers(text) == [
        m.span() for m in syntax._FUNCTION_OR_CLASS.finditer(text)]


def test_a_chain_is_counted_between_headers_only() -> None:
    def chain(terms: int) -> bytes:
        return b"    x = (\n" + b"        a +\n" * terms + b"        a)\n"
    assert syntax.near_parser_limits(b"def f():\n" + chain(1_600))
    assert syntax.near_parser_limits(b"class A:\n" + chain(800) + chain(800))
    assert not syntax.near_parser_limits(b"def f():\n" + chain(800) + b"def g():\n" + chain(800))
    assert not syntax.near_parser_limits(
        b"def f():\n" + chain(800) + b"async  def g():\n" + chain(800))
