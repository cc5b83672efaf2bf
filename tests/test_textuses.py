"""Uses of a facade's old path outside Python, file by file: each case is a file's name
and text, and the uses (line, old name) that must be found in it, no more."""

from __future__ import annotations

import os
import pickle
import sys
import textwrap
import types
from pathlib import Path

import pytest
from pyagent_workbench.rewrite.textuses import OldPaths, uses_in_file

FACADES = [("pkg.old", "src/pkg/old/__init__.py"), ("pkg.old.mod", "src/pkg/old/mod.py")]
"""A package facade and a module facade, in a repo whose source root is `src`."""

CASES: dict[str, tuple[str, str, set[tuple[int, str]]]] = {
    "shell: a comment line is not a use, -m in it is": ("run.sh", """
        # pkg.old.mod used to live here
        # python -m pkg.old.mod
        celery -A pkg.old.mod worker
        """, {(2, "pkg.old.mod"), (3, "pkg.old.mod")}),
    "a file path, from the repo root, the source root or elsewhere": ("Dockerfile", """
        COPY src/pkg/old/mod.py /srv/
        RUN python ./pkg/old/mod.py && python /srv/src/pkg/old/sub/deep.py
        RUN python mypkg/old/mod.py
        """, {(1, "pkg.old.mod"), (2, "pkg.old.mod"), (2, "pkg.old.sub.deep")}),
    "INI: both comment styles": ("conf/app.cfg", """
        [app]
        ; handler = pkg.old.mod:Handler
        # handler = pkg.old.mod:Handler
        handler = pkg.old.mod:Handler
        """, {(4, "pkg.old.mod")}),
    "Markdown: prose no, fenced code yes, an unclosed fence to the end": ("README.md", """
        The module `pkg.old.mod` moved; src/pkg/old/mod.py is a facade now.

        ```sh
        gunicorn pkg.old.mod:app
        ```
        Prose again: pkg.old.
        ~~~~
        from pkg.old import mod
        """, {(4, "pkg.old.mod"), (8, "pkg.old")}),
    "reStructuredText: literal blocks, code and auto directives; not a note": ("docs/a.rst", """
        Run it::

            python pkg/old/mod.py

        Prose about pkg.old.mod.

        .. note::

           pkg.old.mod is deprecated.

        .. automodule:: pkg.old.mod

        .. code-block:: python

           import pkg.old
        """, {(3, "pkg.old.mod"), (11, "pkg.old.mod"), (15, "pkg.old")}),
    "plain text: doctest and prompt lines, and -m in prose": ("NOTES.txt", """
        >>> import pkg.old.mod
        $ pytest src/pkg/old
        Start it with `python3 -W ignore -m pkg.old.mod`, not pkg.old.mod alone.
        """, {(1, "pkg.old.mod"), (2, "pkg.old"), (3, "pkg.old.mod")}),
    "a document without a suffix is prose": ("CHANGELOG", """
        pkg.old.mod moved to pkg.new.mod.
        """, set()),
    "a plan of this tool is not a use": ("plans/phase2.toml", """
        schema = 1
        [[moves]]
        source = "pkg.old.mod"
        target = "pkg.new.mod"
        """, set()),
    "other TOML is": ("conf/worker.toml", """
        [worker]
        app = "pkg.old.mod:app"
        """, {(2, "pkg.old.mod")}),
    "a longer name on a dotted boundary only": ("ci.yml", """
        - run: pytest --cov=pkg.old.modular --cov=pkg.older --cov=pkg.old.mod.x
        """, {(1, "pkg.old.modular"), (1, "pkg.old.mod.x")}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_uses_in_a_text_file(tmp_path: Path, case: str) -> None:
    name, text, expected = CASES[case]
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    found = {(u.line, u.name) for u in uses_in_file(tmp_path, name, OldPaths(FACADES))}
    assert found == expected


def test_a_long_line_is_shown_around_its_use(tmp_path: Path) -> None:
    (tmp_path / "bundle.json").write_text('{"a": "' + "x" * 5000 + '", "h": "pkg.old.mod"}')
    [use] = uses_in_file(tmp_path, "bundle.json", OldPaths(FACADES))
    assert use.line == 1 and "pkg.old.mod" in use.text and len(use.text) < 200


@pytest.mark.parametrize(("protocol", "file"), [
    (0, "state.pickle"), (2, "state.pkl"), (2, "state.dat"), (4, "state.bin"),
    (5, "state.pickle")])
def test_a_pickle_names_the_module_of_its_classes(tmp_path: Path, protocol: int,
                                                  file: str) -> None:
    """Protocols 0-2 write an opcode letter right before the name, 4-5 its length (a
    letter for a name of 65 characters, as here); protocol 0 is ASCII, known as a pickle
    by its suffix, and the others are not UTF-8 whatever their file's name."""
    name = "pkg.old.mod." + "m" * (65 - len("pkg.old.mod."))
    record = type("Record", (), {"__module__": name})
    parts = name.split(".")
    modules = {".".join(parts[:n]): types.ModuleType(".".join(parts[:n]))
               for n in range(1, len(parts) + 1)}
    modules[name].Record = record  # type: ignore[attr-defined]
    assert not set(modules) & set(sys.modules)
    sys.modules.update(modules)
    try:
        data = pickle.dumps(record, protocol=protocol)
    finally:
        for module in modules:
            del sys.modules[module]
    (tmp_path / file).write_bytes(data)
    found = uses_in_file(tmp_path, file, OldPaths(FACADES))
    assert [u.name for u in found] == [name]


def test_a_link_out_of_the_repo_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.sh"
    outside.write_text("python -m pkg.old.mod\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(outside, repo / "run.sh")
    (repo / "real.sh").write_text("python -m pkg.old.mod\n")
    os.symlink("real.sh", repo / "same.sh")  # a link within the repo is read
    old_paths = OldPaths(FACADES)
    assert uses_in_file(repo.resolve(), "run.sh", old_paths) == []
    assert [u.line for u in uses_in_file(repo.resolve(), "same.sh", old_paths)] == [1]
    assert [u.line for u in uses_in_file(repo.resolve(), "real.sh", old_paths)] == [1]
