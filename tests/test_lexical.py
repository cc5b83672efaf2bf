"""The words of the code (analysis.lexical): names, comments and docstrings, never import
statements or dotted paths; files read safely; TF-IDF vectors."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from pyagent_workbench.analysis.lexical import (
    READ_LIMIT,
    CodeWords,
    read_source,
    source_words,
    unit_vectors,
    words_of,
)

SOURCE = '''"""Query compilation for the ORM: see django.db.models.sql.compiler for more."""
import django.db.backends.utils
from pkg.secret_path import (
    hidden_name,
    other_secret,
)


class SQLCompiler:
    """Turn a query into SQL text."""

    def compile_where(self):  # the WHERE clause, see pkg.where.node
        return hidden_name


MAX_DEPTH = 5
'''


def test_words_split_identifiers_and_drop_short_and_common_words() -> None:
    assert words_of("SQLCompiler") == ["sql", "compiler"]
    assert words_of("get_db_prep_value") == ["prep"]
    assert words_of("QuerySet") == ["query"]  # "set" is too common to say anything


def test_a_module_carries_the_words_of_its_text_but_no_import_or_path() -> None:
    bag = source_words(SOURCE, "pkg.compiler")
    assert {"compiler", "sql", "compile", "depth", "query", "compilation",
            "orm", "turn", "text", "clause", "hidden"} <= set(bag)
    # Names used in the code count (`hidden_name`); import statements and dotted paths
    # (the modules' places) never do.
    assert not {"django", "backends", "utils", "secret", "path", "models", "other",
                "node", "pkg", "import", "def", "return"} & set(bag)
    assert source_words("def broken(:\n", "pkg.io_tools") == Counter({"tools": 1, "broken": 1})


def test_files_are_read_only_when_regular_and_inside_the_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (tmp_path / "outside.py").write_text("SECRET_TOKEN = 1\n")
    (root / "pkg/inside.py").write_text("LOCAL_NAME = 1\n")
    (root / "pkg/link_out.py").symlink_to(tmp_path / "outside.py")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/leaked.py").write_text("LEAKED_NAME = 1\n")
    (root / "pkg/linked_dir").symlink_to(tmp_path / "elsewhere")
    (root / "pkg/link_in.py").symlink_to(root / "pkg/inside.py")
    (root / "pkg/dangling.py").symlink_to(root / "pkg/missing.py")
    os.mkfifo(root / "pkg/fifo.py")  # would block a plain read
    (root / "pkg/big.py").write_bytes(b"# " + b"x" * (READ_LIMIT + 10) + b"\nTAIL_WORD = 1\n")
    (root / "pkg/latin.py").write_bytes(b"# caf\xe9 r\xe9sum\xe9\nNAME_ONE = 1\n")
    assert "LOCAL_NAME" in read_source(root, "pkg/inside.py")
    assert read_source(root, "pkg/link_out.py") == ""
    assert read_source(root, "pkg/linked_dir/leaked.py") == ""
    memo: dict[str, bool] = {}  # each directory resolved once
    assert read_source(root, "pkg/linked_dir/leaked.py", inside=memo) == ""
    assert "LOCAL_NAME" in read_source(root, "pkg/inside.py", inside=memo)
    assert memo == {"pkg/linked_dir": False, "pkg": True}
    assert "LOCAL_NAME" in read_source(root, "pkg/link_in.py")
    assert read_source(root, "pkg/dangling.py") == ""
    assert read_source(root, "pkg/fifo.py") == ""
    assert read_source(root, "pkg") == ""
    assert "TAIL_WORD" not in read_source(root, "pkg/big.py")
    assert len(read_source(root, "pkg/big.py")) == READ_LIMIT
    assert "NAME_ONE" in read_source(root, "pkg/latin.py")


def test_code_words_are_read_once_and_stamped_by_the_files(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/cache.py").write_text("def cache_store(): ...\n")
    (root / "pkg/render.py").write_text("def render_page(): ...\n")
    (root / "pkg/render_more.py").write_text("def render_table(): ...\n")
    words = CodeWords(root, {"pkg.cache": [("pkg.cache", "pkg/cache.py")],
                             "pkg.render": [("pkg.render", "pkg/render.py"),
                                            ("pkg.render_more", "pkg/render_more.py")]})
    before = words.stamp()
    assert before == CodeWords(root, dict(words.sources)).stamp()
    vectors = words.vectors
    assert {"page", "table"} <= set(vectors["pkg.render"])
    assert "cache" in vectors["pkg.cache"]
    (root / "pkg/render_more.py").write_text("def render_table_too(): ...\n")
    os.utime(root / "pkg/render_more.py", ns=(1, 1))
    assert CodeWords(root, dict(words.sources)).stamp() != before


@pytest.mark.parametrize("text", ["", "import os\nfrom a.b import (c,\n    d)\n"])
def test_a_module_with_no_words_but_its_name(text: str) -> None:
    assert source_words(text, "pkg.storage") == Counter({"storage": 1})


def test_unit_vectors_weigh_rare_words() -> None:
    bags = {
        "a": Counter({"cache": 3, "store": 2, "common": 1}),
        "b": Counter({"cache": 2, "index": 1, "common": 1}),
        "c": Counter({"render": 3, "page": 2, "common": 1}),
        "d": Counter({"render": 1, "table": 2, "common": 1}),
    }
    vectors = unit_vectors(bags)
    assert "common" not in vectors["a"]  # carried by every unit: no weight
    assert all(abs(sum(v * v for v in vector.values()) - 1) < 1e-9
               for vector in vectors.values())
    assert vectors["a"]["store"] > vectors["a"]["cache"] / 2
