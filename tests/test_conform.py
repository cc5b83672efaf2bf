"""What apply writes lints and formats as the project did before (issue 16, item 4): the
project's sorter (ruff's `I` rules, isort) and formatter (ruff-format, black) are read
from its config, and ruff, run for real, is the measure: a file clean before is clean
after, a file the project never kept sorted is left as the rewrite made it."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyagent_workbench.rewrite import conform, facades, longstrings
from pyagent_workbench.rewrite.engine import preview
from pyagent_workbench.rewrite.longstrings import may_split, split_long_strings
from pyagent_workbench.workspace import Workspace
from support.cli import run
from support.plans import write_plan
from support.repos import git, make_repo

RUFF = [sys.executable, "-m", "ruff"]

RUFF_PROJECT = """\
[tool.ruff]
line-length = 79

[tool.ruff.lint]
select = ["E", "F", "I", "W"]
"""

# `app.zeta` moves under `app.alpha`: its import now sorts before `app.beta`'s.
USER = """\
import os

from app.beta import b
from app.zeta import z


def use():
    return os.sep, b, z
"""


def _repo(tmp_path: Path, config: dict[str, str], user: str = USER) -> Path:
    return make_repo(tmp_path / "repo", {
        **config,
        "app/__init__.py": "",
        "app/beta.py": "b = 1\n",
        "app/zeta.py": "z = 2\n",
        "app/user.py": user,
    })


def _apply(repo: Path, moves: list[tuple[str, str]], *, facades_on: bool = False) -> None:
    write_plan(repo / "pyagent-plan.toml", moves, packages=["app"], facades=facades_on)
    result = run("apply", repo / "pyagent-plan.toml", "--no-verify")
    assert result.code == 0, result.out + result.err


def _ruff(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RUFF, *args, "--no-cache"], cwd=repo, capture_output=True,
                          text=True, check=False)


def test_a_rewritten_import_is_sorted_where_the_project_sorts_with_ruff(
        tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"pyproject.toml": RUFF_PROJECT})
    assert _ruff(repo, "check", "app").returncode == 0
    _apply(repo, [("app.zeta", "app.alpha.zeta")])
    assert (repo / "app/user.py").read_text() == USER.replace(
        "from app.beta import b\nfrom app.zeta import z\n",
        "from app.alpha.zeta import z\nfrom app.beta import b\n")
    assert _ruff(repo, "check", "app").returncode == 0


def test_a_file_the_project_never_sorted_is_left_as_the_rewrite_made_it(
        tmp_path: Path) -> None:
    unsorted = USER.replace("import os\n\nfrom app.beta import b\n",
                            "from app.beta import b\nimport os\n")
    repo = _repo(tmp_path, {"pyproject.toml": RUFF_PROJECT}, user=unsorted)
    _apply(repo, [("app.zeta", "app.alpha.zeta")])
    assert (repo / "app/user.py").read_text() == unsorted.replace(
        "app.zeta", "app.alpha.zeta")


def test_nothing_is_sorted_or_formatted_in_a_project_without_a_sorter_or_formatter(
        tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"setup.cfg": "[metadata]\nname = app\n"})
    _apply(repo, [("app.zeta", "app.alpha.zeta")])
    assert (repo / "app/user.py").read_text() == USER.replace("app.zeta", "app.alpha.zeta")


def test_the_plan_can_turn_conforming_off(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"pyproject.toml": RUFF_PROJECT})
    write_plan(repo / "pyagent-plan.toml", [("app.zeta", "app.alpha.zeta")],
               packages=["app"], facades=False)
    plan = (repo / "pyagent-plan.toml").read_text()
    (repo / "pyagent-plan.toml").write_text(
        plan.replace("[options]\n", "[options]\nconform = false\n"))
    result = run("apply", repo / "pyagent-plan.toml", "--no-verify")
    assert result.code == 0, result.out + result.err
    assert (repo / "app/user.py").read_text() == USER.replace("app.zeta", "app.alpha.zeta")


def _black_repo(tmp_path: Path, user: str, others: dict[str, str] | None = None) -> Path:
    """A project formatted by black at 60 columns, `app.user` importing two long names
    from `app.zeta` (the import outgrows the line once `app.zeta` moves deeper)."""
    return make_repo(tmp_path / "repo", {
        "pyproject.toml": "[tool.black]\nline-length = 60\n",
        "app/__init__.py": "",
        "app/zeta.py": "first_long_name = 1\nsecond_long_name = 2\n",
        "app/user.py": user,
        **(others or {}),
    })


def test_a_long_rewritten_import_is_wrapped_at_blacks_line_length(tmp_path: Path) -> None:
    user = ("from app.zeta import first_long_name, second_long_name\n\n"
            "print(first_long_name, second_long_name)\n")
    repo = _black_repo(tmp_path, user)
    _apply(repo, [("app.zeta", "app.storage.backends.zeta")])
    assert (repo / "app/user.py").read_text() == (
        "from app.storage.backends.zeta import (\n"
        "    first_long_name,\n"
        "    second_long_name,\n"
        ")\n\n"
        "print(first_long_name, second_long_name)\n")
    assert _ruff(repo, "format", "--check", "--line-length", "60", "app").returncode == 0


def test_isort_settings_are_followed_through_ruff(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {
        "setup.cfg": "[isort]\nforce_single_line = true\n",
        "app/__init__.py": "",
        "app/beta.py": "b = 1\n",
        "app/zeta.py": "y = z = 2\n",
        "app/user.py": "from app.beta import b\nfrom app.zeta import y\nfrom app.zeta import z\n"
                       "\nprint(b, y, z)\n",
    })
    assert conform.detect(repo).sorter == "isort"
    _apply(repo, [("app.zeta", "app.alpha.zeta")])
    assert (repo / "app/user.py").read_text() == (
        "from app.alpha.zeta import y\nfrom app.alpha.zeta import z\nfrom app.beta import b\n"
        "\nprint(b, y, z)\n")


@pytest.mark.parametrize("line_length", [72, 79, 88])
def test_facades_lint_and_format_clean_and_stay_recognised(tmp_path: Path,
                                                            line_length: int) -> None:
    config = RUFF_PROJECT.replace("line-length = 79", f"line-length = {line_length}")
    repo = make_repo(tmp_path / "repo", {
        "pyproject.toml": config,
        "app/__init__.py": "",
        "app/infrastructure/__init__.py": "",
        "app/infrastructure/shared_data_middleware.py": "value = 1\n",
        "app/infrastructure/cache/__init__.py": "",
        "app/infrastructure/cache/backend.py": "value = 2\n",
    })
    _apply(repo, [("app.infrastructure.shared_data_middleware",
                   "app.services.networking.middleware.shared_data_middleware"),
                  ("app.infrastructure.cache", "app.storage.persistent.cache")],
           facades_on=True)
    checked = _ruff(repo, "check", "--select", "E,W,I,F", "app")
    assert checked.returncode == 0, checked.stdout
    formatted = _ruff(repo, "format", "--check", "app")
    assert formatted.returncode == 0, formatted.stdout
    for path in ("app/infrastructure/shared_data_middleware.py",
                 "app/infrastructure/cache/__init__.py"):
        content = (repo / path).read_bytes()
        assert facades.as_generated(content), path
        # A dotted name cannot be wrapped: the type checkers' star import of a long one
        # says so (E501) instead.
        assert max(len(line) for line in content.decode().splitlines()
                   if not line.endswith("import *  # noqa: E501")) <= line_length
    git(repo, "commit", "-qam", "apply")
    removed = run("facades", repo / "pyagent-plan.toml", "--remove")
    assert removed.code == 0, removed.out + removed.err
    assert not (repo / "app/infrastructure/shared_data_middleware.py").exists()


def test_a_single_quoted_project_gets_single_quoted_facades(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {
        "ruff.toml": "[format]\nquote-style = 'single'\n",
        "app/__init__.py": "",
        "app/zeta.py": "z = 2\n",
    })
    _apply(repo, [("app.zeta", "app.alpha.zeta")], facades_on=True)
    facade = (repo / "app/zeta.py").read_text()
    assert "_NEW = 'app.alpha.zeta'" in facade
    assert facades.as_generated(facade.encode())
    assert _ruff(repo, "format", "--check", "app").returncode == 0


def test_the_diff_shows_the_sorted_text_apply_writes(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"pyproject.toml": RUFF_PROJECT})
    write_plan(repo / "pyagent-plan.toml", [("app.zeta", "app.alpha.zeta")],
               packages=["app"], facades=False)
    diff = run("diff", repo / "pyagent-plan.toml")
    assert diff.code == 0, diff.err
    assert "+from app.alpha.zeta import z\n from app.beta import b\n-from app.zeta import z" \
        in diff.out


def test_the_style_is_read_from_the_projects_config(tmp_path: Path) -> None:
    cases: dict[str, tuple[dict[str, str], tuple[object, ...]]] = {
        "ruff all": ({"pyproject.toml": '[tool.ruff]\nline-length = 100\n'
                                        '[tool.ruff.lint]\nselect = ["ALL"]\n'},
                     ("ruff", "ruff", 100)),
        "ruff lint, no I": ({"ruff.toml": '[lint]\nselect = ["E"]\n'}, (None, "ruff", 88)),
        "django": ({"pyproject.toml": '[tool.black]\ntarget-version = ["py310"]\n'
                                      '[tool.isort]\nprofile = "black"\n'
                                      'known_first_party = "django"\n'},
                   ("isort", "black", 88)),
        "pre-commit": ({".pre-commit-config.yaml": "repos:\n- repo: x\n  hooks:\n"
                                                   "  - id: black\n  - id: isort\n",
                        ".flake8": "[flake8]\nmax-line-length = 99\n"},
                       ("isort", "black", 88)),
        "flake8 only": ({"setup.cfg": "[flake8]\nmax-line-length = 99\n"}, (None, None, 99)),
        "nothing": ({}, (None, None, None)),
        "broken toml": ({"pyproject.toml": "[tool.ruff\n"}, (None, None, None)),
    }
    for name, (files, expected) in cases.items():
        root = make_repo(tmp_path / name.replace(" ", "-"), files, git_repo=False)
        style = conform.detect(root)
        assert (style.sorter, style.formatter, style.code_line_length) == expected, name
        assert style.flake8 == (name in ("pre-commit", "flake8 only")), name
    django = conform.detect(tmp_path / "django")
    assert 'lint.isort.known-first-party = ["django"]' in django.ruff_overrides


def test_a_project_linting_with_flake8_is_told_by_any_of_its_configs(tmp_path: Path) -> None:
    linting = {
        ".flake8": {".flake8": "[flake8]\nextend-ignore = E203\n"},
        "setup.cfg": {"setup.cfg": "[metadata]\nname = x\n[flake8]\nexclude = build\n"},
        "tox.ini": {"tox.ini": "[flake8]\nmax-line-length = 88\n"},
        "a tox environment": {"tox.ini": "[tox]\nenvlist = py\n[testenv:flake8]\n"
                                         "deps = flake8\ncommands = flake8 .\n"},
        "pyproject": {"pyproject.toml": "[tool.flake8]\nmax-line-length = 88\n"},
        "pre-commit": {".pre-commit-config.yaml": "repos:\n- repo: x\n  hooks:\n"
                                                  "  - id: flake8\n"},
    }
    not_linting = {
        "nothing": {},
        "pycodestyle alone": {"setup.cfg": "[pycodestyle]\nmax-line-length = 88\n"},
        "another tox environment": {"tox.ini": "[testenv:lint]\ncommands = ruff check\n"},
        "flake8 as a folder": {".flake8/README": "not a config\n"},
        "a broken setup.cfg": {"setup.cfg": "[flake8\nmax-line-length = 88\n"},
    }
    for name, files in {**linting, **not_linting}.items():
        root = make_repo(tmp_path / name.replace(" ", "-"), files, git_repo=False)
        assert conform.detect(root).flake8 == (name in linting), name


DJANGO_LIKE = {
    "pyproject.toml": '[tool.black]\ntarget-version = ["py310"]\n'
                      '[tool.isort]\nprofile = "black"\nknown_first_party = "app"\n',
    "setup.cfg": "[flake8]\nmax-line-length = 88\nextend-ignore = E203\n",
    "app/__init__.py": "",
    "app/infrastructure/__init__.py": "",
    "app/infrastructure/shared_data_middleware.py": "value = 1\n",
    "app/infrastructure/cache/__init__.py": "",
    "app/infrastructure/cache/backend.py": "value = 2\n",
    "app/user.py": "from app.infrastructure.cache.backend import value\n\nprint(value)\n",
}


def _flake8(repo: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8", *paths], cwd=repo,
                          capture_output=True, text=True, check=False)


def test_facades_pass_the_lint_of_a_project_linting_with_flake8(tmp_path: Path) -> None:
    """Django's way (black, isort, flake8 with its own settings): flake8 passes on what
    apply wrote, facades included, which the tool still recognises and removes."""
    repo = make_repo(tmp_path / "repo", DJANGO_LIKE)
    assert _flake8(repo, "app").returncode == 0
    _apply(repo, [("app.infrastructure.shared_data_middleware",
                   "app.services.networking.middleware.shared_data_middleware"),
                  ("app.infrastructure.cache", "app.storage.persistent.cache")],
           facades_on=True)
    linted = _flake8(repo, "app")
    assert linted.returncode == 0, linted.stdout
    facade_paths = ("app/infrastructure/shared_data_middleware.py",
                    "app/infrastructure/cache/__init__.py")
    for path in facade_paths:
        content = (repo / path).read_bytes()
        assert content.count(facades.FLAKE8_EXEMPTION + b"\n") == 1, path
        assert facades.as_generated(content), path
        # What the exemption spares it: the meant star import, twice (and the
        # package's black-style slice, where E203 is not ignored).
        (tmp_path / "bare.py").write_bytes(
            content.replace(facades.FLAKE8_EXEMPTION + b"\n", b""))
        bare = _flake8(tmp_path, "--max-line-length", "88", "bare.py")
        assert " F401 " in bare.stdout and " F403 " in bare.stdout, bare.stdout
    assert _ruff(repo, "check", "--select", "E,F,W", "--line-length", "88",
                 "app").returncode == 0
    git(repo, "commit", "-qam", "apply")
    removed = run("facades", repo / "pyagent-plan.toml", "--remove")
    assert removed.code == 0, removed.out + removed.err
    assert not any((repo / path).exists() for path in facade_paths)


@pytest.mark.parametrize("flake8", [False, True])
def test_a_crlf_project_gets_crlf_facades_still_recognised(tmp_path: Path,
                                                            flake8: bool) -> None:
    """ruff's formatter set to CRLF rewrites the facades' line endings before they are
    stamped (an internal error: the marker line was looked for before an LF) and
    exempted from flake8: both go in with the facade's own line ending, and the tool
    still knows its facades."""
    repo = make_repo(tmp_path / "repo", {
        "ruff.toml": '[format]\nline-ending = "cr-lf"\n',
        **({"setup.cfg": "[flake8]\nmax-line-length = 88\nextend-ignore = E203\n"}
           if flake8 else {}),
        "app/__init__.py": "",
        "app/zeta.py": "z = 2\r\n",
        "app/infra/__init__.py": "",
        "app/infra/cache.py": "c = 3\r\n",
    })
    _apply(repo, [("app.zeta", "app.alpha.zeta"), ("app.infra", "app.storage.infra")],
           facades_on=True)
    for path in ("app/zeta.py", "app/infra/__init__.py"):
        facade = (repo / path).read_bytes()
        assert b"\n" not in facade.replace(b"\r\n", b""), path
        assert b"\r\n# pyagent-workbench: sha256 " in facade, path
        assert (b"\r\n" + facades.FLAKE8_EXEMPTION + b"\r\n" in facade) == flake8, path
        assert facades.as_generated(facade), path
        if flake8:
            assert _flake8(repo, path).returncode == 0, path
    git(repo, "commit", "-qam", "apply")
    removed = run("facades", repo / "pyagent-plan.toml", "--remove")
    assert removed.code == 0, removed.out + removed.err
    assert not (repo / "app/zeta.py").exists()
    assert not (repo / "app/infra/__init__.py").exists()


def test_the_exemption_goes_in_even_without_the_ruff_directive() -> None:
    assert facades.exempt_from_flake8(b'"""x"""\r\nimport os\r\n') == (
        b'"""x"""\r\nimport os\r\n# flake8: noqa\r\n')
    assert facades.exempt_from_flake8(b"x = 1") == b"x = 1\n# flake8: noqa\n"


def test_a_project_without_flake8_gets_the_facades_as_ever(tmp_path: Path) -> None:
    files = {**DJANGO_LIKE, "setup.cfg": "[metadata]\nname = app\n"}
    repo = make_repo(tmp_path / "repo", files)
    _apply(repo, [("app.infrastructure.shared_data_middleware", "app.services.middleware")],
           facades_on=True)
    content = (repo / "app/infrastructure/shared_data_middleware.py").read_bytes()
    assert facades.FLAKE8_EXEMPTION not in content
    assert facades.as_generated(content)


def test_a_linked_config_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text('[tool.ruff.lint]\nselect = ["I"]\n')
    root = make_repo(tmp_path / "repo", {"app/__init__.py": ""}, git_repo=False)
    (root / "pyproject.toml").symlink_to(outside)
    assert not conform.detect(root).active


LONG_OLD = '''\
def test_tuple():
    with pytest.raises(
        ValueError,
        match=(
            r"'nargs' must be 1 \\(or None\\) for type <app\\.types\\.Tuple object at "
            r"0x[0-9A-Fa-f]+>"
        ),
    ):
        pass
'''


def test_a_string_the_rewrite_lengthened_is_cut_at_a_space_within_the_line_length() -> None:
    new = LONG_OLD.replace(r"app\.types", r"app\.parsing\.types")
    assert split_long_strings(new, LONG_OLD, 79) == new.replace(
        r"for type <app", 'for type "\n' + " " * 12 + r'r"<app')
    assert split_long_strings(LONG_OLD, LONG_OLD, 60) == LONG_OLD  # the project's own


@pytest.mark.parametrize("text", [
    'x = "a string the rewrite made, standing outside any brackets at all, so kept"\n',
    'f(f"an f-string the rewrite made, in brackets but not cut: {value} and more words")\n',
    'f(b"bytes the rewrite made, in brackets but not cut as they are bytes and long")\n',
    'f("\\N{LATIN SMALL LETTER A} a named escape holds spaces: the string is not cut at all")\n',
    'f(call(), "a string that does not stand first on its line is left as it is, long")\n',
])
def test_strings_that_cannot_be_cut_safely_are_left(text: str) -> None:
    assert split_long_strings(text, "", 40) == text


_LINE = st.tuples(
    st.sampled_from(["", "    ", "\t", "  \x0c"]),
    st.sampled_from(['"a string of words, long enough to cut",', "r'raw words in a string',",
                     'b"bytes are never cut here",', "x,", 'f"an {f} string",',
                     '"é accented words, too",', "", "# a comment with words"]),
    st.sampled_from(["", "  # and a comment after it"]))
_BREAK = st.sampled_from(["\n", "\n", "\r\n", "\r", "\x0c", "\x0b", "\u2028", "\x85"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_LINE, _BREAK), max_size=8), st.integers(min_value=10, max_value=60))
def test_what_the_bytes_check_clears_is_never_cut(lines: list[tuple[tuple[str, str, str], str]],
                                                 limit: int) -> None:
    """`may_split` clears a text without decoding it: cleared, the cutting leaves it
    as it is (and what it does not clear is, often enough, cut: `cut`)."""
    text = "f(\n" + "".join("".join(line) + end for line, end in lines) + ")\n"
    cut = split_long_strings(text, "", limit) != text
    if not may_split(text.encode("utf-8"), limit):
        assert not cut


_IMPORTING = st.lists(st.sampled_from(
    ["import a.b", "from a.b import c", "from  a import (", "import a, b.c as d", "\timport x",
     "  from .rel import y", "from import x", "import", "reimport x", "x = 'import a'",
     "fromage import", "from a.b  import*", "# import a", "\r", "\n", " ", "é", "\x00"]),
    max_size=12)


@settings(max_examples=400, deadline=None)
@given(_IMPORTING)
def test_the_import_lines_are_those_the_line_start_regex_finds(pieces: list[str]) -> None:
    """`import_lines` (the lines holding the word `import`, each matched at its start)
    finds what `_IMPORT_LINE` after every line break finds in the whole text."""
    text = "".join(pieces).encode("utf-8")
    whole = re.compile(b"\n" + conform._IMPORT_LINE.pattern)
    assert [m.groups() for m in conform.import_lines(text)] == [
        m.groups() for m in whole.finditer(b"\n" + text)]


_CUTTABLE = st.tuples(
    st.sampled_from(["", "    ", "\t", "  \x0c"]),
    st.sampled_from(['"a string of words, long enough to cut",', "r'raw words in a string',",
                     '"""a triple-quoted string of words""",', '"""opens a longer one',
                     'closes it""",', "'unterminated words", 'u"a u-string of words",',
                     'abc"a name before a string of words",', '"a" "b c d e f g h i j",',
                     'b"bytes are never cut here",', 'f"an {f} string of words",', "x,", ""]),
    st.sampled_from(["", "  # and a comment after it", " + 'more words'"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_CUTTABLE, _BREAK), max_size=8), st.lists(st.booleans(), max_size=8),
       st.integers(min_value=10, max_value=60))
def test_lines_read_alone_clear_only_what_the_whole_reading_leaves(
        lines: list[tuple[tuple[str, str, str], str]], in_old: list[bool], limit: int) -> None:
    """`split_long_strings` reads each new long line alone before it reads the whole
    file (`_left_alone`): it cuts exactly what reading the whole file always cut."""
    text = "f(\n" + "".join("".join(line) + end for line, end in lines) + ")\n"
    old = "".join("".join(line) + "\n" for (line, _), kept in zip(lines, in_old, strict=False)
                  if kept)
    with patch.object(longstrings, "_left_alone", lambda line, old, limit: False):
        whole = split_long_strings(text, old, limit)
    assert split_long_strings(text, old, limit) == whole


def test_a_form_feed_before_a_cut_string_loses_nothing() -> None:
    """A form feed breaks a line for `str.splitlines`, not for the tokenizer: counted the
    first way, the rows ran one behind and the cut replaced the line above the string's
    (here the first argument was lost and the second written twice)."""
    text = ('f(\x0c    "first argument, words words words words",\n'
            '    "second argument, words words words words words",\n)\n')
    cut = split_long_strings(text, "", 40)
    assert cut == ('f(\x0c    "first argument, words words words words",\n'
                   '    "second argument, words words "\n    "words words words",\n)\n')


_ODD = st.sampled_from(["\x0c", "\x0b", "\x1c", "\x85", "\u2028", "\r", ""])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "\x0c", "    ", "  \x0c  "]),
                          st.sampled_from(['"words of a string, long enough to cut here",',
                                           "x, 'a string after a name, words words words',",
                                           "y,", ""]),
                          _ODD, st.sampled_from(["\n", "\r\n"])), max_size=8),
       st.integers(min_value=10, max_value=50))
def test_a_cut_keeps_every_value_whatever_breaks_the_lines(
        lines: list[tuple[str, str, str, str]], limit: int) -> None:
    """Form feeds, lone carriage returns and separators `str.splitlines` honours, in
    comments and at line starts: every string keeps its value (the same tree)."""
    text = "f(\n" + "".join(f"{indent}{code}  # note{odd} here{end}"
                            for indent, code, odd, end in lines) + ")\n"
    try:
        before = ast.dump(ast.parse(text))
    except SyntaxError:
        return  # (a lone carriage return ends the comment: what follows may not parse)
    assert ast.dump(ast.parse(split_long_strings(text, "", limit))) == before


def test_the_bytes_check_finds_a_long_line_starting_with_a_string() -> None:
    line = '    "' + "word " * 20 + '",\n'
    assert may_split(("f(\n" + line + ")\n").encode(), 79)
    assert not may_split(("f(\n" + line + ")\n").encode(), len(line))
    assert not may_split(("x = 1  # " + "word " * 30 + "\n").encode(), 79)  # no string first
    assert may_split(("f(\r" + line + ")\n").encode(), 200)  # a lone CR: always a maybe


def test_a_lengthened_string_in_a_real_apply_is_cut_and_keeps_its_value(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {
        "pyproject.toml": RUFF_PROJECT,
        "app/__init__.py": "",
        "app/types.py": "class Tuple:\n    pass\n",
        "app/user.py": LONG_OLD.replace("def test_tuple", "import pytest\n\n\ndef test_tuple"),
    })
    _apply(repo, [("app.types", "app.parsing.types")])
    text = (repo / "app/user.py").read_text()
    assert 'for type "\n' + " " * 12 + r'r"<app\.parsing\.types\.Tuple object at "' in text
    assert _ruff(repo, "check", "app").returncode == 0


def test_a_page_break_before_a_lengthened_string_in_a_real_apply_loses_nothing(
        tmp_path: Path) -> None:
    """A form feed line (a page break, as some projects keep them) above the string: the
    cut lands on the string's own line, and the line above it stays."""
    user = "\x0c\n" + LONG_OLD.replace(
        "def test_tuple", "import pytest\n\n\ndef test_tuple").replace(
        '            r"\'nargs\'',
        '            r"a pattern the project wrote itself, long enough to pass 79 columns "\n'
        '            r"\'nargs\'')
    repo = make_repo(tmp_path / "repo", {
        "pyproject.toml": RUFF_PROJECT,
        "app/__init__.py": "",
        "app/types.py": "class Tuple:\n    pass\n",
        "app/user.py": user,
    })
    _apply(repo, [("app.types", "app.parsing.types")])
    text = (repo / "app/user.py").read_text()
    assert 'r"a pattern the project wrote itself, long enough to pass 79 columns "\n' in text
    assert 'for type "\n' + " " * 12 + r'r"<app\.parsing\.types\.Tuple object at "' in text
    moved = user.replace(r"app\.types", r"app\.parsing\.types")
    assert ast.dump(ast.parse(text)) == ast.dump(ast.parse(moved))


def test_a_file_the_project_left_unformatted_stays_so_whatever_its_output_format(
        tmp_path: Path) -> None:
    # werkzeug sets `output-format = "full"`: read as if clean, its five unformatted
    # files were formatted by the apply.
    unformatted = USER.replace("def use():", "def use( ):")
    repo = _repo(tmp_path, {"pyproject.toml": RUFF_PROJECT.replace(
        "[tool.ruff]\n", '[tool.ruff]\noutput-format = "full"\n')}, user=unformatted)
    _apply(repo, [("app.zeta", "app.alpha.zeta")])
    assert "def use( ):" in (repo / "app/user.py").read_text()


def test_a_file_named_like_an_option_is_sorted_like_any_other(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"pyproject.toml": RUFF_PROJECT})
    (repo / "-user.py").write_text(USER)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a script named like an option")
    _apply(repo, [("app.zeta", "app.alpha.zeta")])
    assert (repo / "-user.py").read_text() == (repo / "app/user.py").read_text()
    assert "from app.alpha.zeta import z\nfrom app.beta import b\n" in (
        repo / "-user.py").read_text()


def test_a_config_ruff_refuses_leaves_the_rewrite_as_made_with_a_warning(
        tmp_path: Path) -> None:
    # ruff's checks run side by side on the copy before the moves: one refusing the
    # project's settings stops both, and the apply goes on, unsorted, saying so.
    refused = RUFF_PROJECT + "no-such-setting = true\n"
    repo = _repo(tmp_path, {"pyproject.toml": refused})
    assert _ruff(repo, "check", "app").returncode == 2
    write_plan(repo / "pyagent-plan.toml", [("app.zeta", "app.alpha.zeta")], packages=["app"])
    result = run("apply", repo / "pyagent-plan.toml", "--no-verify")
    assert result.code == 0, result.out + result.err
    assert "imports not sorted and code not formatted as the project does (ruff" in result.out
    assert (repo / "app/user.py").read_text() == USER.replace("app.zeta", "app.alpha.zeta")


def test_a_file_sorted_but_not_formatted_before_is_sorted_only(tmp_path: Path) -> None:
    unformatted = USER.replace("def use():", "def use( ):")
    repo = _repo(tmp_path, {"pyproject.toml": RUFF_PROJECT}, user=unformatted)
    _apply(repo, [("app.zeta", "app.alpha.zeta")])
    assert (repo / "app/user.py").read_text() == unformatted.replace(
        "from app.beta import b\nfrom app.zeta import z\n",
        "from app.alpha.zeta import z\nfrom app.beta import b\n")


LONG_IMPORT_UNSORTED = (
    "from app.zeta import first_long_name_of_it, second_long_name_of_it\n"
    "import os\n\n\n"
    "def use():\n    return os.sep, first_long_name_of_it, second_long_name_of_it\n")
"""Not sorted (`import os` after `from`), formatted; moving `app.zeta` deeper makes its
import too long for the line length (79)."""


def _long_import_repo(tmp_path: Path, user: str) -> Path:
    return make_repo(tmp_path / "repo", {
        "pyproject.toml": RUFF_PROJECT,
        "app/__init__.py": "",
        "app/zeta.py": "first_long_name_of_it = 1\nsecond_long_name_of_it = 2\n",
        "app/user.py": user,
    })


def test_a_file_formatted_but_not_sorted_before_is_formatted_only(tmp_path: Path) -> None:
    # The rewrite makes the import too long: formatted (wrapped), never sorted.
    user = LONG_IMPORT_UNSORTED
    repo = _long_import_repo(tmp_path, user)
    assert _ruff(repo, "format", "--check", "app").returncode == 0
    assert _ruff(repo, "check", "app/user.py").returncode == 1  # I001: not sorted
    _apply(repo, [("app.zeta", "app.storage.backends.zeta")])
    assert (repo / "app/user.py").read_text() == (
        "from app.storage.backends.zeta import (\n"
        "    first_long_name_of_it,\n"
        "    second_long_name_of_it,\n"
        ")\n"
        "import os\n\n\n"
        "def use():\n    return os.sep, first_long_name_of_it, second_long_name_of_it\n")


def test_a_file_neither_sorted_nor_formatted_before_is_left_as_rewritten(
        tmp_path: Path) -> None:
    user = LONG_IMPORT_UNSORTED.replace("def use():", "def use( ):")
    repo = _long_import_repo(tmp_path, user)
    _apply(repo, [("app.zeta", "app.storage.backends.zeta")])
    assert (repo / "app/user.py").read_text() == user.replace(
        "app.zeta", "app.storage.backends.zeta")


def test_a_file_unsorted_and_unformatted_only_where_sorting_mends_it_is_left(
        tmp_path: Path) -> None:
    """Its one lapse of format is an import too long for the line, which sorting wraps
    as the formatter would: formatting after sorting changes nothing, so whether it was
    formatted is asked only once the sorter's check finds it was not sorted (then it
    would be formatted alone). It was not: left as the rewrite made it."""
    user = LONG_IMPORT_UNSORTED.replace(
        "second_long_name_of_it\nimport", "second_long_name_of_it, third_long_name_of_it\nimport")
    repo = _long_import_repo(tmp_path, user)
    (repo / "app/zeta.py").write_text("first_long_name_of_it = 1\nsecond_long_name_of_it = 2\n"
                                      "third_long_name_of_it = 3\n")
    git(repo, "commit", "-qam", "a third name")
    assert _ruff(repo, "format", "--check", "app/user.py").returncode == 1
    assert _ruff(repo, "check", "app/user.py").returncode == 1  # I001: not sorted
    _apply(repo, [("app.zeta", "app.storage.backends.zeta")])
    assert (repo / "app/user.py").read_text() == user.replace(
        "app.zeta", "app.storage.backends.zeta")


def test_a_mention_is_numbered_in_the_text_conform_leaves(tmp_path: Path) -> None:
    """Mentions are looked for while conform runs; in a file conform then changes (the
    wrapped import takes three more lines), they are numbered in its final text."""
    user = ("from app.zeta import first_long_name, second_long_name\n\n"
            "# app.zeta.first_long_name is the first\n"
            "print(first_long_name, second_long_name)\n")
    repo = _black_repo(tmp_path, user, {"app/other.py": "# app.zeta.second_long_name\nx = 1\n"})
    write_plan(repo / "pyagent-plan.toml", [("app.zeta", "app.storage.backends.zeta")],
               packages=["app"], facades=False)
    changes = preview(Workspace.open(repo, repo / "pyagent-plan.toml"))
    written = {c.new_path: c.new_bytes for c in changes.changes}
    assert written["app/user.py"].startswith(b"from app.storage.backends.zeta import (\n")
    assert [(m.path, m.line, m.text) for m in changes.mentions] == [
        ("app/other.py", 1, "# app.zeta.second_long_name"),
        ("app/user.py", 6, "# app.zeta.first_long_name is the first")]
