"""Failures the property tests found, shrunk to the smallest repo that shows them, each
kept as a named test (the engine fix is named in the docstring).

Every module here follows the generator's convention (`T_<token> = <token>`, a value
`V_<token>` computed from what it imports, and a `probe_<token>()`), so `round_trip`
compares values before and after, on top of the textual checks."""

from __future__ import annotations

import textwrap
from pathlib import Path

from pyagent_workbench.model.resolver import Resolver
from pyagent_workbench.rewrite.context import FileContext
from pyagent_workbench.rewrite.files import rewrite_python

from .harness import round_trip


def module(token: int, imports: str = "", value: str = "0", probe: str = "") -> str:
    """A module in the generator's convention."""
    body = textwrap.dedent(imports).strip()
    return (f"{body}\n\nT_{token} = {token}\nV_{token} = {value}\n\n\n"
            f"def probe_{token}():\n    return [{probe}]\n").lstrip("\n")


def test_shadowed_root_uses_the_alias_of_the_longest_import(tmp_path: Path) -> None:
    """imports.py: with `import pkg.iota.theta` and (under TYPE_CHECKING) `import pkg.iota`
    both aliased because the new root `lib` is a variable of the file, the use
    `pkg.iota.theta.V` took the alias of `pkg.iota` (the first alias found, and one that
    only exists for type checkers): NameError at import. Fix: the longest import wins."""
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "",
        "pkg/iota/__init__.py": module(2),
        "pkg/iota/theta.py": module(3, value="4"),
        "pkg/alpha.py": module(4, """
            from typing import TYPE_CHECKING
            import pkg.iota.theta
            if TYPE_CHECKING:
                import pkg.iota
            lib = 37
            """, value="pkg.iota.theta.V_3 + lib"),
        "lib/__init__.py": "",
    }
    outcome = round_trip(tmp_path / "case", files, [("pkg.iota", "lib.pulse.iota")],
                         facades=True, tops=["pkg", "lib"])
    assert outcome.applied
    text = (tmp_path / "case/work/pkg/alpha.py").read_text()
    assert "import lib.pulse.iota.theta as _lib_pulse_iota_theta\n" in text
    assert "V_4 = _lib_pulse_iota_theta.V_3 + lib\n" in text


PARENT_USED: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/a/__init__.py": module(2, value="20"),
    "pkg/a/b.py": module(3, value="3"),
    "pkg/user.py": module(4, "import pkg.a.b\nPARENT = pkg.a", value="pkg.a.b.V_3 + PARENT.V_2"),
}


def test_parent_package_used_through_a_moved_import_is_imported_beside_it() -> None:
    """imports.py: `import pkg.a.b` also imports `pkg.a`, and the file used `pkg.a.V_2`;
    rewritten to `import pkg.q.b` alone, `pkg.a` was no longer imported (AttributeError,
    unless another module happened to import it first: verify, importing every module
    in one interpreter, did not see it). Fix: the whole-file rewrite imports the packages
    the file used that way beside the rewritten import."""
    resolver = Resolver({"pkg.a.b": "pkg.q.b"}, frozenset({"pkg", "pkg.a", "pkg.a.b",
                                                           "pkg.user"}))
    source = str(PARENT_USED["pkg/user.py"]).encode()
    result = rewrite_python(source, FileContext("pkg/user.py", "pkg.user", False, "pkg.user"),
                            resolver)
    assert result.new_bytes is not None
    assert result.new_bytes.decode().startswith(
        "import pkg.q.b\nimport pkg.a\nPARENT = pkg.a\n\nT_4 = 4\nV_4 = pkg.q.b.V_3 + "
        "PARENT.V_2\n")


def test_parent_package_used_through_a_moved_import_end_to_end(tmp_path: Path) -> None:
    round_trip(tmp_path / "case", PARENT_USED, [("pkg.a.b", "pkg.q.b")], facades=False,
               tops=["pkg"])


def test_module_landing_on_a_name_its_package_binds_is_refused(tmp_path: Path) -> None:
    """validation.py: `pkg/gamma/theta/__init__.py` binds `beta` (`from ... import beta`,
    the module pkg.beta); moving `pkg.gamma.theta.eps.beta` to
    `pkg.gamma.theta.beta.beta` creates the package `pkg.gamma.theta.beta`, and importing
    it rebinds `beta` in the `__init__` (the import system sets submodules as package
    attributes): `beta.V_2` then failed. Fix: validation refuses a module (or created
    package) landing on a name its package's `__init__` binds to something else."""
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "",
        "pkg/beta.py": module(2, value="2"),
        "pkg/gamma/__init__.py": "",
        "pkg/gamma/theta/__init__.py": module(
            4, "from ... import beta\nfrom pkg.gamma.theta.eps.beta import V_7",
            value="beta.V_2 + V_7"),
        "pkg/gamma/theta/eps/__init__.py": "",
        "pkg/gamma/theta/eps/beta.py": module(7, value="7"),
    }
    round_trip(tmp_path / "case", files,
               [("pkg.gamma.theta.eps.beta", "pkg.gamma.theta.beta.beta")], facades=True,
               tops=["pkg"], refusal="'pkg.gamma.theta.beta' would be hidden: "
                                     "pkg/gamma/theta/__init__.py:1 binds 'beta'")


def test_merging_a_package_with_its_own_subpackage_is_refused(tmp_path: Path) -> None:
    """validation.py: merging `pkg.eta` and `pkg.eta.delta` into one package, where
    `pkg/eta/__init__.py` does `from pkg.eta import delta` and reads `delta.V_7`: the
    merged `__init__` imports itself before its second part defines V_7 (AttributeError,
    partially initialised module). First fix: validation refused merged `__init__` files
    that import one another; the property test then found `from . import delta` in a
    module of `pkg.eta` failing after such a merge (there is no `delta` any more), so
    validation now refuses any merge of a package with its own subpackage."""
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "",
        "pkg/eta/__init__.py": module(6, "from pkg.eta import delta", value="delta.V_7"),
        "pkg/eta/delta/__init__.py": module(7, value="78"),
        "pkg/eta/delta/kappa.py": module(8, value="1"),
        "lib/__init__.py": "",
    }
    round_trip(tmp_path / "case", files,
               [("pkg.eta.delta", "lib.umbra.vega"), ("pkg.eta", "lib.umbra.vega")],
               facades=False, tops=["pkg", "lib"],
               refusal="move #1 (pkg.eta.delta): lands on 'lib.umbra.vega' like move #2 "
                       "(pkg.eta), which contains it")


def test_init_fallback_binding_in_except_importerror_is_not_a_clash(tmp_path: Path) -> None:
    """validation.py (found while fixing the above): `try: from pkg.kappa import alpha`
    / `except ImportError: alpha = None` binds `alpha` to the submodule itself; the
    fallback must not count as binding it to something else."""
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "",
        "pkg/kappa/__init__.py": module(2, """
            try:
                from pkg.kappa import alpha
            except ImportError:
                alpha = None
            """, value="alpha.V_3"),
        "pkg/kappa/alpha.py": module(3, value="5"),
    }
    assert round_trip(tmp_path / "case", files, [("pkg.kappa", "pkg.nova")], facades=False,
                      tops=["pkg"]).applied


def test_verify_imports_changed_modules_on_their_own(tmp_path: Path) -> None:
    """verify.py: verify imported every module in one interpreter, so the module broken
    above still imported there (an earlier module had imported `pkg.a`): the apply said
    OK. Fix: the modules whose rewritten file has a plain `import a.b.c` of a moved module
    are also imported each on its own, in a fork of a clean interpreter, before and
    after."""
    from pyagent_workbench.rewrite.verify import import_modules
    from pyagent_workbench.workspace import Workspace
    from support.repos import make_repo

    repo = make_repo(tmp_path / "repo", {
        "pkg/__init__.py": "", "pkg/a/__init__.py": "", "pkg/a/b.py": "",
        "pkg/first.py": "import pkg.a.b\n", "pkg/user.py": "import pkg\n\nX = pkg.a\n",
    }, git_repo=False)
    workspace = Workspace.open(repo)
    names = ["pkg", "pkg.a", "pkg.a.b", "pkg.first", "pkg.user"]
    assert import_modules(workspace, names)["pkg.user"] is None
    alone = import_modules(workspace, names, alone=["pkg.user"])
    assert alone["pkg.user"] == "AttributeError: module 'pkg' has no attribute 'a'"
    assert alone["pkg.first"] is None


MERGE_INTO_PARENT: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/eta/__init__.py": module(2, value="2"),
    "pkg/eta/kappa/__init__.py": module(3, value="7"),
    "pkg/eta/kappa/kappa.py": module(4, value="8"),
    "pkg/user.py": module(5, "from pkg.eta.kappa import V_3\nfrom pkg.eta.kappa import kappa",
                          value="V_3 + kappa.V_4"),
}


def test_facade_that_would_share_a_name_with_a_moved_module_is_refused(tmp_path: Path
                                                                       ) -> None:
    """validation.py: merging `pkg.eta.kappa` into its parent `pkg.eta` puts its module
    `kappa.py` at `pkg/eta/kappa.py`, while the facade of the old package stays at
    `pkg/eta/kappa/__init__.py`: the package hides the module (`V_6` then missing).
    Fix: with facades on, validation refuses a facade sharing its name with a module
    (or package) a move puts beside it."""
    round_trip(tmp_path / "case", MERGE_INTO_PARENT, [("pkg.eta.kappa", "pkg.eta")],
               facades=True, tops=["pkg"], refusal="with facades on, the facade left at "
               "'pkg/eta/kappa/__init__.py' (the old package pkg.eta.kappa) and "
               "'pkg/eta/kappa.py'")


def test_applying_a_merge_into_the_parent_twice_says_already_applied(tmp_path: Path
                                                                     ) -> None:
    """apply.py: after that merge (facades off) the name `pkg.eta.kappa` exists again (the
    module that landed there), so reading the tree said "some moves are applied and
    others are not" and a second apply failed. Fix: an apply records itself; while every
    target is there, the plan is applied (round_trip applies twice)."""
    assert round_trip(tmp_path / "case", MERGE_INTO_PARENT, [("pkg.eta.kappa", "pkg.eta")],
                      facades=False, tops=["pkg"]).applied


def test_verify_accepts_a_namespace_package_the_plan_empties(tmp_path: Path) -> None:
    """verify.py: moving the only module out of `pkg/alpha/` (no `__init__.py`) leaves
    the package `pkg.alpha` with nothing in it: the apply removes the empty folder, and
    verify reported `pkg.alpha` as "no longer imports". Fix: a package without
    `__init__.py` that the plan empties is expected to go."""
    files: dict[str, str | bytes] = {"pkg/__init__.py": "",
                                     "pkg/alpha/alpha.py": module(2, value="2"),
                                     "pkg/user.py": module(3, "import importlib", probe=(
                                         'importlib.import_module("pkg.alpha.alpha").T_2'))}
    assert round_trip(tmp_path / "case", files, [("pkg.alpha.alpha", "pkg.nova")],
                      facades=False, tops=["pkg"]).applied
    assert not (tmp_path / "case/work/pkg/alpha").exists()


def test_modules_in_a_namespace_package_are_in_the_import_graph(tmp_path: Path) -> None:
    from pyagent_workbench.analysis.graph import build_graph
    from pyagent_workbench.repo import Repo
    from support.repos import make_repo

    repo = make_repo(tmp_path / "repo", {
        "pkg/__init__.py": "", "pkg/ns/a.py": "from pkg.reg import x\n",
        "pkg/reg/__init__.py": "", "pkg/reg/x.py": "import pkg.ns.a\n"}, git_repo=False)
    graph = build_graph(Repo(repo, source_root=".", packages=["pkg"]), use_cache=False)
    assert {("pkg.ns.a", "pkg.reg.x"), ("pkg.reg.x", "pkg.ns.a")} <= graph.edges()


def test_string_annotation_uses_the_alias_of_a_shadowed_root(tmp_path: Path) -> None:
    """strings.py: `import pkg.eps.zeta` becomes `import lib.nova.zeta as
    _lib_nova_zeta` because the file has a global named `lib`; the string annotation
    `"pkg.eps.zeta.K"` became `"lib.nova.zeta.K"`, which `typing.get_type_hints` evaluates
    in the module: `lib` is 31 there (AttributeError). Fix: a string annotation is code,
    so it takes the alias the import got."""
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "",
        "pkg/eps/__init__.py": "",
        "pkg/eps/zeta.py": module(3, value="3") + "\n\nclass K:\n    TOKEN = 3\n",
        "lib/__init__.py": "",
        "pkg/user.py": module(5, """
            import typing
            import pkg.eps.zeta
            lib = 31


            def h(x: "pkg.eps.zeta.K" = None) -> None:
                return x
            """, value="pkg.eps.zeta.V_3 + lib",
            probe="typing.get_type_hints(h)['x'].TOKEN"),
    }
    round_trip(tmp_path / "case", files, [("pkg.eps", "lib.nova")], facades=False,
               tops=["pkg", "lib"])
    text = (tmp_path / "case/work/pkg/user.py").read_text()
    assert 'def h(x: "_lib_nova_zeta.K" = None) -> None:' in text


# -- packages without __init__.py inside a package (gen.NAMESPACE_PACKAGES) --------------


def test_module_renamed_inside_a_namespace_directory_keeps_the_directory(tmp_path: Path
                                                                         ) -> None:
    """engine.py: `pkg/ns/alpha.py` renamed to `pkg/ns/nova.py` (`pkg/ns` has no
    `__init__.py`): the diff listed `pkg/ns` among the directories the apply removes,
    though a file lands in it. Fix: a directory a file lands in is never emptied."""
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "",
        "pkg/ns/alpha.py": module(2, value="2"),
        "pkg/user.py": module(3, "from pkg.ns import alpha", value="alpha.V_2"),
    }
    outcome = round_trip(tmp_path / "case", files, [("pkg.ns.alpha", "pkg.ns.nova")],
                         facades=False, tops=["pkg"])
    assert outcome.applied
    assert (tmp_path / "case/work/pkg/ns/nova.py").is_file()


def test_plan_emptying_a_namespace_directory_applies_once(tmp_path: Path) -> None:
    """apply.py: `pkg.ns` (no `__init__.py`) moved to `pkg.nova` while its only module
    moves elsewhere: after the apply `pkg.nova` exists under no name (an empty directory
    is no package), so the second `apply` took the plan for half applied and refused.
    Fix: a move whose source and target are both absent counts as applied."""
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "",
        "pkg/ns/alpha.py": module(2, value="2"),
        "pkg/user.py": module(3, "import pkg.ns.alpha", value="pkg.ns.alpha.V_2"),
    }
    outcome = round_trip(tmp_path / "case", files,
                         [("pkg.ns", "pkg.nova"), ("pkg.ns.alpha", "pkg.pulse")],
                         facades=False, tops=["pkg"])
    assert outcome.applied
    assert not (tmp_path / "case/work/pkg/ns").exists()


def test_facade_serves_a_submodule_of_an_emptied_namespace_directory(tmp_path: Path
                                                                     ) -> None:
    """facades.py: `pkg.a` (a package) moved with facades on, and `pkg.a.ns.alpha`
    (`pkg/a/ns` has no `__init__.py`) sent elsewhere: `import pkg.a.ns.alpha` asked the
    facade's finder for `pkg.a.ns`, whose new place is an empty directory, so no module
    (ModuleNotFoundError). Fix: the finder serves such a directory as an empty package
    for the submodules that moved apart from it."""
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": "",
        "pkg/a/__init__.py": module(2, value="2"),
        "pkg/a/ns/alpha.py": module(3, value="3"),
        "pkg/user.py": module(4, "from pkg.a.ns import alpha", value="alpha.V_3"),
    }
    outcome = round_trip(tmp_path / "case", files,
                         [("pkg.a", "pkg.b.a"), ("pkg.a.ns.alpha", "pkg.nova.alpha")],
                         facades=True, tops=["pkg"])
    assert outcome.applied
