"""Any layout a user brings: flat, src layout, a package named `src`, namespace
packages, several top-level packages. Detection, the graph, a move and verify."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.analysis.graph import build_graph
from pyagent_workbench.repo import Repo, detect_layout
from support.cli import run
from support.plans import write_plan
from support.repos import make_repo

PKG = {
    "__init__.py": "",
    "core/__init__.py": "from .base import Base\n",
    "core/base.py": "class Base:\n    pass\n",
    "util/__init__.py": "",
    "util/text.py": "from ..core.base import Base\n\n\ndef name():\n    return Base.__name__\n",
    "util/more.py": "from . import text\n",
}


def tree(prefix: str, files: dict[str, str]) -> dict[str, str | bytes]:
    return {f"{prefix}{path}": content for path, content in files.items()}


LAYOUTS: dict[str, tuple[dict[str, str | bytes], str, tuple[str, ...], str]] = {
    # name: (files, source_root, packages, dotted prefix of the package)
    "flat": (tree("mylib/", PKG), ".", ("mylib",), "mylib"),
    "src-layout": (tree("src/mylib/", PKG), "src", ("mylib",), "mylib"),
    "package-named-src": (tree("src/", PKG), ".", ("src",), "src"),
    "namespace": ({**tree("src/acme/mylib/", PKG)}, "src", ("acme",), "acme.mylib"),
    "two-packages": ({**tree("mylib/", PKG), "other/__init__.py": "",
                      "other/use.py": "from mylib.util import text\n"}, ".",
                     ("mylib", "other"), "mylib"),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layout_is_detected_analysed_and_moved(tmp_path: Path, layout: str) -> None:
    files, source_root, packages, prefix = LAYOUTS[layout]
    repo_path = make_repo(tmp_path / layout, {**files, "tests/test_it.py": "x = 1\n",
                                              "docs/conf.py": "y = 2\n"})
    detected = detect_layout(repo_path)
    assert (detected.source_root, detected.packages) == (source_root, packages)
    repo = Repo(repo_path)
    graph = build_graph(repo)
    assert (f"{prefix}.util.text", f"{prefix}.core.base") in graph.edges()
    write_plan(repo_path / "plan.toml", [(f"{prefix}.util.text", f"{prefix}.core.text")],
               facades=False)
    result = run("apply", repo_path / "plan.toml")
    assert result.code == 0, result.out + result.err
    assert "checked: OK" in result.out
    moved = (repo_path / source_root / prefix.replace(".", "/") / "core/text.py").read_text()
    assert moved.startswith("from .base import Base")
    more = (repo_path / source_root / prefix.replace(".", "/") / "util/more.py").read_text()
    assert more == "from ..core import text\n"
