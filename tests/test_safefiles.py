"""`safefiles.read_regular` reads with plain `os.read` calls: every byte of a regular
file, at most the bound, whatever the size the file had when it was opened."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import pytest
from pyagent_workbench import safefiles


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 65_537, 1_000_003])
def test_a_regular_file_is_read_whole(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "module.py"
    path.write_bytes(data)
    assert safefiles.read_regular(path) == data
    assert safefiles.read_regular(str(path)) == data


def test_the_bound_refuses_a_larger_file_and_cuts_a_head(tmp_path: Path) -> None:
    data = os.urandom(70_000)
    path = tmp_path / "big.py"
    path.write_bytes(data)
    assert safefiles.read_regular(path, limit=70_000) == data
    with pytest.raises(safefiles.NotRegular, match="larger than"):
        safefiles.read_regular(path, limit=69_999)
    assert safefiles.read_regular(path, limit=100, head=True) == data[:100]
    assert safefiles.read_regular(path, limit=69_999, head=True) == data[:69_999]


def test_reading_goes_on_past_the_size_seen_at_the_open_until_the_end() -> None:
    # A file that grows after its size was read, or a read that returns less than asked
    # (a pipe here): the reading goes on to the end of the data, within the bound.
    data = os.urandom(300_000)
    for limit, expected in ((1 << 20, data), (123_456, data[:123_456])):
        reading, writing = os.pipe()

        def write(end: int = writing) -> None:
            with contextlib.suppress(BrokenPipeError), os.fdopen(end, "wb") as stream:
                for start in range(0, len(data), 10_000):
                    stream.write(data[start:start + 10_000])
                    stream.flush()

        writer = threading.Thread(target=write)
        writer.start()
        try:
            assert safefiles._read_up_to(reading, limit, 10) == expected
        finally:
            os.close(reading)
            writer.join()


def test_a_folder_is_not_read(tmp_path: Path) -> None:
    with pytest.raises(safefiles.NotRegular):
        safefiles.read_regular(tmp_path)


def test_a_config_file_is_read_only_when_it_is_its_own(tmp_path: Path) -> None:
    """`read_ini` and `read_toml`, every reader of the repo's configuration: a link (to a
    file outside, even a valid one), a FIFO, a folder, bytes that are not UTF-8 and text
    that does not parse give nothing, at once."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "setup.cfg").write_text("[flake8]\nmax-line-length = 99\n")
    (outside / "pyproject.toml").write_text('[tool.ruff]\nline-length = 99\n')
    repo = tmp_path / "repo"
    repo.mkdir()
    cases = {
        "setup.cfg": lambda path: path.write_text("[flake8]\nmax-line-length = 88\n"),
        "link.cfg": lambda path: path.symlink_to(outside / "setup.cfg"),
        "fifo.cfg": os.mkfifo,
        "folder.cfg": Path.mkdir,
        "latin1.cfg": lambda path: path.write_bytes(b"[flake8]\n# caf\xe9\n"),
        "broken.cfg": lambda path: path.write_text("[flake8\nmax-line-length = 88\n"),
        "pyproject.toml": lambda path: path.write_text('[tool.ruff]\nline-length = 88\n'),
        "link.toml": lambda path: path.symlink_to(outside / "pyproject.toml"),
        "fifo.toml": os.mkfifo,
        "broken.toml": lambda path: path.write_text("[tool.ruff\n"),
    }
    for name, make in cases.items():
        make(repo / name)
    read = {name: safefiles.read_ini(repo / name) for name in cases if name.endswith(".cfg")}
    assert [name for name, parser in read.items() if parser is not None] == ["setup.cfg"]
    assert read["setup.cfg"] is not None
    assert read["setup.cfg"].get("flake8", "max-line-length") == "88"
    tables = {name: safefiles.read_toml(repo / name) for name in cases
              if name.endswith(".toml")}
    assert tables == {"pyproject.toml": {"tool": {"ruff": {"line-length": 88}}},
                      "link.toml": {}, "fifo.toml": {}, "broken.toml": {}}
    assert safefiles.read_ini(repo / "missing.cfg") is None
