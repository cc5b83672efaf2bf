"""Random Python repos whose behaviour can be measured, and random valid plans over them.

Every module of a generated repo computes a value at import time from what it imports
(`V_<token>`), and a `probe_<token>()` that imports lazily, through `importlib`,
`mock.patch` and `"pkg.mod:func"` strings; the tokens are unique integers, so a value
says which module it came from whatever the module is called. The import forms are the
ones the apply engine rewrites: absolute, relative at several depths, `import a.b as c`,
`from pkg import submodule`, several submodules in one statement (split when only some
move), star imports, imports in functions, under `TYPE_CHECKING`, in `try/except
ImportError`, and `__init__` re-exports.

Runtime import cycles are ruled out with a model of what each module needs complete
when it runs (an import needs its target, and the target's packages that the importer
is not itself inside); the same model, rebuilt on the names after a plan, says whether
the plan itself would create a cycle (a hazard of the plan, not of the engine).

Plans are valid by construction (checked here independently of the tool's validation):
package moves, module moves, renames, merges of two packages (into a new package or an
existing one), a submodule of a moved package sent elsewhere, moves across top-level
packages; facades on or off.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from hypothesis import strategies as st

TOPS = ("pkg", "lib")
POOL = ("alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa")
NEW_NAMES = ("nova", "orbit", "pulse", "quark", "umbra", "alpha", "beta", "gamma", "vega")
MODULUS = 1_000_003
FALLBACK = -7
"""What a guarded import binds when its import fails (so a broken one changes values)."""

Draw = Callable[[st.SearchStrategy[Any]], Any]

NAMESPACE_PACKAGES = True
"""Draw packages without `__init__.py` inside the top-level package (see
test_regressions: the import graph sees their modules, an emptied one is neither listed
as removed wrongly nor taken for a half-applied plan, and facades serve it)."""

IMPLICIT_PARENT_USES = True
"""`import a.b.c` then `a.b.x` in the same statement as `a.b.c.y` (a use in another
statement: test_regressions.test_parent_package_used_through_a_moved_import_end_to_end)."""


# -- names -----------------------------------------------------------------------------


def parent(name: str) -> str:
    return name.rpartition(".")[0]


def last(name: str) -> str:
    return name.rpartition(".")[2]


def ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def strictly_within(name: str, prefix: str) -> bool:
    return name.startswith(prefix + ".")


def common(a: str, b: str) -> str:
    out = []
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x != y:
            break
        out.append(x)
    return ".".join(out)


def relative(package: str, target: str) -> str | None:
    """`from <this> import ...` spelling of `target` from inside `package`, or None when
    they do not share a top-level package."""
    if not package or target.split(".")[0] != package.split(".")[0]:
        return None
    shared = common(package, target)
    level = len(package.split(".")) - len(shared.split(".")) + 1
    rest = target[len(shared) + 1:] if len(target) > len(shared) else ""
    return "." * level + rest


# -- the repo model ----------------------------------------------------------------------


@dataclass
class Use:
    """One import (or string reference) rendered as source lines and a value expression."""

    lines: list[str]
    expr: str | None
    binds: dict[str, str] = field(default_factory=dict)
    """Name bound -> what it is ("mod:<name>" or "val:<token>") for clash checks."""
    needs: list[str] = field(default_factory=list)
    """Modules that must be complete when this runs (module-level uses only)."""
    form: str = ""
    defs: list[str] = field(default_factory=list)
    """Module-level definitions using the import (a decorator, annotations), placed after
    the value; `{typing}` stands for the module's name of `typing`."""
    probe: str | None = None
    """An expression the probe returns for those definitions."""


@dataclass
class Node:
    name: str
    is_package: bool
    token: int
    seed: int
    uses: list[Use] = field(default_factory=list)
    lazy: list[Use] = field(default_factory=list)
    type_checking: list[Use] = field(default_factory=list)
    strings: list[Use] = field(default_factory=list)
    bound: dict[str, str] = field(default_factory=dict)
    data: bool = False
    stub: bool = False
    star_in_body: bool = False
    children: set[str] = field(default_factory=set)
    """Names of a package's submodules (an `__init__` never binds them to anything else)."""
    shadow: str | None = None
    """A global named like another top-level package (`lib = 5`): a rewrite that makes
    `import pkg.x` into `import lib.x` must not rebind it."""
    style: str = "plain"
    """"plain", "crlf", "bom" or "tabs": how the file is written."""
    wrap_probe: bool = False
    """The probe's imports sit in a method of a class inside the function."""
    one_line: bool = False
    """The first two single-line imports share a line (`import a; import b`)."""
    combine: bool = False
    """Plain `import a.b` statements are written as one (`import a.b, c.d`)."""
    constants: list[str] = field(default_factory=list)
    """Module-level string constants (`_REF3_0 = "pkg.a:f_2"`) the probe loads."""
    namespace: bool = False
    """A package without `__init__.py` (no code of its own)."""

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        return self.name if self.is_package else parent(self.name)

    @property
    def is_script(self) -> bool:
        return "." not in self.name and self.name not in TOPS

    @property
    def path(self) -> str:
        base = self.name.replace(".", "/")
        return f"{base}/__init__.py" if self.is_package else f"{base}.py"

    def header_names(self) -> dict[str, str]:
        t = self.token
        if self.is_package:
            names = [f"_b{t}", f"_il{t}", f"_ty{t}", f"_mk{t}"] + ([f"_os{t}"] if self.data
                                                                   else [])
        else:
            names = ["builtins", "importlib", "TYPE_CHECKING", "typing"]
        own = [f"T_{t}", f"V_{t}", f"f_{t}", f"g_{t}", f"probe_{t}", f"_load{t}", "__all__",
               f"K_{t}", f"ident_{t}"] + [f"h_{t}_{i}" for i in range(8)]
        if self.data:
            own += [f"_fh{t}", f"_D{t}"]
        return {n: f"own:{t}" for n in names + own}


@dataclass
class RepoSpec:
    nodes: dict[str, Node]
    tops: list[str]
    entry_points: list[tuple[str, str, int]]
    """(entry name, module, token of the function's module)."""
    source_root: str = "."
    """"." (flat layout) or "src" (src layout: the packages live in src/)."""

    @property
    def modules(self) -> list[Node]:
        return list(self.nodes.values())

    def files(self) -> dict[str, str | bytes]:
        out: dict[str, str | bytes] = {}
        for node in self.nodes.values():
            if node.namespace:
                continue
            prefix = "" if node.is_script or self.source_root == "." else "src/"
            out[prefix + node.path] = styled(render(node), node.style)
            if node.data:
                out[f"{prefix}{node.name.replace('.', '/')}/data_{node.token}.txt"] = (
                    f"{node.seed}\n")
            if node.stub:
                out[prefix + node.path + "i"] = render_stub(node)
        if self.entry_points:
            lines = ["[metadata]", "name = generated", "", "[options.entry_points]",
                     "console_scripts ="]
            lines += [f"    {name} = {module}:f_{token}"
                      for name, module, token in self.entry_points]
            out["setup.cfg"] = "\n".join(lines) + "\n"
        return out


def styled(text: str, style: str) -> str | bytes:
    if style == "crlf":
        return text.replace("\n", "\r\n").encode()
    if style == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    if style == "tabs":
        lines = []
        for line in text.split("\n"):
            stripped = line.lstrip(" ")
            lines.append("\t" * ((len(line) - len(stripped)) // 4) + stripped)
        return "\n".join(lines)
    return text


def render(node: Node) -> str:
    t = node.token
    out = [f'"""Generated module {node.name} (token {t})."""']
    if node.is_package:
        out += [f"import builtins as _b{t}", f"import importlib as _il{t}",
                f"import typing as _ty{t}"]
        if node.data:
            out.append(f"import os as _os{t}")
        checking = f"_ty{t}.TYPE_CHECKING"
        builtins, importlib, mock = f"_b{t}", f"_il{t}", f"_mk{t}"
    else:
        out += ["import builtins", "import importlib", "import typing",
                "from typing import TYPE_CHECKING"]
        checking, builtins, importlib, mock = "TYPE_CHECKING", "builtins", "importlib", "mock"
    typing = f"_ty{t}" if node.is_package else "typing"
    body: list[str] = []
    plain: list[str] = []
    for use in node.uses:
        if node.combine and use.form == "import" and len(use.lines) == 1:
            plain.append(use.lines[0].removeprefix("import "))
            if len(plain) == 1:
                body.append("@@plain@@")
            continue
        body += use.lines
    body = [f"import {', '.join(plain)}" if line == "@@plain@@" else line for line in body]
    def simple(line: str) -> bool:
        return not line.startswith((" ", "try:", "except", "if ")) and not line.endswith(
            ("(", ":")) and "#" not in line and line != ")"

    if node.one_line and len(body) >= 2 and simple(body[0]) and simple(body[1]) and (
            len(body) == 2 or not body[2].startswith(" ")):
        body[:2] = [f"{body[0]}; {body[1]}"]
    out += body
    if node.type_checking:
        out.append(f"if {checking}:")
        for use in node.type_checking:
            out += ["    " + line for line in use.lines]
    out.append("")
    out.append(f'{builtins}.__dict__.setdefault("RUNS", []).append({t})')
    out.append(f"T_{t} = {t}")
    terms = [str(node.seed)]
    coefficient = 3
    for use in node.uses:
        if use.expr is not None:
            terms.append(f"{coefficient} * ({use.expr})")
            coefficient += 2
    if node.shadow:
        out.append(f"{node.shadow} = {node.seed + 1}")
        terms.append(f"{coefficient} * {node.shadow}")
        coefficient += 2
    out += node.constants
    if node.data:
        out += [f"with open(_os{t}.path.join(_os{t}.path.dirname(__file__), "
                f"\"data_{t}.txt\")) as _fh{t}:",
                f"    _D{t} = int(_fh{t}.read())"]
        terms.append(f"{coefficient} * _D{t}")
    out.append(f"V_{t} = ({' + '.join(terms)}) % {MODULUS}")
    out += ["", "", f"class K_{t}:", f"    TOKEN = {t}", "", "", f"def ident_{t}(function):",
            "    return function"]
    for use in node.uses:
        if use.defs:
            out += ["", ""] + [line.replace("{typing}", typing) for line in use.defs]
    out += ["", "", f"def f_{t}():", f"    return V_{t} * 3 + 1",
            "", "", f"def g_{t}():", f"    return f_{t}()",
            "", "", f"def _load{t}(ref):", '    module, _, attr = ref.partition(":")',
            f"    return getattr({importlib}.import_module(module), attr)()",
            "", "", f"def probe_{t}():"]
    indent = "    "
    if node.wrap_probe:
        out += [f"    class _Probe{t}:", "        def run(self):"]
        indent = "            "
    results = [use.probe.replace("{typing}", typing) for use in node.uses if use.probe]
    if any(use.form == "patch" for use in node.strings):
        out.append(f"{indent}from unittest import mock as {mock}")  # (slow to import)
    for use in node.lazy + node.strings:
        for line in use.lines:
            out.append(indent + line.replace("{mock}", mock).replace("{importlib}", importlib)
                       .replace("{load}", f"_load{t}"))
        if use.expr is not None:
            results.append(use.expr.replace("{importlib}", importlib)
                           .replace("{load}", f"_load{t}"))
    out.append(f"{indent}return [{', '.join(results)}]")
    if node.wrap_probe:
        out.append(f"    return _Probe{t}().run()")
    out += ["", "", f'__all__ = ["V_{t}", "f_{t}"]', ""]
    return "\n".join(out)


def render_stub(node: Node) -> str:
    lines = [use_line for use in node.uses for use_line in use.lines
             if use.form in ("from_parent", "import_as", "import") and not
             use_line.startswith((" ", "try", "except"))]
    return "\n".join([*lines, f"V_{node.token}: int", f"T_{node.token}: int", ""])


# -- drawing a repo ------------------------------------------------------------------------


def _draw_tree(draw: Draw) -> tuple[list[str], list[tuple[str, bool]]]:
    tops = ["pkg"] if draw(st.integers(0, 3)) else ["pkg", "lib"]
    nodes: list[tuple[str, bool]] = []
    budget = [draw(st.integers(3, 14))]

    def grow(package: str, depth: int) -> None:
        nodes.append((package, True))
        children = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=4, unique=True))
        for child in children:
            if budget[0] <= 0:
                break
            budget[0] -= 1
            name = f"{package}.{child}"
            if depth < 4 and draw(st.integers(0, 2)) == 0:
                grow(name, depth + 1)
            else:
                nodes.append((name, False))

    for top in tops:
        grow(top, 1)
    names = {n for n, _ in nodes}
    for name, is_package in list(nodes):
        test = f"{parent(name)}.{draw(st.sampled_from(['test_', '']))}{last(name)}"
        test = test if test.rpartition(".")[2].startswith("test_") else test + "_test"
        if not is_package and draw(st.integers(0, 7)) == 0 and test not in names:
            nodes.append((test, False))
            names.add(test)
    return tops, nodes


class DependencyModel:
    """What must be complete before what, at import time; acyclic means importable."""

    def __init__(self) -> None:
        self.graph: nx.DiGraph = nx.DiGraph()

    @staticmethod
    def edges_for(importer: str, target: str, form: str = "") -> list[tuple[str, str]]:
        """What `importer` needs complete to import `target`: the target, and the target's
        packages it is not itself inside (they run first); with `import a.b.c` used as
        `a.b.c.x`, every package on the chain (a package becomes an attribute of its
        parent only once it has finished running)."""
        own = set(ancestors(importer)) | {importer}
        edges = [(importer, target)]
        edges += [(importer, a) for a in ancestors(target) if a not in own]
        if form == "import":
            edges += [(importer, a) for a in ancestors(target)[1:] if a in own]
        return edges

    def would_cycle(self, edges: Iterable[tuple[str, str]]) -> bool:
        trial = self.graph.copy()
        trial.add_edges_from(edges)
        return not nx.is_directed_acyclic_graph(trial)

    def add(self, edges: Iterable[tuple[str, str]]) -> None:
        self.graph.add_edges_from(edges)


def _value_of(target: Node) -> str:
    return f"V_{target.token}"


def _bind(node: Node, name: str, meaning: str, taken: dict[str, str]) -> str:
    """`name`, or an alias when the module already binds `name` to something else (or,
    in an `__init__`, when `name` is one of the package's own submodules)."""
    own_child = node.is_package and name in node.children and meaning != (
        f"mod:{node.name}.{name}")
    if taken.get(name, meaning) == meaning and not own_child:
        return name
    return f"{name}_{meaning.split(':')[1].replace('.', '_')}"


def _make_use(draw: Draw, node: Node, target: Node, spec: RepoSpec, *, lazy: bool,
              taken: dict[str, str]) -> Use | None:
    forms = ["import", "import_as", "from_value", "from_func", "from_parent"]
    rel_target = relative(node.package, target.name) if not node.is_script else None
    rel_parent = (relative(node.package, parent(target.name))
                  if not node.is_script and parent(target.name) else None)
    if rel_target is not None:
        forms.append("rel_value")
    if rel_parent is not None:
        forms.append("rel_parent")
    if not lazy and not node.is_package:
        forms.append("star")
    if "." not in target.name:
        forms = [f for f in forms if f not in ("from_parent", "rel_parent")]
    form = draw(st.sampled_from(forms))
    if form == "import" and node.is_package and not lazy:
        form = "import_as"  # `import a.b` binds `a`: two such __init__ files cannot merge
    t = target.token
    value = f"V_{t}"
    if form == "import":
        top = target.name.split(".")[0]
        expr = f"{target.name}.{value}"
        up = parent(target.name)
        if IMPLICIT_PARENT_USES and "." in up and not spec.nodes[up].namespace and draw(
                st.integers(0, 2)) == 0:
            # `import a.b.c` also makes `a.b` usable: code relies on that.
            expr += f" + {up}.V_{spec.nodes[up].token}"
        use = Use([f"import {target.name}"], expr, {top: f"mod:{top}"}, [target.name], form)
        if not lazy and draw(st.integers(0, 2)) == 0:
            # A decorator, an annotation evaluated at definition time, and a string
            # annotation (resolved by typing.get_type_hints in the probe).
            name = f"h_{node.token}_{len(node.uses)}"
            chain = target.name
            use.defs = [f"@{chain}.ident_{t}",
                        f"def {name}(x: {chain}.K_{t} = None) -> \"{chain}.K_{t}\":",
                        "    return x"]
            use.probe = f"{{typing}}.get_type_hints({name})['return'].TOKEN"
        return use
    if form == "import_as":
        alias = _bind(node, f"{last(target.name)}_m", f"mod:{target.name}", taken)
        return Use([f"import {target.name} as {alias}"], f"{alias}.{value}",
                   {alias: f"mod:{target.name}"}, [target.name], form)
    if form in ("from_value", "from_func", "rel_value", "star"):
        name = f"f_{t}" if form == "from_func" else value
        source = rel_target if form == "rel_value" else target.name
        if form == "star":
            if target.star_in_body:
                return None
            return Use([f"from {target.name} import *"], value,
                       {value: f"val:{t}", f"f_{t}": f"val:{t}"}, [target.name], form)
        bound = _bind(node, name, f"val:{t}", taken)
        if bound == name and draw(st.integers(0, 4)) == 0:
            bound = f"{name}_a"
        alias = f" as {bound}" if bound != name else ""
        expr = f"{bound}()" if form == "from_func" else bound
        return Use([f"from {source} import {name}{alias}"], expr,
                   {bound: f"val:{t}"}, [target.name], form)
    # from_parent / rel_parent: `from package import submodule`
    source = rel_parent if form == "rel_parent" else parent(target.name)
    assert source is not None
    child = last(target.name)
    bound = _bind(node, child, f"mod:{target.name}", taken)
    alias = f" as {bound}" if bound != child else ""
    return Use([f"from {source} import {child}{alias}"], f"{bound}.{value}",
               {bound: f"mod:{target.name}"}, [target.name], form)


def _siblings_use(draw: Draw, node: Node, targets: list[Node],
                  taken: dict[str, str]) -> Use | None:
    """`from pkg.a import b, c` (optionally parenthesised, one comment per name)."""
    package = parent(targets[0].name)
    spelled = package
    if not node.is_script and draw(st.booleans()):
        spelled = relative(node.package, package) or package
    names = []
    binds: dict[str, str] = {}
    exprs = []
    for target in targets:
        child = last(target.name)
        bound = _bind(node, child, f"mod:{target.name}", taken)
        if bound in binds:
            return None
        names.append(child if bound == child else f"{child} as {bound}")
        binds[bound] = f"mod:{target.name}"
        exprs.append(f"{bound}.V_{target.token}")
    if draw(st.booleans()):
        lines = [f"from {spelled} import ("]
        lines += [f"    {n},  # {n.split()[0]} comes from {package}" for n in names]
        lines.append(")")
    else:
        lines = [f"from {spelled} import {', '.join(names)}  # siblings"]
    return Use(lines, " + ".join(exprs), binds, [t.name for t in targets], "siblings")


def _guard(use: Use, conditional: bool = False) -> Use:
    """In `try/except ImportError` (a fallback that changes the value if the import
    breaks), or under an `if` that is always true."""
    if conditional:
        lines = ["if len(__name__) > 0:", *["    " + line for line in use.lines]]
        return Use(lines, use.expr, use.binds, use.needs, use.form + "+if")
    fallback = [f"    {name} = {FALLBACK if kind.startswith('val') else None}"
                for name, kind in use.binds.items()]
    lines = ["try:", *["    " + line for line in use.lines], "except ImportError:", *fallback]
    return Use(lines, use.expr, use.binds, use.needs, use.form + "+guarded")


def _string_use(draw: Draw, node: Node, target: Node, index: int) -> Use:
    t = target.token
    kind = draw(st.sampled_from(["importlib", "registry", "patch"]))
    if kind == "importlib":
        return Use([], f'{{importlib}}.import_module("{target.name}").T_{t}', form=kind)
    if kind == "registry":
        if draw(st.booleans()):
            constant = f"_REF{node.token}_{index}"
            node.constants.append(f'{constant} = "{target.name}:f_{t}"')
            return Use([], f"{{load}}({constant})", form=kind)
        return Use([], f'{{load}}("{target.name}:f_{t}")', form=kind)
    handle = f"_h{index}"
    result = f"_r{index}"
    return Use([
        f"import {target.name} as {handle}",
        f'with {{mock}}.patch("{target.name}.f_{t}", return_value={700_000 + t}):',
        f"    {result} = ({handle}.g_{t}(), {handle}.f_{t}())",
        f"{result} = {result} + ({handle}.g_{t}(),)",
    ], result, form=kind)


def draw_repo(draw: Draw) -> RepoSpec:
    tops, shape = _draw_tree(draw)
    seeds = draw(st.lists(st.integers(1, 99), min_size=len(shape) + 1,
                          max_size=len(shape) + 1))
    nodes: dict[str, Node] = {}
    for token, (name, is_package) in enumerate(shape, start=1):
        nodes[name] = Node(name, is_package, token, seeds[token - 1])
    for node in nodes.values():
        # A package without __init__.py (it has modules, and is not top-level).
        node.namespace = NAMESPACE_PACKAGES and (
            node.is_package and "." in node.name and any(parent(n) == node.name for n in nodes)
            and draw(st.integers(0, 5)) == 0)
    if draw(st.integers(0, 3)) == 0:
        nodes["run_all"] = Node("run_all", False, len(shape) + 1, seeds[-1])
    spec = RepoSpec(nodes, tops, [], source_root="src" if draw(st.integers(0, 4)) == 0
                    else ".")
    for node in nodes.values():
        if node.is_package:
            node.children = {last(n) for n in nodes if parent(n) == node.name}
            node.data = draw(st.integers(0, 4)) == 0
        else:
            node.stub = not node.is_script and draw(st.integers(0, 9)) == 0
        node.bound = dict(node.header_names())
        node.style = draw(st.sampled_from(["plain"] * 9 + ["crlf", "bom", "tabs"]))
        node.wrap_probe = draw(st.integers(0, 3)) == 0
        node.one_line = draw(st.integers(0, 5)) == 0
        node.combine = draw(st.integers(0, 3)) == 0
        others = [top for top in tops if top != node.name.split(".")[0]]
        if others and not node.is_package and draw(st.integers(0, 3)) == 0:
            node.shadow = others[0]
            node.bound[others[0]] = f"own:{node.token}"

    model = DependencyModel()
    for name in nodes:
        model.graph.add_node(name)
    order = draw(st.permutations(list(nodes)))
    all_nodes = [n for n in nodes.values() if not n.namespace]
    for name in order:
        node = nodes[name]
        if node.namespace:
            continue
        count = draw(st.integers(0, 3))
        for _ in range(count):
            target = draw(st.sampled_from(all_nodes))
            if target is node or target.is_script:
                continue
            if target.is_package and within(node.name, target.name) and draw(st.booleans()):
                # A re-export of the package this module is in: `from . import V_j`.
                use = _reexport_use(draw, node, target)
            elif (draw(st.integers(0, 3)) == 0 and "." in target.name):
                siblings = [n for n in all_nodes if parent(n.name) == parent(target.name)
                            and n is not node and not n.is_script]
                chosen = draw(st.lists(st.sampled_from(siblings), min_size=2, max_size=3,
                                       unique_by=lambda n: n.name)) if len(siblings) > 1 else []
                use = (_siblings_use(draw, node, chosen, node.bound) if chosen
                       else _make_use(draw, node, target, spec, lazy=False, taken=node.bound))
            else:
                use = _make_use(draw, node, target, spec, lazy=False, taken=node.bound)
            if use is None:
                continue
            edges = [e for need in use.needs
                     for e in DependencyModel.edges_for(node.name, need, use.form)]
            if model.would_cycle(edges):
                continue
            if any(node.bound.get(b, k) != k for b, k in use.binds.items()):
                continue
            if "import" not in use.form and not use.form.startswith("star") and not use.defs \
                    and draw(st.integers(0, 5)) == 0 and all("." not in b for b in use.binds):
                use = _guard(use, conditional=draw(st.booleans()))
            model.add(edges)
            node.uses.append(use)
            node.bound.update(use.binds)
            if use.form == "star":
                node.star_in_body = True
        # Lazy imports (in probe): any target, cycles are fine at call time.
        local: dict[str, str] = {}
        for _ in range(draw(st.integers(0, 2))):
            target = draw(st.sampled_from(all_nodes))
            if target is node or target.is_script:
                continue
            use = _make_use(draw, node, target, spec, lazy=True, taken=local)
            if use is None or any(local.get(b, k) != k for b, k in use.binds.items()):
                continue
            local.update(use.binds)
            if draw(st.integers(0, 4)) == 0 and all("." not in b for b in use.binds):
                use = _guard(use)
            node.lazy.append(use)
        for _ in range(draw(st.integers(0, 1))):
            target = draw(st.sampled_from(all_nodes))
            if target is node or target.is_script:
                continue
            use = _make_use(draw, node, target, spec, lazy=True, taken=dict(node.bound))
            if use is not None and use.form != "star":
                node.type_checking.append(use)
        for index in range(draw(st.integers(0, 2))):
            target = draw(st.sampled_from(all_nodes))
            if target.is_script:
                continue
            node.strings.append(_string_use(draw, node, target, index))
    if draw(st.integers(0, 3)) == 0:
        candidates = [n for n in all_nodes if not n.is_script]
        chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=2,
                               unique_by=lambda n: n.name))
        spec.entry_points = [(f"tool{n.token}", n.name, n.token) for n in chosen]
    return spec


def _reexport_use(draw: Draw, node: Node, package: Node) -> Use | None:
    """`from . import V_j` (or `from pkg.a import V_j`): a name the package's `__init__`
    binds, through the package rather than the module defining it."""
    values = sorted(k for k, v in package.bound.items() if v.startswith("val:")
                    and k.startswith("V_"))
    if not values:
        return None
    name = draw(st.sampled_from(values))
    if node.bound.get(name, package.bound[name]) != package.bound[name]:
        return None
    spelled = relative(node.package, package.name) if draw(st.booleans()) else None
    source = spelled or package.name
    return Use([f"from {source} import {name}"], name, {name: package.bound[name]},
               [package.name], "reexport")


# -- plans ------------------------------------------------------------------------------------


@dataclass
class PlanSpec:
    moves: list[tuple[str, str]]
    facades: bool
    mapping: dict[str, str]
    """Every module's new name (independent of the tool's resolver)."""
    hazard: str | None = None
    """Why the plan may rightly be refused (a merged `__init__` needing itself in a way
    the validation does not look for); None for a plan that must simply work."""
    refusal: str | None = None
    """What validation must refuse the plan with (see `predicted_refusal`)."""


def carried_tests(moves: list[tuple[str, str]], modules: Iterable[str],
                  packages: Iterable[str]) -> list[tuple[str, str]]:
    """The moves a plan implies: a moved module takes `test_<name>` and `<name>_test`
    beside it along (renamed with it)."""
    known, explicit, folders = set(modules), {s for s, _ in moves}, set(packages)
    implied = []
    for source, target in moves:
        if source in folders or source not in known:
            continue
        old_stem, new_stem = last(source), last(target)
        for test_stem in (f"{old_stem}_test", f"test_{old_stem}"):
            test = f"{parent(source)}.{test_stem}"
            if test in known and test not in explicit:
                renamed = test_stem.replace(old_stem, new_stem, 1)
                implied.append((test, f"{parent(target)}.{renamed}"))
    return implied


def is_test_module(name: str) -> bool:
    stem = last(name)
    return stem.startswith("test_") or stem.endswith("_test") or stem == "conftest" or (
        "tests" in name.split(".")[:-1])


def new_name(name: str, moves: list[tuple[str, str]]) -> str:
    best: tuple[str, str] | None = None
    for source, target in moves:
        if within(name, source) and (best is None or len(source) > len(best[0])):
            best = (source, target)
    if best is None:
        return name
    return best[1] + name[len(best[0]):]


def plan_problem(spec: RepoSpec, moves: list[tuple[str, str]]) -> str | None:
    """Why `moves` is not a valid plan over `spec` (our own rules), or None."""
    sources = [s for s, _ in moves]
    implied = carried_tests(moves, spec.nodes, [n for n in spec.nodes
                                                if spec.nodes[n].is_package])
    if len(set(sources)) != len(sources):
        return "duplicate source"
    for source, target in moves:
        if source not in spec.nodes or spec.nodes[source].is_script or "." not in source:
            return f"bad source {source}"
        if "." not in target or target.split(".")[0] not in spec.tops:
            return f"bad target {target}"
        if target == source or strictly_within(target, source):
            return f"target {target} inside its source"
    for source, target in moves:
        for other_source, _ in moves:
            if other_source == source:
                continue
            if within(target, other_source) and not strictly_within(other_source, source):
                return f"chain: {target} in {other_source}"
    after: dict[str, list[Node]] = {}
    for node in spec.nodes.values():
        after.setdefault(new_name(node.name, moves + implied), []).append(node)
    for name, olds in after.items():
        if len(olds) > 1:
            if not all(o.is_package and not o.namespace for o in olds):
                return f"collision on {name}"
            if any(strictly_within(a.name, b.name) for a in olds for b in olds):
                return f"merge of a package with its own subpackage on {name}"
            problem = _merge_problem(olds)
            if problem:
                return problem
        for ancestor in ancestors(name):
            if ancestor in after and not all(o.is_package for o in after[ancestor]):
                return f"{name} below module {ancestor}"
    return None


def predicted_refusal(spec: RepoSpec, moves: list[tuple[str, str]], facades: bool = False
                      ) -> str | None:
    """What the tool's validation must say about a plan that is well formed but unsafe:
    a module landing on a name its package's `__init__` binds to something else, merged
    `__init__` files importing each other, a facade sharing its name with a new module."""
    full = full_moves(spec, moves)
    after: dict[str, list[Node]] = {}
    for node in spec.nodes.values():
        after.setdefault(new_name(node.name, full), []).append(node)
    if facades:
        for node in spec.nodes.values():
            if node.namespace or node.is_script or is_test_module(node.name) or (
                    new_name(node.name, full) == node.name):
                continue
            landed = after.get(node.name, [])
            if any(o.is_package != node.is_package for o in landed):
                return "with facades on, the facade left at"
    finals = set(after) | {a for n in after for a in ancestors(n)}
    children: dict[str, set[str]] = {}
    for name in finals:
        children.setdefault(parent(name), set()).add(last(name))
    for package, olds in after.items():
        inits = [o for o in olds if o.is_package and not o.namespace]
        for init in inits:
            for name, meaning in init.bound.items():
                if name not in children.get(package, set()):
                    continue
                child = f"{package}.{name}"
                same = meaning.startswith("mod:") and new_name(meaning[4:], full) == child
                landed = after.get(child, [])
                fresh = f"{init.name}.{name}" not in [o.name for o in landed]
                if not same and fresh:
                    return "would be hidden"
            if len(inits) < 2:
                continue
            for use in init.uses:
                for need in use.needs:
                    if any(other is not init and (need == other.name or (
                            use.form == "import" and within(need, other.name)))
                           for other in inits):
                        return "would import itself"
    return None


def _merge_problem(olds: list[Node]) -> str | None:
    seen: dict[str, str] = {}
    for node in olds:
        if any(u.form == "star" for u in node.uses):
            return "merge of an __init__ with a star import"
        names = runtime_bindings(render(node))
        for name in names:
            if name in seen:
                return f"merge: both bind {name}"
            seen[name] = node.name
    return None


def runtime_bindings(source: str) -> set[str]:
    """Names a module binds at run time, in nested blocks too (not under TYPE_CHECKING)."""
    bound: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(stmt.name)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for alias in stmt.names:
                    if alias.name != "*":
                        bound.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    bound.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            elif isinstance(stmt, ast.If):
                if "TYPE_CHECKING" in ast.unparse(stmt.test):
                    continue
                visit(stmt.body)
                visit(stmt.orelse)
            elif isinstance(stmt, ast.Try):
                visit(stmt.body)
                for handler in stmt.handlers:
                    visit(handler.body)
            elif isinstance(stmt, ast.With):
                visit(stmt.body)
                for item in stmt.items:
                    if item.optional_vars is not None:
                        bound.update(n.id for n in ast.walk(item.optional_vars)
                                     if isinstance(n, ast.Name))

    visit(ast.parse(source).body)
    bound -= {"__all__", "__doc__"}
    return bound


def full_moves(spec: RepoSpec, moves: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return moves + carried_tests(moves, spec.nodes,
                                 [n for n in spec.nodes if spec.nodes[n].is_package])


def plan_hazard(spec: RepoSpec, moves: list[tuple[str, str]]) -> tuple[bool, str | None]:
    """(runtime cycle after the moves?, merge hazard). A cycle the moves create is the
    plan's problem (such plans are not drawn); a merged `__init__` importing a name the
    other part defines is the engine's to refuse or get right."""
    moves = full_moves(spec, moves)
    graph: nx.DiGraph = nx.DiGraph()
    hazard = None
    merged: dict[str, list[str]] = {}
    for node in spec.nodes.values():
        merged.setdefault(new_name(node.name, moves), []).append(node.name)
    for node in spec.nodes.values():
        importer = new_name(node.name, moves)
        graph.add_node(importer)
        for use in node.uses:
            for need in use.needs:
                target = new_name(need, moves)
                for a, b in DependencyModel.edges_for(importer, target, use.form):
                    if a == b and len(merged[a]) > 1:
                        hazard = f"merged __init__ {a} imports from itself"
                        continue
                    graph.add_edge(a, b)
    return (not nx.is_directed_acyclic_graph(graph)), hazard


def _fresh(draw: Draw, taken: set[str]) -> str | None:
    free = [n for n in NEW_NAMES if n not in taken]
    return draw(st.sampled_from(free)) if free else None


def draw_plan(draw: Draw, spec: RepoSpec) -> PlanSpec | None:
    packages = [n for n in spec.nodes.values() if n.is_package and "." in n.name]
    modules = [n for n in spec.nodes.values() if not n.is_package and not n.is_script]
    all_packages = [n.name for n in spec.nodes.values() if n.is_package]
    moves: list[tuple[str, str]] = []

    def children_of(package: str, current: list[tuple[str, str]]) -> set[str]:
        names = {last(new_name(n, current)) for n in spec.nodes
                 if parent(new_name(n, current)) == package}
        return names | {last(t) for _, t in current if parent(t) == package}

    def free(nodes: list[Node]) -> list[Node]:
        """Not moved yet (by a move of their own)."""
        taken = {s for s, _ in moves}
        return [n for n in nodes if n.name not in taken]

    def destination(current: list[tuple[str, str]], source: str = "") -> str | None:
        """A package to move into: an existing one, or a new one (maybe two deep)."""
        bases = sorted({new_name(p, current) for p in all_packages
                        if not (source and within(p, source))})
        if not bases:
            return None
        base = draw(st.sampled_from(bases))
        if draw(st.integers(0, 2)) == 0:
            return base
        name = _fresh(draw, children_of(base, current))
        if name is None:
            return base
        if draw(st.integers(0, 3)) == 0:
            deeper = _fresh(draw, set())
            return f"{base}.{name}.{deeper}" if deeper else f"{base}.{name}"
        return f"{base}.{name}"

    for _ in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["module", "package", "rename", "merge", "submove",
                                     "module", "package", "merge"]))
        proposal: list[tuple[str, str]] = []
        if kind == "module" and free(modules):
            source = draw(st.sampled_from(free(modules))).name
            where = destination(moves, source)
            if where is None:
                continue
            keep = draw(st.booleans())
            name = last(source) if keep else _fresh(draw, children_of(where, moves))
            if name is None:
                continue
            proposal = [(source, f"{where}.{name}")]
        elif kind == "package" and free(packages):
            source = draw(st.sampled_from(free(packages))).name
            where = destination(moves, source)
            if where is None:
                continue
            name = last(source) if draw(st.booleans()) else _fresh(
                draw, children_of(where, moves))
            if name is None:
                continue
            proposal = [(source, f"{where}.{name}")]
        elif kind == "rename" and free(packages + modules):
            source = draw(st.sampled_from(free(packages + modules))).name
            name = _fresh(draw, children_of(parent(source), moves))
            if name is None:
                continue
            proposal = [(source, f"{parent(source)}.{name}")]
        elif kind == "merge" and len([p for p in free(packages) if not p.namespace]) >= 2:
            regular = [p for p in free(packages) if not p.namespace]
            first, second = draw(st.lists(st.sampled_from(regular), min_size=2,
                                          max_size=2, unique_by=lambda n: n.name))
            if draw(st.booleans()):
                proposal = [(first.name, second.name)]
            else:
                where = destination(moves)
                name = _fresh(draw, children_of(where, moves)) if where else None
                if where is None or name is None:
                    continue
                proposal = [(first.name, f"{where}.{name}"), (second.name, f"{where}.{name}")]
        elif kind == "submove" and moves:
            moved = [s for s, _ in moves if spec.nodes[s].is_package]
            inside = [n for n in free(modules + packages)
                      if any(strictly_within(n.name, m) for m in moved)]
            if not inside:
                continue
            source = draw(st.sampled_from(inside)).name
            where = destination(moves, source)
            name = _fresh(draw, children_of(where, moves)) if where else None
            if where is None or name is None:
                continue
            proposal = [(source, f"{where}.{name}")]
        else:
            continue
        trial = moves + proposal
        if plan_problem(spec, trial) is None and (
                predicted_refusal(spec, trial) or not plan_hazard(spec, trial)[0]):
            moves = trial
    if not moves:
        return None
    return make_plan(spec, moves, draw(st.booleans()))


def make_plan(spec: RepoSpec, moves: list[tuple[str, str]], facades: bool) -> PlanSpec:
    mapping = {name: new_name(name, full_moves(spec, moves)) for name in spec.nodes}
    refusal = predicted_refusal(spec, moves, facades)
    return PlanSpec(moves, facades, mapping, None if refusal else plan_hazard(spec, moves)[1],
                    refusal)


@st.composite
def cases(draw: Draw) -> tuple[RepoSpec, PlanSpec]:
    """A repo and a valid plan over it."""
    spec = draw_repo(draw)
    plan = draw_plan(draw, spec)
    if plan is None:
        # Every repo has at least one module outside the top-level package's root: a
        # rename of the first one is always valid.
        first = next(n for n in spec.nodes.values() if "." in n.name)
        name = next(x for x in NEW_NAMES if f"{parent(first.name)}.{x}" not in spec.nodes)
        moves = [(first.name, f"{parent(first.name)}.{name}")]
        if plan_problem(spec, moves) is not None or (
                plan_hazard(spec, moves)[0] and not predicted_refusal(spec, moves)):
            from hypothesis import reject

            reject()
        plan = make_plan(spec, moves, draw(st.booleans()))
    return spec, plan


def describe(spec: RepoSpec, plan: PlanSpec) -> str:
    """The example as a ready-to-paste regression test body."""
    files = spec.files()
    body = ",\n".join(f"    {path!r}: {textwrap.indent(repr(text), '')}"
                      for path, text in sorted(files.items()))
    return (f"FILES = {{\n{body},\n}}\nMOVES = {plan.moves!r}\nFACADES = {plan.facades!r}\n"
            f"TOPS = {spec.tops!r}\nSOURCE_ROOT = {spec.source_root!r}\nREFUSAL = "
            f"{plan.refusal!r}\nMAY_REFUSE = {plan.hazard is not None}\n")
