"""The plan's mapping places each file of a moved package by its path's parts, stem and
suffix, read with string operations (`model.mapping._parts`, `_stem_and_suffix`): the
same answers as `PurePosixPath`, which cost more than the rest of the placing."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given
from hypothesis import strategies as st
from pyagent_workbench.model.mapping import _parts, _stem_and_suffix

NAME = st.text(alphabet="ab._-", min_size=1, max_size=8).filter(lambda n: n not in (".", ".."))


@given(NAME)
def test_a_file_names_stem_and_suffix_are_pathlibs(name: str) -> None:
    path = PurePosixPath(name)
    assert _stem_and_suffix(name) == (path.stem, path.suffix)


@given(st.lists(st.sampled_from(["a", "b.py", ".", "", "c.d", "__init__.py"]), min_size=1,
                max_size=6))
def test_a_relative_paths_parts_are_pathlibs(pieces: list[str]) -> None:
    relative = "/".join(pieces).lstrip("/") or "a"
    assert _parts(relative) == list(PurePosixPath(relative).parts)


def test_known_names() -> None:
    assert _stem_and_suffix("__init__.py") == ("__init__", ".py")
    assert _stem_and_suffix("stub.pyi") == ("stub", ".pyi")
    assert _stem_and_suffix(".bashrc") == (".bashrc", "")
    assert _stem_and_suffix("data.tar.gz") == ("data.tar", ".gz")
    assert _parts("src/app//core/./db.py") == ["src", "app", "core", "db.py"]
