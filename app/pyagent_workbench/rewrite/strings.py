"""Rewrite string literals that are whole dotted paths to moved modules.

`mock.patch("a.b.c.f")`, `importlib.import_module("a.b.c")`, plugin registries keyed
by `"a.b.c:main"`, string annotations. A string that is a runtime identity rather
than a reference (a `sys.modules` key, a `__name__` comparison, a logger name) is
reported for review instead: changing it could change behaviour silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite import codestrings
from pyagent_workbench.rewrite.codestrings import CodeLiteral, CodeUse
from pyagent_workbench.rewrite.context import FileContext
from pyagent_workbench.rewrite.imports import ImportRewriter, Problem, dotted
from pyagent_workbench.rewrite.literals import DOTTED_REFERENCE, NESTED_REFERENCE

ESCAPED_REFERENCE = re.compile(
    r"(?<![\w.\\])(?P<path>[A-Za-z_]\w*(?P<sep>\\{1,2}\.)[A-Za-z_]\w*"
    r"(?:(?P=sep)[A-Za-z_]\w*)*)(?![\w])"
)
RAISED_REFERENCE = re.compile(
    r"(?:^|(?<=\n)|(?<=\\n))(?P<path>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?=: |:$|:\\n|:\n)"
)
"""A qualified name opening a line and followed by `: `, as an exception shows itself
(`pkg.mod.Error: message`, `ExceptionInfo.exconly()`, a traceback's last line): the
expected text of a test, which names the class's module."""
"""A dotted path with its dots escaped for a regular expression (`pkg\\.mod\\.Cls`, as in
a `match=` pattern expecting a repr or a qualified name): it names the module's objects
as surely as the plain path does, and the pattern stops matching once they move."""


_NAMING_A_MODULE = frozenset({
    "import_module", "__import__", "find_spec", "spec_from_file_location", "spec_from_loader",
    "ModuleSpec", "ModuleType", "new_module", "reload", "run_module"})
"""Functions whose first argument is a module's name (which may not exist yet)."""
_IDENTITY_CALLS = {"getLogger": "a logger name", "ContextVar": "a ContextVar name"}
"""Functions whose first argument is a runtime identity, with what it is."""
PLACED_BY_CALL = frozenset({"__import__", *_NAMING_A_MODULE, *_IDENTITY_CALLS,
                            *codestrings.CODE_FUNCTIONS})
"""Functions whose arguments `DottedStringRewriter` judges by their place (`visit_Call`:
code to run, a module's name, a runtime identity)."""


@dataclass(frozen=True)
class Identity:
    """A string naming a moved module that was deliberately not rewritten."""

    value: str
    reason: str


class DottedStringRewriter(cst.CSTTransformer):
    def __init__(self, resolver: Resolver, aliases: dict[str, str] | None = None,
                 context: FileContext | None = None, *, named_code: bool = False) -> None:
        """`context`: the file's, to rewrite the code strings given to `exec`, `eval` and
        `compile` as its code (without it they are strings like any other);
        `named_code`: look for code given through a name (`exec(CODE)`), which takes a
        walk of the whole module first."""
        super().__init__()
        self.resolver = resolver
        self.context = context
        self._named_code = named_code
        self._code: dict[cst.BaseExpression, CodeUse] = {}
        """The literals run as code, with how: rewritten as code, never as strings."""
        self._built: dict[cst.Call, tuple[cst.BaseExpression, CodeUse]] = {}
        """Calls running code built at run time (`exec("import a\\n" + more)`), with
        the code as written and how it is run."""
        self.code_imports = 0
        """Imports and dotted uses changed inside code strings (the file's imports count
        them)."""
        self.code_problems: list[Problem] = []
        """Code strings naming a moved module that were left as they are, and why
        (`code`: the literal as written, to find its line)."""
        self.aliases = aliases or {}
        """Old import -> the alias the import rewrite gave it (its new root is shadowed in
        this file): a string annotation is code, evaluated in this module, so it must
        name the module the way the code does."""
        self._annotations: set[cst.SimpleString] = set()
        self.changed = 0
        self.nested: list[str] = []
        """Strings whose nested references were rewritten (listed in the summary)."""
        self.identities: list[Identity] = []
        self._identity_nodes: dict[cst.SimpleString, str] = {}
        self._docstrings: set[cst.SimpleString] = set()
        self.keys: list[str] = []
        """Dictionary keys rewritten (a key is data as often as a reference: listed)."""
        self._keys: set[cst.SimpleString] = set()
        self._module_names: set[cst.SimpleString] = set()
        self._to_check: dict[cst.SimpleString, str] = {}
        self.checks: list[Identity] = []
        """Strings rewritten that a person should look at again, and why."""
        """First arguments of calls that take a module's name, existing or to be made
        (`spec_from_file_location("pkg.a._copy", ...)`): references by their place."""
        self._pieces: dict[cst.SimpleString, str | None] = {}
        """Each piece of an implicit concatenation (`"a" "b"`), with its new raw value
        when the concatenation as a whole is a reference (None: leave the piece)."""

    # Docstrings are prose: never rewritten, their mentions are listed for review.
    def _mark_docstring(self, body: object) -> None:
        statements = getattr(body, "body", body)
        if not isinstance(statements, (list, tuple)) or not statements:
            return
        first = statements[0]
        if isinstance(first, cst.SimpleStatementLine) and first.body and isinstance(
            first.body[0], cst.Expr
        ):
            value = first.body[0].value
            if isinstance(value, cst.SimpleString):
                self._docstrings.add(value)
            elif isinstance(value, cst.ConcatenatedString):
                for part in (value.left, value.right):
                    if isinstance(part, cst.SimpleString):
                        self._docstrings.add(part)

    def visit_Module(self, node: cst.Module) -> None:
        self._mark_docstring(node.body)
        if self._named_code and self.context is not None:
            named = codestrings.NamedCode()
            node.visit(named)
            self._code.update(named.found())

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._mark_docstring(node.body)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._mark_docstring(node.body)

    def visit_Annotation(self, node: cst.Annotation) -> None:
        for string in _strings_in(node.annotation):
            self._annotations.add(string)

    # Runtime identities: mark the strings before they are visited.
    def visit_Subscript(self, node: cst.Subscript) -> None:
        if dotted(node.value) in ("sys.modules", "modules"):
            for element in node.slice:
                if isinstance(element.slice, cst.Index) and isinstance(
                    element.slice.value, cst.SimpleString
                ):
                    self._identity_nodes[element.slice.value] = "a sys.modules key"

    def visit_Comparison(self, node: cst.Comparison) -> None:
        operands = [node.left, *(c.comparator for c in node.comparisons)]
        reason = None
        if any((dotted(o) or "").rsplit(".", 1)[-1] in ("__name__", "__module__")
               for o in operands):  # `__name__ == "a.b"`, `obj.__module__ == "a.b"`
            reason = "compared with __name__"
        elif any(dotted(o) in ("sys.modules", "modules") for o in operands):
            reason = "a sys.modules key"
        if reason:
            for operand in operands:
                if isinstance(operand, cst.SimpleString):
                    self._identity_nodes[operand] = reason

    def visit_Call(self, node: cst.Call) -> None:
        argument = codestrings.code_argument(node) if self.context is not None else None
        if argument is not None:
            code = codestrings.unwrapped(argument[0])
            if codestrings.is_literal(code):
                self._code[code] = argument[1]
            elif not isinstance(code, cst.Name):
                self._built[node] = (code, argument[1])
        function = (dotted(node.func) or "").split(".")[-1]
        if function == "__import__" and node.args and not _has_fromlist(node):
            value = node.args[0].value
            if isinstance(value, cst.SimpleString):
                # `__import__("a.b")` returns `a`; the code then reaches `a.b` by
                # attributes (`m.b.f`) that no rewrite of the string can follow: the
                # string is rewritten (the import must still work) and listed.
                self._to_check[value] = ("__import__ without a fromlist returns the top "
                                         "package: check the attributes used on it")
        if function in _NAMING_A_MODULE and node.args:
            value = node.args[0].value
            if isinstance(value, cst.SimpleString):
                self._module_names.add(value)
        reason = _IDENTITY_CALLS.get(function)
        if reason and node.args:
            value = node.args[0].value
            if isinstance(value, cst.SimpleString):
                self._identity_nodes[value] = reason

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key,
                                                                   cst.SimpleString):
                self._keys.add(element.key)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        """Code built at run time (`exec("import a.b\\n" + more)`) that still names a
        moved module once its strings are rewritten: reported."""
        built = self._built.pop(original_node, None)
        if built is None:
            return updated_node
        now = codestrings.code_argument(updated_node)
        moved = codestrings.moved_reference(
            codestrings.source_of(now[0] if now else updated_node), self.resolver)
        if moved is not None:
            self._code_problem(codestrings.source_of(built[0]), built[1],
                               f"is built at run time and names {moved}")
        return updated_node

    # Code strings: parsed and rewritten as code (see `codestrings`).
    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        return node not in self._code

    def leave_FormattedString(self, original_node: cst.FormattedString,
                              updated_node: cst.FormattedString) -> cst.BaseExpression:
        use = self._code.get(original_node)
        return updated_node if use is None else self._code_string(original_node,
                                                                   updated_node, use)

    def leave_ConcatenatedString(self, original_node: cst.ConcatenatedString,
                                 updated_node: cst.ConcatenatedString) -> cst.BaseExpression:
        use = self._code.get(original_node)
        return updated_node if use is None else self._code_string(original_node,
                                                                   updated_node, use)

    def _code_string(self, original: cst.BaseExpression, updated: cst.BaseExpression,
                     use: CodeUse) -> cst.BaseExpression:
        """A literal run as code, rewritten as the file's code is; or left as it is,
        with a review note when it names a moved module."""
        assert self.context is not None
        written = codestrings.source_of(original)
        literal = CodeLiteral.read(updated)
        value = literal.value if isinstance(literal, CodeLiteral) else ""
        if not (codestrings.may_change(written, self.resolver)
                or codestrings.may_change(value, self.resolver)):
            return updated
        moved = (codestrings.moved_reference(written, self.resolver)
                 or codestrings.moved_reference(value, self.resolver))
        if isinstance(literal, str):
            if moved is not None:
                self._code_problem(written, use, f"is {literal} naming {moved}")
            return updated
        parsed = codestrings.parse_code(literal.value, use.mode)
        if isinstance(parsed, str):
            if moved is not None:
                self._code_problem(written, use, f"names {moved} but {parsed}")
            return updated
        imports = ImportRewriter(self.context, self.resolver,
                                 outer_roots=frozenset(s.split(".")[0]
                                                       for s in self.resolver.sources))
        try:
            after_imports = parsed.module.visit(imports)
            strings = DottedStringRewriter(self.resolver, imports.aliases, self.context,
                                           named_code=True)
            new_module = after_imports.visit(strings)
        except (cst.CSTValidationError, RecursionError):  # pragma: no cover - a bug
            self._code_problem(written, use, "could not be rewritten")
            return updated
        before = codestrings.relative_imports(parsed.module)
        after = codestrings.relative_imports(new_module)
        if imports.problems or before != after:
            changed = [p.code for p in imports.problems] + [i for i in before if i not in after]
            shown = " ".join((changed or before)[0].split())
            self._code_problem(written, use, f"holds a relative import the moves change "
                               f"({shown})",
                               action="make it absolute, or update it by hand")
            return updated
        new_value = parsed.value_of(new_module)
        replaced: cst.BaseExpression | str = updated
        if new_value is None:  # pragma: no cover - the framing is never rewritten
            replaced = "a change to the code around it"
        elif new_value != literal.value:
            replaced = literal.with_value(new_value)
        if isinstance(replaced, str):
            naming = f"names {moved}; its rewrite" if moved else "its rewrite"
            self._code_problem(written, use, f"{naming} needs {replaced}")
            return updated
        for old, new in imports.unbound:
            self.code_problems.append(Problem(
                f"code given to {use.function}() uses {old}, which becomes {new} under a "
                f"top-level name the code does not import; left unchanged: import it in "
                f"the code", written))
        self.code_imports += imports.changed_imports + (
            1 if imports.changed_uses and not imports.changed_imports else 0)
        self.absorb(strings)
        return replaced

    def _code_problem(self, written: str, use: CodeUse, what: str,
                      action: str = "update it by hand") -> None:
        """A code string left as it is (`written`: the literal as written, to find its
        line)."""
        self.code_problems.append(Problem(
            f"code given to {use.function}() {what}; not rewritten: {action}", written))

    # Implicit concatenations are one string: judged whole, never piece by piece (the
    # piece "pkg.base.Cls" of an error message was rewritten and its neighbour
    # "pkg.base.Cls." was not, so the message no longer matched the test's `match=`).
    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool | None:
        if node in self._code:
            return False  # code: its pieces are not strings of their own
        pieces = _pieces_of(node)
        if any(isinstance(p, cst.SimpleString) and p in self._pieces for p in pieces):
            return None  # an inner part of a concatenation judged already
        simple = [p for p in pieces if isinstance(p, cst.SimpleString)]
        for piece in simple:
            self._pieces[piece] = None
        if len(simple) != len(pieces) or any(
                set(p.prefix.lower()) & {"b", "f"} for p in simple) or any(
                p in self._docstrings for p in simple):
            return None  # f-string or bytes pieces, or a docstring: not a reference
        whole = "".join(p.raw_value for p in simple)
        match = DOTTED_REFERENCE.match(whole)
        if match is None:
            return None
        path = match.group("path")
        new = self.resolver.new_name(path)
        if new == path:
            return None
        # Rewritten in the one piece that holds every changed character (the pieces
        # before and after it read the same in the new string), otherwise reported.
        new_whole = new + (match.group("tail") or "")
        raws = [piece.raw_value for piece in simple]
        for index, piece in enumerate(simple):
            before, after = "".join(raws[:index]), "".join(raws[index + 1:])
            if (len(before) + len(after) <= len(new_whole) and new_whole.startswith(before)
                    and new_whole.endswith(after)):
                self._pieces[piece] = new_whole[len(before):len(new_whole) - len(after)]
                return None
        self.identities.append(Identity(whole, "split across concatenated strings"))
        return None

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        use = self._code.get(original_node)
        if use is not None:
            return self._code_string(original_node, updated_node, use)
        prefix = updated_node.prefix.lower()
        if "b" in prefix or "f" in prefix:
            return updated_node
        if original_node in self._docstrings:
            return updated_node
        written = updated_node.value[:len(prefix)]  # (libcst's `prefix` is lowercased)
        if original_node in self._pieces:
            replacement = self._pieces.pop(original_node)
            if replacement is None:
                value = self._nested(updated_node.raw_value, written, updated_node.quote,
                                     identity=original_node in self._identity_nodes)
                return updated_node if value is None else updated_node.with_changes(value=value)
            self.changed += 1
            quote = updated_node.quote
            return updated_node.with_changes(value=f"{written}{quote}{replacement}{quote}")
        value = self.literal_value(
            updated_node.raw_value, written, updated_node.quote,
            identity=self._identity_nodes.get(original_node),
            module_name=original_node in self._module_names,
            annotation=original_node in self._annotations, key=original_node in self._keys,
            check=self._to_check.get(original_node))
        return updated_node if value is None else updated_node.with_changes(value=value)

    def literal_value(self, raw: str, prefix: str, quote: str, *, identity: str | None = None,
                      module_name: bool = False, annotation: bool = False, key: bool = False,
                      check: str | None = None) -> str | None:
        """The new text of one string literal (neither bytes nor an f-string, nor a piece
        of a concatenation, nor code run) written `prefix` `quote` `raw` `quote`, or
        `None` to leave it, given where it stands: `identity`, why it is a runtime
        identity; `module_name`, the first argument of a call taking a module's name;
        `annotation`, in an annotation; `key`, a dictionary's key; `check`, why a
        person should look at it again once rewritten. What it leaves or rewrites is
        counted and listed here (`changed`, `identities`, `keys`, `checks`, `nested`)."""
        match = DOTTED_REFERENCE.match(raw)
        if match is None:
            return self._nested(raw, prefix, quote, identity=identity is not None)
        path = match.group("path")
        new = self.resolver.new_name(path)
        if new == path:
            return None
        if identity is not None:
            self.identities.append(Identity(raw, identity))
            return None
        if not module_name and not self.resolver.resolves(path):
            # "pkg.debug.preserve_context" names no module and nothing pkg.debug defines:
            # an environ key, a ContextVar name, data that only starts like a reference.
            self.identities.append(Identity(raw, "not a module nor a name its module defines"))
            return None
        if annotation:
            for old_import, alias in sorted(self.aliases.items(), key=lambda a: -len(a[0])):
                if path == old_import or path.startswith(old_import + "."):
                    new = alias + path[len(old_import):]
                    break
        self.changed += 1
        if key:
            self.keys.append(raw)
        if check is not None:
            self.checks.append(Identity(raw, check))
        return f"{prefix}{quote}{new}{match.group('tail') or ''}{quote}"

    def absorb(self, other: DottedStringRewriter) -> None:
        """Count and list what `other` did as done here (the statement-level rewrite
        judges some literals without libcst, `literal_value`, and the rest with it; a
        code string's own rewriter, `_code_string`)."""
        self.changed += other.changed
        self.code_imports += other.code_imports
        self.nested += other.nested
        self.identities += other.identities
        self.checks += other.checks
        self.keys += other.keys
        self.code_problems += other.code_problems

    def _nested(self, raw: str, prefix: str, quote: str, *, identity: bool) -> str | None:
        """The literal's new text where it quotes references inside longer text, or
        `None`."""
        count = 0

        def replace(match: re.Match[str]) -> str:
            nonlocal count
            group = next((g for g in ("mpath", "fpath", "epath") if match.group(g)), None)
            if group is not None:
                path = match.group(group)
                new = self.resolver.new_name(path)
                if new == path:
                    return match.group(0)
                count += 1
                at = match.start(group) - match.start()  # the path, not a name equal to it
                return match.group(0)[:at] + new + match.group(0)[at + len(path):]
            path = match.group("path")
            new = self.resolver.new_name(path)
            if new == path:
                return match.group(0)
            count += 1
            quote = match.group("open")
            return f"{quote}{new}{match.group('tail') or ''}{quote}"

        def replace_escaped(match: re.Match[str]) -> str:
            nonlocal count
            separator = match.group("sep")
            path = match.group("path").replace(separator, ".")
            new = self.resolver.new_name(path)
            if new == path or not self.resolver.resolves(path):
                return match.group(0)
            count += 1
            return new.replace(".", separator)

        def replace_raised(match: re.Match[str]) -> str:
            nonlocal count
            path = match.group("path")
            new = self.resolver.new_name(path)
            # A class (or anything) the module defines, not the module itself.
            if (new == path or self.resolver.is_module(path)
                    or not self.resolver.resolves(path)):
                return path
            count += 1
            return new

        new_raw = NESTED_REFERENCE.sub(replace, raw)
        if ": " in new_raw or ":\\n" in new_raw or new_raw.endswith(":"):
            new_raw = RAISED_REFERENCE.sub(replace_raised, new_raw)
        if "\\" in new_raw:
            new_raw = ESCAPED_REFERENCE.sub(replace_escaped, new_raw)
        if not count or identity:
            return None
        self.changed += count
        self.nested.append(raw)
        return f"{prefix}{quote}{new_raw}{quote}"


def _strings_in(node: cst.BaseExpression) -> list[cst.SimpleString]:
    """The string literals of an annotation (`"a.B"`, `Optional["a.B"]`, `"a.B" | None`)."""
    found: list[cst.SimpleString] = []

    class Collect(cst.CSTVisitor):
        def visit_SimpleString(self, string: cst.SimpleString) -> None:
            found.append(string)

    node.visit(Collect())
    return found


def _pieces_of(node: cst.ConcatenatedString) -> list[cst.BaseExpression]:
    """The strings of an implicit concatenation, left to right, however it nests."""
    pieces: list[cst.BaseExpression] = []
    pending: list[cst.BaseExpression] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.ConcatenatedString):
            pending += [current.right, current.left]
        else:
            pieces.append(current)
    return pieces



def _has_fromlist(call: cst.Call) -> bool:
    """`__import__(name, globals, locals, fromlist, ...)` with a fromlist that may not be
    empty (then it returns the module itself)."""
    for position, arg in enumerate(call.args):
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword == "fromlist" or (keyword is None and position == 3):
            value = arg.value
            return not (isinstance(value, (cst.List, cst.Tuple)) and not value.elements) and \
                not (isinstance(value, cst.Name) and value.value == "None")
    return False
