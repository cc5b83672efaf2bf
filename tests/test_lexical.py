"""The words of the code (analysis.lexical): names and docstrings, never imports or
dotted paths; TF-IDF neighbours; the combined graph."""

from __future__ import annotations

from collections import Counter

from pyagent_workbench.analysis.lexical import (
    combined_weights,
    module_words,
    nearest,
    unit_vectors,
    words_of,
)

SOURCE = '''"""Query compilation for the ORM: see django.db.models.sql.compiler for more."""
import django.db.backends.utils
from pkg.secret_path import hidden_name


class SQLCompiler:
    """Turn a query into SQL text."""

    def compile_where(self):
        return hidden_name


MAX_DEPTH = 5
'''


def test_words_split_identifiers_and_drop_short_and_common_words() -> None:
    assert words_of("SQLCompiler") == ["sql", "compiler"]
    assert words_of("get_db_prep_value") == ["prep"]
    assert words_of("QuerySet") == ["query"]  # "set" is too common to say anything


def test_a_module_carries_its_names_and_docstrings_but_no_import_or_path() -> None:
    bag = module_words(SOURCE, "pkg.compiler")
    assert {"compiler", "sql", "compile", "depth", "query", "compilation",
            "orm", "turn", "text"} <= set(bag)
    assert not {"django", "backends", "utils", "secret", "path", "hidden", "models"} & set(bag)
    assert module_words("def broken(:\n", "pkg.io_tools") == Counter({"tools": 1})


def test_neighbours_are_the_units_that_share_rare_words() -> None:
    bags = {
        "a": Counter({"cache": 3, "store": 2, "common": 1}),
        "b": Counter({"cache": 2, "index": 1, "common": 1}),
        "c": Counter({"render": 3, "page": 2, "common": 1}),
        "d": Counter({"render": 1, "table": 2, "common": 1}),
    }
    vectors = unit_vectors(bags)
    assert "common" not in vectors["a"]  # carried by every unit: no weight
    pairs = nearest(vectors, k=1)
    assert set(pairs) == {("a", "b"), ("c", "d")}
    assert all(0 < s <= 1 for s in pairs.values())
    weights = combined_weights({("a", "c"): 4, ("b", "d"): 2}, pairs, strength=1.0)
    assert weights[("a", "c")] == 4.0 and weights[("a", "b")] == 3.0 * pairs[("a", "b")]
