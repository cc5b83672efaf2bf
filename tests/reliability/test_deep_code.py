"""Issue 15, category 6: valid Python never gives an internal error. Deep or long code
that CPython compiles (sums, boolean chains and implicit concatenations of hundreds to
thousands of operands, nested calls and brackets, long attribute, unary and `elif`
chains, a dict of 5,000 entries), LF or CRLF, beside a statement the plan rewrites,
inside it, or in a module the plan moves: every command that reads code runs as a real
process and rewrites it (the modules still compile and import, `verify` is OK), or
refuses in one line, `too deep for the rewriter: FILE:LINE`, leaving the tree
byte-identical. What CPython itself refuses (more than 200 nested brackets, nesting
past its recursion limit) is reported as the syntax error it is.

Before, libcst recursed on all of it: RecursionError (exit 70) from `diff`, `apply` and
`report`, and its parser overflowed the C stack (SIGSEGV) on deeply nested brackets."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.plans import review_and_approve, write_plan
from support.repos import make_repo, tree_digest

from . import stats
from .processes import APP, SCRIPT, cli, refused_in_one_line

TIMEOUT = 900
"""Seconds per command: libcst takes several seconds on a sum of 2,500 operands, and
the machine may be shared; a command that hangs fails the test instead of the suite."""

Shape = Callable[[int], str]
"""A deep expression: `n` -> its text."""

SHAPES: dict[str, tuple[Shape, tuple[int, ...]]] = {
    "sum": (lambda n: " + ".join(["1"] * n), (500, 1000, 2500)),
    "and_chain": (lambda n: " and ".join(["1"] * n), (500, 1000, 2500)),
    "and_or_mix": (lambda n: " ".join(f"1 {'and' if i % 2 else 'or'}" for i in range(n - 1))
                   + " 1", (1000,)),
    "concatenation": (lambda n: "(" + " ".join(['"a"'] * n) + ")", (500, 1000, 2500)),
    "nested_calls": (lambda n: "abs(" * n + "1" + ")" * n, (150,)),
    "nested_lists": (lambda n: "[" * n + "]" * n, (150,)),
    "nested_parentheses": (lambda n: "(" * n + "1" + ")" * n, (150,)),
    "attribute_chain": (lambda n: "(1)" + ".real" * n, (500, 1000, 2500)),
    "unary_chain": (lambda n: "-" * n + "1", (500, 1000, 2500)),
    "conditional_chain": (lambda n: "1 if Y0 else " * n + "1", (500, 1000)),
    "dict_literal": (lambda n: "{" + ", ".join(f"{i}: {i}" for i in range(n)) + "}", (5000,)),
}
"""Every shape CPython compiles at these sizes. Beside a rewritten statement, flat-for-
CPython shapes go further: see `BESIDE_ONLY`."""
ELIF_CHAINS = (500, 1000, 2500)
"""`if`/`elif` chains of that many branches: each `elif` is a block in the one before."""

BESIDE_ONLY: dict[str, tuple[Shape, tuple[int, ...]]] = {
    "long_and_chain": (lambda n: " and ".join(["1"] * n), (5000,)),
    "long_concatenation": (lambda n: "(" + " ".join(['"a"'] * n) + ")", (5000,)),
}
"""Flat lists for CPython, chains 5,000 deep for libcst: rewritten only because libcst
never sees them (the statement-level rewrite hands it the statements that change)."""

FILLER = "".join(f"Y{i} = {i}\n" for i in range(40))


def _elif_chain(n: int, test: str) -> str:
    branches = "".join(f"elif {test} == {i}:\n    X = {i}\n" for i in range(1, n))
    return f"if {test} == 0:\n    X = 0\n{branches}else:\n    X = -1\n"


def deep_module(shape: str, n: int, where: str, filler: str = FILLER) -> str:
    """A module importing `app.infra.db` (which the plan moves). `beside`: the deep code
    is a statement of its own, with a use of the moved module on the next line and
    another far below; `inside`: the statement holding the deep code names the moved
    module, so that it is the one to rewrite (for `elif_chain`: every branch's test)."""
    if where == "inside":
        deep = (_elif_chain(n, "app.infra.db.DB") if shape == "elif_chain"
                else f"X = (app.infra.db.DB, {_SHAPES_BY_NAME[shape](n)})\n")
        return f"import app.infra.db\n{filler}{deep}"
    deep = (_elif_chain(n, "Y0") if shape == "elif_chain"
            else f"X = {_SHAPES_BY_NAME[shape](n)}\n")
    return (f"import app.infra.db\n\n{filler}{deep}Y = app.infra.db.DB\n{filler}\n"
            f"def value():\n    return app.infra.db.DB\n")


_SHAPES_BY_NAME = {name: build for name, (build, _sizes) in {**SHAPES, **BESIDE_ONLY}.items()}


def deep_modules(where: str) -> dict[str, str]:
    """Module name -> text: every shape at every size, and the `elif` chains."""
    shapes = dict(SHAPES) if where == "inside" else {**SHAPES, **BESIDE_ONLY}
    sizes = {**{shape: shape_sizes for shape, (_build, shape_sizes) in shapes.items()},
             "elif_chain": ELIF_CHAINS}
    return {f"{shape}_{n}": deep_module(shape, n, where)
            for shape, shape_sizes in sizes.items() for n in shape_sizes}


def ended(text: str, newline: str) -> bytes:
    return text.replace("\n", newline).encode()


@pytest.fixture(autouse=True)
def _installed() -> None:
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")


def assert_no_internal_error(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "internal error" not in result.stderr, result.stderr[-3000:]
    assert result.returncode >= 0, f"killed by signal {-result.returncode}"


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("where", ["beside", "inside", "moved"])
def test_deep_code_is_rewritten_by_every_command(tmp_path: Path, where: str,
                                                 newline: str) -> None:
    modules = deep_modules("inside" if where == "inside" else "beside")
    files: dict[str, str | bytes] = {**APP, "app/features/__init__.py": ""}
    files.update({f"app/features/{name}.py": ended(text, newline)
                  for name, text in modules.items()})
    repo = make_repo(tmp_path / "repo", files)
    moves = [("app.infra.db", "app.storage.db")]
    if where == "moved":
        moves.append(("app.features", "app.product.features"))
    plan = review_and_approve(write_plan(
        tmp_path / "plan.toml", moves, packages=["app"],
        tiers=[("storage", "app.storage"), ("product", "app.product")]), repo)
    stats.bump("deep code inputs tried", len(modules))

    for command in (["suggest", ".", "--container", "app", "-o", tmp_path / "draft.toml"],
                    ["edges", plan, "--repo", "."],
                    ["check", plan, "--repo", "."],
                    ["diff", plan, "--repo", "."],
                    ["report", plan, "--repo", ".", "-o", tmp_path / "report.md"]):
        result = cli(repo, *command, timeout=TIMEOUT)
        assert_no_internal_error(result)
        assert result.returncode in ((0, 1) if command[0] == "check" else (0,)), result.stderr
    applied = cli(repo, "apply", plan, "--repo", ".", timeout=TIMEOUT)
    assert_no_internal_error(applied)
    assert applied.returncode == 0, applied.stderr
    verified = cli(repo, "verify", plan, "--repo", ".", timeout=TIMEOUT)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    listed = cli(repo, "facades", plan, "--repo", ".", "--list", timeout=TIMEOUT)
    assert_no_internal_error(listed)
    assert listed.returncode == 0, listed.stderr

    folder = repo / ("app/product/features" if where == "moved" else "app/features")
    for name, text in modules.items():
        after = (folder / f"{name}.py").read_bytes()
        expected = ended(text.replace("app.infra.db", "app.storage.db"), newline)
        assert after == expected, f"{name}: only the moved module's name changes"
        compile(after, name, "exec", dont_inherit=True)


TOO_DEEP: dict[str, tuple[int, bytes]] = {
    "and-chain of 5,000 in the statement to rewrite (LF)":
        (2, ended(deep_module("long_and_chain", 5000, "inside", filler=""), "\n")),
    "and-chain of 5,000 in the statement to rewrite (CRLF)":
        (2, ended(deep_module("long_and_chain", 5000, "inside", filler=""), "\r\n")),
    "concatenation of 4,000 strings in the statement to rewrite":
        (2, ended(deep_module("long_concatenation", 4000, "inside", filler=""), "\n")),
    "a latin-1 file (rewritten whole) with an and-chain of 5,000 beside":
        (5, ("# -*- coding: latin-1 -*-\n# \xe9t\xe9\n"
             + deep_module("long_and_chain", 5000, "beside", filler="")).encode("latin-1")),
}
"""(the line of the deep statement, the module's bytes): valid Python, deeper than the
rewriter follows, in a statement it must rewrite or a file it must rewrite whole."""


@pytest.mark.parametrize("case", list(TOO_DEEP))
def test_code_too_deep_for_the_rewriter_is_refused_in_one_line(tmp_path: Path,
                                                               case: str) -> None:
    line, content = TOO_DEEP[case]
    path = "app/features/deep.py"
    compile(content, path, "exec", dont_inherit=True)  # valid Python: CPython compiles it
    repo = make_repo(tmp_path / "repo", {**APP, "app/features/__init__.py": "", path: content})
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    before = tree_digest(repo)
    stats.bump("deep code inputs tried")
    for command in ("diff", "apply", "report"):
        result = cli(repo, command, plan, "--repo", ".", timeout=TIMEOUT)
        refused_in_one_line(result, f"too deep for the rewriter: {path}:{line} ")
        assert tree_digest(repo) == before


REFUSED_BY_PYTHON = {
    "1,500 nested parentheses": ("(" * 1500 + "1" + ")" * 1500, "too many nested parentheses"),
    "a sum of 5,000 operands": (" + ".join(["1"] * 5000), "nested too deeply for Python"),
}


@pytest.mark.parametrize("case", list(REFUSED_BY_PYTHON))
def test_what_python_refuses_is_reported_as_a_syntax_error(tmp_path: Path,
                                                           case: str) -> None:
    expression, reason = REFUSED_BY_PYTHON[case]
    text = f"import app.infra.db\n\nX = {expression}\n"
    with pytest.raises((SyntaxError, RecursionError, MemoryError)):
        compile(text, "deep.py", "exec", dont_inherit=True)
    repo = make_repo(tmp_path / "repo", {
        **APP, "app/features/__init__.py": "", "app/features/deep.py": text.encode(),
        "app/features/broken.py": b"import app.infra.db\n\nX = (\n",
        "scripts/deep.py": f"X = {expression}\n".encode()})
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    before = tree_digest(repo)
    stats.bump("deep code inputs tried", 2)
    for command in ("diff", "apply"):
        result = cli(repo, command, plan, "--repo", ".", timeout=TIMEOUT)
        assert_no_internal_error(result)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.splitlines()
        assert lines[0] == "error: cannot rewrite files that do not parse:", result.stderr
        # reported as the plain syntax error beside it is, file and line first
        assert any(line.startswith("error: app/features/broken.py: line ")
                   for line in lines), result.stderr
        assert any(line.startswith(f"error: app/features/deep.py: line 3: {reason}")
                   for line in lines), result.stderr
        assert tree_digest(repo) == before

    (repo / "app/features/deep.py").unlink()
    (repo / "app/features/broken.py").unlink()
    result = cli(repo, "diff", plan, "--repo", ".", timeout=TIMEOUT)
    assert_no_internal_error(result)
    assert result.returncode == 0, result.stderr
    assert f"scripts/deep.py: cannot be parsed (line 1: {reason}" in result.stdout


_PREVIEW_FROM_A_THREAD = """
import sys, threading
from pathlib import Path
from pyagent_workbench.application import opening, previewing

opened = opening.open_plan(Path(sys.argv[1]), Path(sys.argv[2]))
found = {}

def preview():
    whole = previewing.preview_plan(opened.workspace, opened.graph)
    one = previewing.preview_plan(opened.workspace, opened.graph, units=["app.infra.db"])
    found["texts"] = [c.new_bytes for result in (whole, one) for c in result.changes
                      if c.new_path.startswith("app/features/")]

worker = threading.Thread(target=preview)
worker.start()
worker.join()
assert found["texts"], "no deep module was rewritten"
for text in found["texts"]:
    assert b"app.storage.db" in text and b"app.infra.db" not in text
    compile(text, "deep.py", "exec", dont_inherit=True)
print("previewed", len(found["texts"]))
"""


def test_the_workbench_previews_deep_code_from_a_worker_thread(tmp_path: Path) -> None:
    # The workbench runs its diff in a worker thread, through the library.
    modules = {name: text for name, text in deep_modules("inside").items()
               if name in ("sum_1000", "elif_chain_1000", "concatenation_2500")}
    files: dict[str, str | bytes] = {**APP, "app/features/__init__.py": ""}
    files.update({f"app/features/{name}.py": ended(text, "\r\n")
                  for name, text in modules.items()})
    repo = make_repo(tmp_path / "repo", files)
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    stats.bump("deep code inputs tried", len(modules))
    result = subprocess.run([sys.executable, "-c", _PREVIEW_FROM_A_THREAD, str(plan), str(repo)],
                            capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == f"previewed {2 * len(modules)}"


def test_verify_reads_past_a_deep_literal_the_repos_code_prints(tmp_path: Path) -> None:
    # `apply` and `verify` import every module in a child interpreter and read its
    # results back as a Python literal: the repo's code runs there, and can print after
    # them a literal nested past the parser's limits.
    noisy = ('import atexit\n\natexit.register(lambda: print("@@RESULTS@@ " + "-" * 5000 '
             '+ "1"))\n')
    repo = make_repo(tmp_path / "repo", {**APP, "app/core/noisy.py": noisy})
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    stats.bump("deep code inputs tried")
    applied = cli(repo, "apply", plan, "--repo", ".", timeout=TIMEOUT)
    assert_no_internal_error(applied)
    assert applied.returncode == 0, applied.stderr
    verified = cli(repo, "verify", plan, "--repo", ".", timeout=TIMEOUT)
    assert_no_internal_error(verified)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_long_elif_chain_in_the_package_a_module_moves_into(tmp_path: Path) -> None:
    """The plan's checks read what the target package's `__init__` binds, statement by
    statement: a 1,500-branch `elif` chain there (valid Python) stopped `check`, `diff`
    and `apply` with RecursionError (exit 70)."""
    chain = _elif_chain(1500, "Y0")
    repo = make_repo(tmp_path / "repo", {
        **APP, "app/storage/__init__.py": FILLER + chain + "from app.core import base\n"})
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    review_and_approve(plan, repo)
    stats.bump("deep code inputs tried")
    for command in ("check", "diff", "apply"):
        result = cli(repo, command, plan, "--repo", ".", *(
            ("--no-verify",) if command == "apply" else ()), timeout=TIMEOUT)
        assert_no_internal_error(result)
    assert (repo / "app/storage/db.py").is_file()


def test_a_module_too_deep_for_every_parser_never_crashes_the_tool(tmp_path: Path) -> None:
    """60,000 `+` operands: beyond what CPython compiles (a syntax error to report),
    and beyond what grimp's Rust parser could recurse through on its default 2 MiB
    thread stack: the process died with SIGSEGV before its own limit answered."""
    deep = "X = " + " + ".join(["1"] * 60_000) + "\n"
    repo = make_repo(tmp_path / "repo", {**APP, "app/core/huge.py": deep})
    plan = write_plan(tmp_path / "plan.toml", [("app.infra.db", "app.storage.db")],
                      packages=["app"], tiers=[("storage", "app.storage")])
    stats.bump("deep code inputs tried")
    for args in (("suggest", "."), ("edges", plan, "--repo", "."),
                 ("diff", plan, "--repo", ".")):
        result = cli(repo, *args, timeout=TIMEOUT)
        assert result.returncode >= 0, f"{args[0]} killed by signal {-result.returncode}"
        assert_no_internal_error(result)
