"""Rewrite import statements, and the dotted uses of imported modules, after moves.

One transformer for every import form: `import a.b.c [as m]` (and the body's
`a.b.c.name` uses), `from a.b import c` where `c` is a moved submodule, statements
that must be split because only some of their names moved, star imports, and
relative imports at any depth. A statement whose meaning does not change is left
byte-identical; one that changes keeps its comments and layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import libcst as cst

from pyagent_workbench.model import names
from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite.context import FileContext, absolute_module
from pyagent_workbench.rewrite.origin import imported_together, originally


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, `None` for anything else."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def dotted_node(name: str) -> cst.Attribute | cst.Name:
    node: cst.Attribute | cst.Name = cst.Name(name.split(".")[0])
    for part in name.split(".")[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


@dataclass
class Problem:
    """Something the rewrite could not decide and a person must look at."""

    message: str
    code: str
    """The statement's source, to locate it in the file."""


class _Prescan(cst.CSTVisitor):
    """Collects, before any rewrite, the roots bound by `import a.b` statements and the
    names the file binds otherwise."""

    def __init__(self) -> None:
        self.import_roots: set[str] = set()
        self.import_names: set[str] = set()
        self.bound: set[str] = set()
        self.chains: set[str] = set()
        """Every dotted name (and bare name) the file uses outside import statements."""

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        name = dotted(node)
        if name is None:
            return True
        self.chains.add(name)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.chains.add(node.value)

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            if alias.asname is None:
                self.import_roots.add(name.split(".")[0])
                self.import_names.add(name)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.bound.add(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.bound.add(node.name.value)

    def visit_Param(self, node: cst.Param) -> None:
        self.bound.add(node.name.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._targets(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._targets(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._targets(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._targets(node.target)

    def visit_Global(self, node: cst.Global) -> None:
        self.bound.update(item.name.value for item in node.names)

    def _targets(self, node: cst.BaseExpression) -> None:
        if isinstance(node, cst.Name):
            self.bound.add(node.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._targets(element.value)
        elif isinstance(node, cst.StarredElement):
            self._targets(node.value)


class _PlainImportRoots(cst.CSTVisitor):
    """The roots of a module's `import a.b` statements without `as`, at any depth:
    statements are visited, expressions never (none holds a statement)."""

    def __init__(self) -> None:
        super().__init__()
        self.roots: set[str] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.BaseExpression):
            return False
        if isinstance(node, cst.Import):
            self.roots.update(name.split(".")[0] for alias in node.names
                              if alias.asname is None and (name := dotted(alias.name)))
            return False
        return True


class ImportRewriter(cst.CSTTransformer):
    """Rewrites imports of moved modules in one file (see the module docstring)."""

    def __init__(self, context: FileContext, resolver: Resolver,
                 outer_roots: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.context = context
        self.resolver = resolver
        self.outer_roots = outer_roots
        """Top-level names the code may use without importing them itself (code given to
        `exec` runs in its caller's globals): their dotted uses of moved modules are
        rewritten too, when the new name keeps the root."""
        self.unbound: list[tuple[str, str]] = []
        """Dotted uses through an outer root whose new name needs another root (old, new):
        left unchanged."""
        self.changed_imports = 0
        self.changed_uses = 0
        self.problems: list[Problem] = []
        self._prescan = _Prescan()
        self._pending: dict[cst.BaseSmallStatement, list[cst.BaseSmallStatement]] = {}
        self._replacements: dict[cst.Attribute, cst.BaseExpression] = {}
        self._aliases: dict[str, str] = {}
        """Old dotted import -> alias used instead, when the new root name is shadowed."""
        self._splits = 0
        self._changed_from: dict[int, tuple[int, str, tuple[str, ...]]] = {}
        """`id()` of each `from` import this rewrite changed -> the number of the
        statement it came from (several when it split one)."""
        self._changed_lines: dict[int, frozenset[int]] = {}
        """The same for the lines holding them (a line joined from several: theirs)."""
        self._origins: dict[int, tuple[str, tuple[str, ...]]] = {}
        self._joined_pieces: dict[int, tuple[frozenset[str], bool]] = {}
        self._joined_names: dict[int, tuple[str, ...]] = {}
        """A line joined here -> `_pieces` of the two it was made from, together."""
        """A changed line -> the module its statement imported from before the change, and
        the names it imported."""
        self.joined = 0
        """`from` imports joined with the one beside them (`_merge_adjacent`)."""
        self._imports_only = False
        """No plain `import a.b` of a moved module's root (e.g. `import os` alone), nor an
        outer root: only the module's import statements can change (no dotted use of a
        moved module, no alias, no implicit parent import: `visit_Module`)."""
        self._implicit: dict[str, list[str]] = {}
        """Old dotted import -> packages to import beside its rewrite (see
        `_implicit_parents`)."""

    # -- module-wide prescan -----------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        if not self.outer_roots:
            roots = _PlainImportRoots()
            node.visit(roots)
            self._imports_only = not roots.roots & self.resolver.source_roots
            if self._imports_only:
                return  # (what the prescan finds matters only then)
        node.visit(self._prescan)
        # Imports whose new root would be shadowed by a name the file binds get an alias.
        for name in sorted(self._prescan.import_names):
            new = self.resolver.new_name(name)
            if new == name:
                continue
            old_root, new_root = name.split(".")[0], new.split(".")[0]
            if new_root != old_root and (
                new_root in self._prescan.bound
                or (new_root in self._prescan.import_roots and new_root not in
                    {n.split(".")[0] for n in self._prescan.import_names if
                     self.resolver.new_name(n).split(".")[0] == new_root})
            ):
                alias = "_" + "_".join(new.split("."))
                while alias in self._prescan.bound:
                    alias = "_" + alias
                self._aliases[name] = alias
        self._implicit = implicit_parent_imports(
            self._prescan.import_names, self._prescan.chains, self.resolver)

    def on_visit(self, node: cst.CSTNode) -> bool:
        """With `_imports_only`, the expressions and the lines without an import are not
        visited: nothing in them can change (each node visited is rebuilt: most of this
        pass's time in a file of few imports)."""
        if self._imports_only and (isinstance(node, cst.BaseExpression) or (
                isinstance(node, cst.SimpleStatementLine)
                and not any(isinstance(small, (cst.Import, cst.ImportFrom))
                            for small in node.body))):
            return False
        return super().on_visit(node)

    @property
    def aliases(self) -> dict[str, str]:
        """Old plain import -> the alias it was given (its new root is shadowed here)."""
        return dict(self._aliases)

    # -- dotted uses of plainly imported modules ---------------------------------------

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        name = dotted(node)
        if name is None:
            return True
        root = name.split(".")[0]
        imported = root in self._prescan.import_roots
        if not imported and (root not in self.outer_roots or root in self._prescan.bound):
            return False
        new = self.resolver.new_name(name)
        if new == name:
            return False
        if not imported and new.split(".")[0] != root:
            self.unbound.append((name, new))
            return False
        # Longest plainly imported module this chain starts with, aliased if shadowed.
        for old_import, alias in sorted(self._aliases.items(), key=lambda a: -len(a[0])):
            if names.is_within(name, old_import):
                new = alias + name[len(old_import):]
                break
        self._replacements[node] = dotted_node(new)
        return False

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        replacement = self._replacements.pop(original_node, None)
        if replacement is None:
            return updated_node
        self.changed_uses += 1
        return replacement.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

    # -- import a.b.c [as m] ----------------------------------------------------------

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        new_aliases = []
        changed = False
        implicit: list[str] = []
        for alias in updated_node.names:
            name = dotted(alias.name)
            new = self.resolver.new_name(name) if name else None
            if name is None or new is None or new == name:
                new_aliases.append(alias)
                continue
            changed = True
            asname = alias.asname
            if asname is None and name in self._aliases:
                asname = cst.AsName(name=cst.Name(self._aliases[name]))
            if alias.asname is None:
                implicit += [m for m in self._implicit.get(name, []) if m not in implicit]
            new_aliases.append(alias.with_changes(name=dotted_node(new), asname=asname))
        if not changed:
            return updated_node
        self.changed_imports += 1
        result = updated_node.with_changes(names=new_aliases)
        if implicit:
            self._pending[result] = [
                cst.Import(names=[cst.ImportAlias(name=dotted_node(m))]) for m in implicit]
        return result

    # -- from x import y ----------------------------------------------------------------

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def _absolute_from(self, node: cst.ImportFrom) -> str | None:
        level = len(node.relative)
        module = dotted(node.module) if node.module is not None else ""
        if module is None:
            return None
        if not level:
            return module
        package = self.context.package
        if not package:
            self.problems.append(Problem(
                "relative import in a file that is not inside a package (run as a script?); "
                "left unchanged", _code(node)))
            return None
        absolute = absolute_module(level, module, package)
        if absolute is None:
            self.problems.append(Problem(
                "relative import climbs above the top-level package; left unchanged",
                _code(node)))
        return absolute

    def _render_module(
        self, node: cst.ImportFrom, target: str
    ) -> tuple[Sequence[cst.Dot], cst.Attribute | cst.Name | None]:
        """`relative` and `module` for importing from `target` in this file after the move:
        relative when the statement was relative and stays inside the top-level package."""
        relation = _relation(self.context.new_package or "", target)
        if node.relative and relation is not None:
            depth, rest = relation
            return [cst.Dot()] * depth, (dotted_node(rest) if rest else None)
        return [], dotted_node(target)

    def _keeps(self, node: cst.ImportFrom, absolute: str, target: str) -> bool:
        """Can the statement stay as written? It must import from `target` once the file
        has moved and, if relative, still express the same relation: `from ..tokenizer.x`
        that now points into the file's own (merged) package is rewritten as `from .x`."""
        level = len(node.relative)
        module = dotted(node.module) if node.module is not None else ""
        if not level:
            return module == target
        package = self.context.new_package
        if not package:
            return False
        parts = package.split(".")
        if level - 1 >= len(parts):
            return False
        base = parts[: len(parts) - (level - 1)]
        if ".".join(base + ([module] if module else [])) != target:
            return False
        old_package = self.context.package or ""
        return _relation(old_package, absolute) == _relation(package, target)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.BaseSmallStatement:
        absolute = self._absolute_from(updated_node)
        if absolute is None:
            return updated_node
        if isinstance(updated_node.names, cst.ImportStar):
            target = self.resolver.new_name(absolute)
            if self._keeps(updated_node, absolute, target):
                return updated_node
            relative, module = self._render_module(updated_node, target)
            self.changed_imports += 1
            return updated_node.with_changes(relative=relative, module=module)

        # Runs of consecutive names with the same new module, in the statement's order;
        # merged by module unless that would import the submodules in another order:
        # `from a import base, mod, late` (all three submodules) with `mod` moved becomes
        # three statements, not `from a import base, late` then `mod`, which would
        # import `late` before `mod` (an order circular imports can depend on).
        # Applying part of a plan, names are grouped by where the whole plan takes them,
        # and a group whose names do not all move now is split in its order: when the
        # rest land, they join the piece beside them (`_merge_adjacent`), and the plan
        # applied in parts ends as it would at once.
        groups: list[tuple[str, list[tuple[int, cst.ImportAlias, str]]]] = []
        submodules: list[int] = []
        renamed = False
        for position, alias in enumerate(updated_node.names):
            name = alias.name.value if isinstance(alias.name, cst.Name) else dotted(alias.name)
            assert name is not None
            full = f"{absolute}.{name}" if absolute else name
            if self.resolver.is_module(full):
                submodules.append(position)
            if self.resolver.is_module(full) and self.resolver.is_moved(full):
                new_full = self.resolver.new_name(full)
                target, new_name = names.parent(new_full), names.last(new_full)
            else:
                target, new_name = self.resolver.new_name(absolute), name
            final_full = self.resolver.final_name(full)
            final = (names.parent(final_full) if self.resolver.is_module(full)
                     and final_full != full else self.resolver.final_name(absolute))
            if new_name != name:
                renamed = True
                bound = alias.asname if alias.asname is not None else cst.AsName(
                    name=cst.Name(name))
                alias = alias.with_changes(name=cst.Name(new_name), asname=bound)
            if groups and groups[-1][0] == final:
                groups[-1][1].append((position, alias, target))
            else:
                groups.append((final, [(position, alias, target)]))
        runs = [(target, [(position, alias) for position, alias, _ in pieces])
                for _, group in _merged_if_order_kept(groups, submodules)
                for target, pieces in _runs_by_target(group)]

        if len(runs) == 1 and not renamed:
            ((target, _),) = runs
            if self._keeps(updated_node, absolute, target):
                return updated_node

        self.changed_imports += 1
        parenthesised = isinstance(updated_node.lpar, cst.LeftParen)
        closing = _closing_whitespace(updated_node)
        statements: list[cst.BaseSmallStatement] = []
        end = len(updated_node.names) - 1
        for target, numbered in runs:
            aliases = [alias for _, alias in numbered]
            if not target:
                # Moved to the top level: there is no package to import it from.
                statements.extend(_plain_imports(aliases, updated_node.semicolon))
                continue
            relative, module = (
                (updated_node.relative, updated_node.module)
                if self._keeps(updated_node, absolute, target)
                else self._render_module(updated_node, target)
            )
            aliases = _end_group(aliases, parenthesised, closing,
                                 is_original_end=numbered[-1][0] == end)
            changes: dict[str, object] = {"relative": relative, "module": module,
                                          "names": aliases}
            statements.append(updated_node.with_changes(**changes))
        first, *rest = statements
        if rest:
            self._pending[first] = rest
        if isinstance(first, cst.ImportFrom):
            self._splits += 1
            self._changed_from[id(first)] = (self._splits, absolute,
                                             tuple(_alias_names(original_node)))
        return first

    # -- splitting one statement into several ------------------------------------------

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        changed = (self._changed_from.get(id(updated_node.body[0]))
                   if len(updated_node.body) == 1 else None)
        if changed is not None:
            self._changed_lines[id(updated_node)] = frozenset({changed[0]})
            self._origins[id(updated_node)] = (changed[1], changed[2])
        if not any(statement in self._pending for statement in updated_node.body):
            return updated_node
        if len(updated_node.body) == 1:
            extra = self._pending.pop(updated_node.body[0])
            lines: list[cst.BaseStatement] = [updated_node]
            lines += [
                cst.SimpleStatementLine(body=[s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])
                for s in extra
            ]
            for line in lines[1:]:
                if changed is not None:
                    self._changed_lines[id(line)] = frozenset({changed[0]})
                    self._origins[id(line)] = (changed[1], changed[2])
            return cst.FlattenSentinel(lines)
        return updated_node.with_changes(body=self._inline(updated_node.body))

    # -- joining what an earlier apply split -------------------------------------------

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self._changed_lines:
            return updated_node
        return updated_node.with_changes(body=self._merge_adjacent(updated_node.body))

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock,
                            updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if not self._changed_lines:
            return updated_node
        return updated_node.with_changes(body=self._merge_adjacent(updated_node.body))

    def _merge_adjacent(self, body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
        """A `from` import this rewrite changed joins the untouched line beside it that
        imports from the same module what an earlier part of the plan moved out of the
        module the changed one imported from: the two pieces of one statement that part
        split, together again as the plan applied at once writes it. Lines the user
        wrote apart stay apart (a plan applied at once joins nothing)."""
        if not self.resolver.earlier:
            return list(body)
        result: list[cst.BaseStatement] = []
        for statement in body:
            previous = result[-1] if result else None
            merged = (_joined(previous, statement)
                      if previous is not None and self._may_join(previous, statement)
                      else None)
            if merged is None:
                result.append(statement)
                continue
            self.joined += 1
            assert previous is not None
            before, after = self._pieces(previous), self._pieces(statement)
            assert before is not None and after is not None  # as `_may_join` found them
            self._changed_lines[id(merged)] = (self._changed_lines.get(id(previous), frozenset())
                                               | self._changed_lines.get(id(statement),
                                                                         frozenset()))
            self._joined_pieces[id(merged)] = (before[0] | after[0], before[1] or after[1])
            self._joined_names[id(merged)] = ((self._original_names(previous) or ())
                                              + (self._original_names(statement) or ()))
            result[-1] = merged
        return result

    def _may_join(self, first: cst.BaseStatement, second: cst.BaseStatement) -> bool:
        """At least one of the two lines changed here (two pieces of the split this
        rewrite makes never join), they come from one statement (`_pieces`), and one
        of them holds what an earlier part split off it."""
        a, b = self._changed_lines.get(id(first)), self._changed_lines.get(id(second))
        if (a is None and b is None) or (a is not None and b is not None and a & b):
            return False
        pieces_a, pieces_b = self._pieces(first), self._pieces(second)
        if pieces_a is None or pieces_b is None:
            return False
        if not (pieces_a[0] & pieces_b[0] and (pieces_a[1] or pieces_b[1])):
            return False
        names_a, names_b = self._original_names(first), self._original_names(second)
        return names_a is not None and names_b is not None and imported_together(
            self.resolver, self.context, names_a + names_b)

    def _original_names(self, line: cst.BaseStatement) -> tuple[str, ...] | None:
        """The full names the line imports, in order, as they were before the plan's
        first part."""
        if id(line) in self._joined_names:
            return self._joined_names[id(line)]
        written = self._as_written(line)
        return originally(self.resolver, *written) if written is not None else None

    def _as_written(self, line: cst.BaseStatement) -> tuple[str, tuple[str, ...]] | None:
        """The module a line's `from` import imported from before this rewrite, and the
        names."""
        if id(line) in self._origins:
            return self._origins[id(line)]
        statement = _lone_from(line)
        found = (_absolute_of(statement, self.context.package)
                 if statement is not None else None)
        if statement is None or found is None:
            return None
        return found, tuple(_alias_names(statement))

    def _pieces(self, line: cst.BaseStatement) -> tuple[frozenset[str], bool] | None:
        """The modules the line's statement was split from, and whether it holds a piece
        an earlier part split off (`pieces_of`)."""
        if id(line) in self._joined_pieces:
            return self._joined_pieces[id(line)]
        written = self._as_written(line)
        return pieces_of(*written, self.resolver) if written is not None else None

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        if not any(statement in self._pending for statement in updated_node.body):
            return updated_node
        return updated_node.with_changes(body=self._inline(updated_node.body))

    def _inline(
        self, body: Sequence[cst.BaseSmallStatement]
    ) -> list[cst.BaseSmallStatement]:
        """Several statements on one line (`a; b`): split ones follow their original."""
        semicolon = cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" "))
        result: list[cst.BaseSmallStatement] = []
        for statement in body:
            extra = self._pending.pop(statement, [])
            if not extra:
                result.append(statement)
                continue
            group = [statement, *extra]
            for index, item in enumerate(group):
                last = index == len(group) - 1
                result.append(item.with_changes(
                    semicolon=statement.semicolon if last else semicolon))
        return result





def implicit_parent_imports(plain: Iterable[str], chains: Iterable[str], resolver: Resolver
                            ) -> dict[str, list[str]]:
    """`import a.b.c` also imports `a.b`, and code uses that (`a.b.f()`). When the rewrite
    makes it `import x.c`, the packages the file used that way and would no longer import
    are imported beside it, by their names after the plan.

    `plain`: the file's `import X` statements without `as` (old names); `chains`: every
    dotted name the file uses outside imports. Returns old import -> packages to import
    beside its rewrite; empty when nothing is needed (a rewriter that sees only part of a
    file must hand the whole file over when this is not empty)."""
    plain = set(plain)
    if not any(resolver.is_moved(n) for n in plain):
        return {}

    def closure(imported: Iterable[str]) -> set[str]:
        return {a for n in imported for a in (n, *names.ancestors(n))}

    roots = {n.split(".")[0] for n in plain}
    loaded_old = closure(plain)
    loaded_new = closure(resolver.new_name(n) for n in plain)
    needed: set[str] = set()
    for chain in chains:
        if chain.split(".")[0] not in roots:
            continue
        reached = next((p for p in (chain, *names.ancestors(chain)) if p in loaded_old), None)
        if reached is not None and resolver.new_name(reached) not in loaded_new:
            needed.add(reached)
    result: dict[str, list[str]] = {}
    for name in sorted(plain):
        if not resolver.is_moved(name):
            continue
        provided = closure([name])
        wanted = {resolver.new_name(m) for m in needed if m in provided}
        deepest = sorted(w for w in wanted
                         if not any(names.is_strictly_within(o, w) for o in wanted))
        if deepest:
            result[name] = deepest
    return result


def _relation(package: str, target: str) -> tuple[int, str] | None:
    """The minimal relative form of importing `target` from `package`: (dots, rest)."""
    if not package or target.split(".")[0] != package.split(".")[0]:
        return None
    common = names.common_prefix(package, target)
    depth = len(package.split(".")) - len(common.split(".")) + 1
    return depth, target[len(common) + 1:] if len(target) > len(common) else ""


def _plain_imports(
    aliases: list[cst.ImportAlias], semicolon: cst.Semicolon | cst.MaybeSentinel
) -> list[cst.Import]:
    result = []
    for alias in aliases:
        name = alias.name.value if isinstance(alias.name, cst.Name) else dotted(alias.name)
        asname = alias.asname
        if asname is not None and isinstance(asname.name, cst.Name) and (
            asname.name.value == name
        ):
            asname = None
        result.append(cst.Import(
            names=[cst.ImportAlias(name=cst.Name(str(name)), asname=asname)],
            semicolon=semicolon))
    return result


def pieces_of(module: str, imported: Sequence[str], resolver: Resolver
              ) -> tuple[frozenset[str], bool]:
    """Where `from module import <imported>` (as written before this rewrite) was split
    from, and whether it is a piece an earlier part of the plan split off: when every
    name is a module an earlier part moved out of one module, that module (True); else
    `module` itself (False)."""
    parents = set()
    for name in imported:
        old = resolver.old_name(f"{module}.{name}" if module else name)
        if old is None:
            return frozenset({module}), False
        parents.add(names.parent(old))
    if len(parents) != 1:
        return frozenset({module}), False
    return frozenset(parents), True


def _alias_names(statement: cst.ImportFrom) -> list[str]:
    assert not isinstance(statement.names, cst.ImportStar)
    found = []
    for alias in statement.names:
        name = alias.name.value if isinstance(alias.name, cst.Name) else dotted(alias.name)
        if name is None:
            return []
        found.append(name)
    return found


def _absolute_of(statement: cst.ImportFrom, package: str | None) -> str | None:
    """The module a `from` import imports from, absolute (`None` when it cannot say)."""
    module = dotted(statement.module) if statement.module is not None else ""
    return None if module is None else absolute_module(len(statement.relative), module,
                                                       package)


def _same_module(a: cst.ImportFrom, b: cst.ImportFrom) -> bool:
    return len(a.relative) == len(b.relative) and (
        (_code(a.module) if a.module else "") == (_code(b.module) if b.module else ""))


def _lone_from(line: cst.BaseStatement) -> cst.ImportFrom | None:
    """The `from` import a line holds alone (not `*`), else `None`."""
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    statement = line.body[0]
    if not isinstance(statement, cst.ImportFrom) or isinstance(statement.names, cst.ImportStar):
        return None
    return statement


def _joined(first: cst.BaseStatement, second: cst.BaseStatement
            ) -> cst.SimpleStatementLine | None:
    """The two lines' `from` imports as one, when they import from the same module, in
    the same layout, with no line between them and one trailing comment at most."""
    a, b = _lone_from(first), _lone_from(second)
    if a is None or b is None:
        return None
    assert isinstance(first, cst.SimpleStatementLine)
    assert isinstance(second, cst.SimpleStatementLine)
    if second.leading_lines or not _same_module(a, b):
        return None
    comment_a = first.trailing_whitespace.comment
    comment_b = second.trailing_whitespace.comment
    if comment_a is not None and comment_b is not None:
        return None
    parenthesised = isinstance(a.lpar, cst.LeftParen)
    if parenthesised != isinstance(b.lpar, cst.LeftParen):
        return None
    assert not isinstance(a.names, cst.ImportStar) and not isinstance(b.names, cst.ImportStar)
    names_a = list(a.names)
    last = names_a[-1]
    opening = b.lpar.whitespace_after if isinstance(b.lpar, cst.LeftParen) else None
    if isinstance(opening, cst.ParenthesizedWhitespace):
        # Multi-line: the first's last name ends its line as before; the next line
        # starts as the second's first name did.
        if isinstance(last.comma, cst.Comma) and isinstance(
                last.comma.whitespace_after, cst.ParenthesizedWhitespace):
            comma = last.comma.with_changes(whitespace_after=last.comma.whitespace_after
                                            .with_changes(last_line=opening.last_line))
        else:
            comma = cst.Comma(whitespace_after=opening)
    else:
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    names_a[-1] = last.with_changes(comma=comma)
    statement = a.with_changes(names=[*names_a, *b.names], rpar=b.rpar)
    trailing = first.trailing_whitespace if comment_b is None else second.trailing_whitespace
    return first.with_changes(body=[statement], trailing_whitespace=trailing)


def _closing_whitespace(node: cst.ImportFrom) -> cst.BaseParenthesizableWhitespace | None:
    """The whitespace before `)` in a multi-line import (a new group's `)` gets the same)."""
    if not isinstance(node.rpar, cst.RightParen):
        return None
    last = node.names[-1] if not isinstance(node.names, cst.ImportStar) else None
    if last is not None and isinstance(last.comma, cst.Comma):
        return last.comma.whitespace_after
    return node.rpar.whitespace_before


def _end_group(
    aliases: list[cst.ImportAlias],
    parenthesised: bool,
    closing: cst.BaseParenthesizableWhitespace | None,
    *,
    is_original_end: bool,
) -> list[cst.ImportAlias]:
    """Fix the comma after a group's last name: none outside parentheses; inside, keep a
    multi-line layout's trailing comma with its comment, and close like the original."""
    aliases = list(aliases)
    last = aliases[-1]
    if is_original_end:
        return aliases
    comma = last.comma
    if not parenthesised or not isinstance(comma, cst.Comma) or not isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        aliases[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return aliases
    if isinstance(closing, cst.ParenthesizedWhitespace):
        aliases[-1] = last.with_changes(comma=comma.with_changes(
            whitespace_after=comma.whitespace_after.with_changes(last_line=closing.last_line)))
    return aliases


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


_Numbered = TypeVar("_Numbered", bound=tuple[Any, ...])


def _merged_if_order_kept(runs: list[tuple[str, list[_Numbered]]], submodules: list[int]
                          ) -> list[tuple[str, list[_Numbered]]]:
    """One statement per new module when the submodules (the names whose import runs
    code) are still imported in their order; else the runs as they are. (Each numbered
    entry starts with the name's position in the statement.)"""
    merged: dict[str, list[_Numbered]] = {}
    for target, numbered in runs:
        merged.setdefault(target, []).extend(numbered)
    wanted = set(submodules)
    order = [entry[0] for numbered in merged.values() for entry in numbered
             if entry[0] in wanted]
    return list(merged.items()) if order == sorted(order) else runs


def _runs_by_target(group: list[tuple[int, cst.ImportAlias, str]]
                    ) -> list[tuple[str, list[tuple[int, cst.ImportAlias, str]]]]:
    """A group's names in runs of one module now (several only when part of a plan
    moves some of them and not yet the others)."""
    runs: list[tuple[str, list[tuple[int, cst.ImportAlias, str]]]] = []
    for entry in group:
        if runs and runs[-1][0] == entry[2]:
            runs[-1][1].append(entry)
        else:
            runs.append((entry[2], [entry]))
    return runs
