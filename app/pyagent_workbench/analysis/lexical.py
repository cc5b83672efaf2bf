"""The words of the code: what a unit's names and docstrings say it is about.

Software clustering that reads identifiers and comments besides the import graph
(ACDC's and LIMBO's lexical variants) recovers role-named groups that the graph pulls
apart (`util`, `commands`: imported from everywhere, importing little). Each unit gets
the words of its module names, of the classes, functions and top-level names its
modules define, and of their docstrings; TF-IDF weighs them (a word every unit carries
says nothing), and each unit's nearest units by cosine similarity become extra edges
that `combined_weights` adds to the import graph's.

Imports are never read (they name other modules' paths: the structure itself), and
dotted paths are dropped from docstrings for the same reason.
"""

from __future__ import annotations

import ast
import math
import re
from collections import Counter
from collections.abc import Mapping

_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])")
_DOTTED = re.compile(r"\b\w+(?:\.\w+)+\b")
_STOP = frozenset("""
    the and for with this that from are was were not but you your have has had can
    will its into than then them they their there these those when where which while
    who whom what why how all any each few more most other some such only own same
    also just should would could may might must shall use used uses using see get
    set new one two none true false self cls args kwargs return returns param type
    value values default object objects list dict str int bool data name names file
    files function functions class classes method methods module modules test tests
    example examples note given
""".split())  # noqa: SIM905 (a list a reader can scan)


def words_of(text: str) -> list[str]:
    """Lowercase words of identifiers and prose: `QuerySet` -> query, set; `get_db_prep`
    -> prep (short and common words dropped)."""
    return [w for w in (m.lower() for m in _WORD.findall(text))
            if len(w) > 2 and w not in _STOP]


def module_words(source: str, module: str) -> Counter[str]:
    """The words a module carries: its own name, the names it defines at the top level
    and in its classes, and its docstrings without dotted paths."""
    bag: Counter[str] = Counter(words_of(module.rpartition(".")[2]))
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return bag
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            bag.update(words_of(node.name))
        elif isinstance(node, ast.Assign) and node in tree.body:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bag.update(words_of(target.id))
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                      | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                bag.update(words_of(_DOTTED.sub(" ", doc)))
    return bag


def unit_vectors(bags: Mapping[str, Counter[str]]) -> dict[str, dict[str, float]]:
    """TF-IDF vectors, unit length: a word's weight in a unit is its share of the unit's
    words times log(units / units carrying it)."""
    df: Counter[str] = Counter(w for bag in bags.values() for w in bag)
    n = len(bags)
    vectors: dict[str, dict[str, float]] = {}
    for unit, bag in bags.items():
        total = sum(bag.values()) or 1
        vector = {w: (c / total) * math.log(n / df[w]) for w, c in bag.items()
                  if df[w] < n}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors[unit] = {w: v / norm for w, v in vector.items()}
    return vectors


def nearest(vectors: Mapping[str, Mapping[str, float]], k: int = 8,
            floor: float = 0.1) -> dict[tuple[str, str], float]:
    """Each unit's `k` most similar units (cosine at least `floor`), as undirected pairs
    (a < b) with their similarity."""
    postings: dict[str, list[tuple[str, float]]] = {}
    for unit, vector in vectors.items():
        for word, weight in vector.items():
            postings.setdefault(word, []).append((unit, weight))
    pairs: dict[tuple[str, str], float] = {}
    for unit, vector in sorted(vectors.items()):
        scores: dict[str, float] = {}
        for word, weight in vector.items():
            for other, other_weight in postings[word]:
                if other != unit:
                    scores[other] = scores.get(other, 0.0) + weight * other_weight
        for other, score in sorted(scores.items(), key=lambda s: (-s[1], s[0]))[:k]:
            if score >= floor:
                key = (unit, other) if unit < other else (other, unit)
                pairs[key] = max(pairs.get(key, 0.0), score)
    return pairs


def combined_weights(imports: Mapping[tuple[str, str], int],
                     similar: Mapping[tuple[str, str], float],
                     strength: float = 1.0) -> dict[tuple[str, str], float]:
    """The import graph's weights plus the word similarities, scaled so that a pair of
    units as alike as can be weighs `strength` times an average import edge."""
    mean = (sum(imports.values()) / len(imports)) if imports else 1.0
    weights: dict[tuple[str, str], float] = {k: float(v) for k, v in imports.items()}
    for (a, b), similarity in similar.items():
        weights[(a, b)] = weights.get((a, b), 0.0) + strength * mean * similarity
    return weights
