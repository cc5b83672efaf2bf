"""String literals naming a moved module are rewritten without libcst where nothing
around them changes how the string rewriter judges them (`statements._strings_alone`):
the same bytes, counts and review notes as libcst on the whole file (`assert_rewrite`
compares the rewrites of every case). A literal whose place decides (an identity, a
module's name given to a call, an annotation, code run, a piece of a concatenation, an
f-string) sends its statement to libcst."""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
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

MOVES = {"app.infra.db": "app.storage.db"}
MODULES = ["app", "app.infra", "app.infra.db", "app.core"]

WITHOUT_LIBCST = {
    "an assigned path": ("PATH = 'app.infra.db.Engine'\n", "PATH = 'app.storage.db.Engine'\n"),
    "a call's argument": ('patch("app.infra.db.Engine")\n', 'patch("app.storage.db.Engine")\n'),
    "a keyword argument": ('settings(ENGINE="app.infra.db", x=1)\n',
                           'settings(ENGINE="app.storage.db", x=1)\n'),
    "a dictionary's key and value": (
        'MAP = {"app.infra.db": "app.infra.db.Engine", "other": 1}\n',
        'MAP = {"app.storage.db": "app.storage.db.Engine", "other": 1}\n'),
    "paths quoted in a longer string": (
        'run("python -m app.infra.db --check")\nx = "from app.infra.db import Engine"\n',
        'run("python -m app.storage.db --check")\nx = "from app.storage.db import Engine"\n'),
    "an escaped path in a pattern": ('check(match=r"app\\.infra\\.db\\.Engine")\n',
                                     'check(match=r"app\\.storage\\.db\\.Engine")\n'),
    "prefixes and a triple-quoted string": (
        "x = [r'app.infra.db', u\"app.infra.db.Engine\", '''app.infra.db''']\n",
        "x = [r'app.storage.db', u\"app.storage.db.Engine\", '''app.storage.db''']\n"),
    "an uppercase prefix, kept": ('x = R"app.infra.db"\n', 'x = R"app.storage.db"\n'),
    "a tail after the path": ('NAME = "app.infra.db:main"\n', 'NAME = "app.storage.db:main"\n'),
    "two statements on a line": ('a = "app.infra.db"; b = "app.infra.db.Engine"\n',
                                 'a = "app.storage.db"; b = "app.storage.db.Engine"\n'),
    "wide characters before it": ('a = "é—"; b = "app.infra.db.Engine"\n',
                                  'a = "é—"; b = "app.storage.db.Engine"\n'),
    "an escaped quote inside": ('x = "app.infra.db.Engine: a \\"quoted\\" word"\n',
                                'x = "app.storage.db.Engine: a \\"quoted\\" word"\n'),
    "in a function, CRLF": (b"def f():\r\n    return 'app.infra.db.Engine'\r\n",
                            b"def f():\r\n    return 'app.storage.db.Engine'\r\n"),
    "a decorator": ('@patch("app.infra.db.Engine")\ndef test():\n    pass\n',
                    '@patch("app.storage.db.Engine")\ndef test():\n    pass\n'),
    "a default, a with and a for": (
        'def f(x="app.infra.db"):\n    with patch("app.infra.db.E"):\n'
        '        for m in ["app.infra.db"]:\n            pass\n',
        'def f(x="app.storage.db"):\n    with patch("app.storage.db.E"):\n'
        '        for m in ["app.storage.db"]:\n            pass\n'),
    "a string beside a plain import": (
        "from app.infra.db import Engine\n\nPATH = 'app.infra.db.Engine'\n",
        "from app.storage.db import Engine\n\nPATH = 'app.storage.db.Engine'\n"),
}

TO_LIBCST = {
    "a logger's name": ('log = logging.getLogger("app.infra.db")\n',
                        'log = logging.getLogger("app.infra.db")\n'),
    "a module's name to import": ('m = importlib.import_module("app.infra.db")\n',
                                  'm = importlib.import_module("app.storage.db")\n'),
    "__import__ without a fromlist": ('m = __import__("app.infra.db")\n',
                                      'm = __import__("app.storage.db")\n'),
    "a comparison with __name__": ('ok = __name__ == "app.infra.db"\n',
                                   'ok = __name__ == "app.infra.db"\n'),
    "a sys.modules key": ('m = sys.modules["app.infra.db"]\n', 'm = sys.modules["app.infra.db"]\n'),
    "an annotation": ('x: "app.infra.db.Engine" = None\n', 'x: "app.storage.db.Engine" = None\n'),
    "an f-string": ('x = f"{y}" "app.infra.db"\n', 'x = f"{y}" "app.infra.db"\n'),
    "literals side by side": ('x = ("app.infra.db" ".Engine")\n',
                              'x = ("app.storage.db" ".Engine")\n'),
    "an argument's annotation": ('def f(x: "app.infra.db.Engine"):\n    pass\n',
                                 'def f(x: "app.storage.db.Engine"):\n    pass\n'),
    "a return annotation": ('def f() -> "app.infra.db.Engine":\n    pass\n',
                            'def f() -> "app.storage.db.Engine":\n    pass\n'),
    "an if's comparison": ('if "app.infra.db" in apps:\n    pass\n',
                           'if "app.storage.db" in apps:\n    pass\n'),
}



@pytest.mark.parametrize("case", list(WITHOUT_LIBCST))
def test_strings_judged_by_their_text_are_rewritten_without_libcst(
        case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting_libcst_runs(monkeypatch)
    before, after = WITHOUT_LIBCST[case]
    assert_rewrite(before, after, moves=MOVES, path="app/features/user.py", modules=MODULES)
    assert calls == []  # (the whole-file rewrite `assert_rewrite` compares with is libcst)


@pytest.mark.parametrize("case", list(TO_LIBCST))
def test_strings_judged_by_their_place_go_to_libcst(
        case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting_libcst_runs(monkeypatch)
    before, after = TO_LIBCST[case]
    assert_rewrite(before, after, moves=MOVES, path="app/features/user.py", modules=MODULES)
    assert calls, "libcst was not run"


def test_counts_and_notes_are_libcsts(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting_libcst_runs(monkeypatch)
    resolver = Resolver(dict(MOVES), frozenset(MODULES), defines=lambda module, name: name == "E")
    source = (b'MAP = {"app.infra.db": 1}\nKEY = "app.infra.db.not_a_name"\n'
              b'raise ValueError("app.infra.db.E: boom")\n')
    result = rewrite_both_ways(source, _context("app/features/user.py", resolver),
                               RewriteState(resolver, statement_pattern(list(MOVES))))
    assert calls == []
    assert result.new_bytes == (b'MAP = {"app.storage.db": 1}\nKEY = "app.infra.db.not_a_name"\n'
                                b'raise ValueError("app.storage.db.E: boom")\n')
    assert result.changed_strings == 2
    assert sorted(note.split(": ", 1)[1][:40] for note in result.problems) == [
        '"app.infra.db.not_a_name" is not a modul', 'rewrote the dictionary key "app.infra.db',
        'rewrote the module path quoted in the st']


def test_a_statement_with_a_string_judged_by_its_place_goes_whole_to_libcst(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting_libcst_runs(monkeypatch)
    assert_rewrite(
        'PATH = "app.infra.db"\nlog = getLogger("app.infra.db"); x = "app.infra.db.Engine"\n',
        'PATH = "app.storage.db"\nlog = getLogger("app.infra.db"); x = "app.storage.db.Engine"\n',
        moves=MOVES, path="app/features/user.py", modules=MODULES)
    assert calls == [1, 1]  # the second line alone (of each statement-level rewrite)


_CONTENT = st.sampled_from([
    "app.infra.db", "app.infra.db.Engine", "app.infra.db:main", "app.infra.db.Engine: boom",
    "python -m app.infra.db", "from app.infra.db import Engine", r"app\\.infra\\.db\\.Engine",
    "'app.infra.db'", "app.infra.dbx", "app.infra", "app.core.thing", "é app.infra.db",
    'say \\"app.infra.db\\"', "app.infra.db.not_a_name", "", "x", "app.infra.db\\n",
    "app.infra.db.Engine\\N{DASH}", "[\'app.infra.db\']", "a = app.infra.db:main"])
_QUOTES = st.sampled_from(['"', "'", '"""', "'''"])
_PREFIXES = st.sampled_from(["", "r", "u", "R", "b", "rb"])


@st.composite
def _literal(draw: st.DrawFn) -> str:
    quote, content = draw(_QUOTES), draw(_CONTENT)
    prefix = draw(_PREFIXES)
    if "b" in prefix and not content.isascii():
        prefix = ""
    if "r" in prefix.lower() and content.endswith("\\"):
        prefix = prefix.replace("r", "").replace("R", "")
    return f"{prefix}{quote}{content}{quote}"


_PLACES = st.sampled_from([
    "x = {0}\n", "f({0})\n", "f(a, key={0})\n", "d = {{{0}: {1}}}\n", "xs = [{0}, {1}]\n",
    "log = logging.getLogger({0})\n", "m = importlib.import_module({0})\n",
    "ok = __name__ == {0}\n", "m = sys.modules[{0}]\n", "x: {0} = {1}\n",
    "@d({0})\ndef f(x={1}) -> {0}:\n    return {1}\n", "if {0} in y:\n    pass\n",
    "x = ({0} {1})\n", "x = f'{{y}}' {0}\n", "g = lambda: {0}\n", "ys = [y for y in {0}]\n",
    "raise E({0})\n", "assert x, {0}\n", "del d[{0}]\n", "class C(B, key={0}):\n    a = {1}\n",
    "with patch({0}) as p, q({1}):\n    pass\n", "for x in ({0}, {1}):\n    pass\n",
    "m = __import__({0}, fromlist=[{1}])\n", "a = {0}; b = {1}\n", "t = ContextVar({0})\n",
    "def f():\n    {0}\n    return {1}\n", "class K:\n    {0}\n    x = {1}\n",
    "x = d[{0}]\n", "x = obj.modules[{0}]\n", "x = a.getLogger({0})\n",
    "x = {0} if c else {1}\n", "print({0}, *{1}, **k)\n", "while {0}:\n    break\n",
    "match {0}:\n    case {1}:\n        pass\n", "(y := {0})\n", "x = not {0}\n",
    "f(\n    {0},\n    {1},\n)\n", "x = {0} \\\n    {1}\n",
    "try:\n    pass\nexcept E({0}):\n    pass\n",
    "def g(*, a={0}, **k: {1}):\n    pass\n", "x = {{{0}, {1}}}\n", "x = {0}.join(y)\n",
    "exec({0})\n", "global g\nx = {0}[1:]\n"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(_PLACES, _literal(), _literal()), min_size=1, max_size=4),
       st.booleans(), st.booleans())
def test_strings_judged_by_their_text_agree_with_libcst_wherever_they_stand(
        lines: list[tuple[str, str, str]], docstring: bool, crlf: bool) -> None:
    """Random literals in random places, with a `from` import of the moved module (after
    a literal, the module's docstring, or not; lines ended by CRLF or LF): the
    statement-level rewrite (whole tree and part) gives libcst's bytes, counts and
    notes (`rewrite_both_ways` asserts it), whichever path each statement takes."""
    resolver = Resolver(dict(MOVES), frozenset(MODULES),
                        defines=lambda module, name: name in ("Engine", "main"))
    source = "from app.infra.db import Engine\n" + "".join(
        place.format(first, second) for place, first, second in lines)
    if docstring:
        source = lines[0][1] + "\n" + source
    if crlf:
        source = source.replace("\n", "\r\n")
    result = rewrite_both_ways(source.encode(), _context("app/features/user.py", resolver),
                               RewriteState(resolver, statement_pattern(list(MOVES))))
    event("parses" if result.new_bytes is not None else "does not parse")
