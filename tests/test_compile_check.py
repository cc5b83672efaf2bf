"""`apply` compiles every text it writes. On the statement-level path only the spans
that changed are compiled (`statements._Batch.changes_compile`); the whole text where a
span cannot be judged alone. The text is the same either way: only the check differs.

A file that ends in a module-level `return` parses (`ast`) but does not compile: it
shows which of the two checks ran."""

from __future__ import annotations

import pytest
from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite.context import RewriteState
from pyagent_workbench.rewrite.files import FileRewrite, statement_pattern
from pyagent_workbench.rewrite.statements import rewrite_file
from support.codemod import _context, fixture_text

MOVES = {"app.old": "app.new"}
NOT_COMPILING = b"return 1\n"


def checked(code: str, *, parses: bool, then: bytes = b"") -> FileRewrite:
    """The checked rewrite of `code` (with `then` after it): the same text as without
    the check."""
    source = fixture_text(code) + then
    resolver = Resolver(dict(MOVES), frozenset({"app", "app.old"}))
    state = RewriteState(resolver, statement_pattern(list(MOVES)), compile_check=True)
    result = rewrite_file(source, _context("app/user.py", resolver), state, parses=parses)
    unchecked = rewrite_file(source, _context("app/user.py", resolver),
                             RewriteState(resolver, state.reference), parses=parses)
    assert result.new_bytes == unchecked.new_bytes
    assert result.new_bytes is not None and b"app.old" not in result.new_bytes
    return result


SPANS_ALONE = {
    "an import at the top": """
        from app.old import thing
        """,
    "an import in a function, with a return beside it": """
        def f():
            from app.old import thing; return thing
        """,
    "a generator's import": """
        def f():
            import app.old; yield app.old.thing
        """,
    "a header expression": """
        import app.old

        for x in app.old.items():
            pass
        """,
    "a string in a class body": """
        class A:
            target = "app.old.thing"
        """,
}


@pytest.mark.parametrize("case", list(SPANS_ALONE))
@pytest.mark.parametrize("parses", [False, True], ids=["whole tree", "part parsed"])
def test_the_changed_spans_are_compiled_alone(case: str, parses: bool) -> None:
    text = SPANS_ALONE[case]
    assert checked(text, parses=parses).compiled
    # the rest of the file is not compiled: a module-level `return` goes unnoticed (the
    # file did not compile before the apply either, and the apply leaves that as it was)
    assert checked(text, parses=parses, then=NOT_COMPILING).compiled


JUDGED_WHOLE = {
    "an await, at home only in its async function": """
        async def f():
            from app.old import thing; await thing()
        """,
    "a span of 2,000 characters or more": (
        "from app.old import thing; X = [" + "1, " * 700 + "]\n"),
}


@pytest.mark.parametrize("case", list(JUDGED_WHOLE))
def test_a_span_that_cannot_be_judged_alone_sends_the_whole_file_to_the_compiler(
        case: str) -> None:
    text = JUDGED_WHOLE[case]
    assert checked(text, parses=False).compiled
    assert not checked(text, parses=False, then=NOT_COMPILING).compiled
