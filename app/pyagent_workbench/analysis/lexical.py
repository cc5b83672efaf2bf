"""The words of the code: what a unit's names, comments and docstrings say it is about.

Software clustering that reads identifiers and comments besides the import graph
(ACDC's and LIMBO's lexical variants) recovers role-named groups that the graph pulls
apart (`util`, `commands`: imported from everywhere, importing little). Each module gives
the words of its name and of its text (identifiers split at case changes and
underscores, comments, docstrings, strings); TF-IDF weighs each unit's words (a word
every unit carries says nothing) and `analysis.spectral` ties units by the cosine of
their vectors.

Import statements are never read and dotted paths are dropped everywhere: they name
other modules' places, the structure itself. A file is read only if it is a regular
file inside the repository, and at most `READ_LIMIT` bytes of it.
"""

from __future__ import annotations

import hashlib
import keyword
import math
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path

from pyagent_workbench import safefiles

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


_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+)?import[ \t]+(?:\([^)]*\)|(?:[^\n\\]|\\\n)*)",
    re.MULTILINE)
_KEYWORDS = frozenset(k.lower() for k in keyword.kwlist)
READ_LIMIT = 1 << 20
"""Bytes read of one file at most: past a megabyte, a file (generated tables, vendored
data) says no more about what its module is for."""


def source_words(source: str, module: str) -> Counter[str]:
    """The words a module carries: its own last name and every word of its text but
    its import statements and dotted paths."""
    text = _DOTTED.sub(" ", _IMPORT.sub(" ", source))
    bag: Counter[str] = Counter(
        w for w in (m.lower() for m in _WORD.findall(text))
        if len(w) > 2 and w not in _STOP and w not in _KEYWORDS)
    bag.update(words_of(module.rpartition(".")[2]))
    return bag


def read_source(root: Path, path: str, *, inside: dict[str, bool] | None = None) -> str:
    """The text of `path` (relative to `root`), empty unless it is a regular file that
    resolves inside `root`; at most `READ_LIMIT` bytes, undecodable bytes replaced.
    `inside`: directory -> whether it resolves inside `root`, kept between calls (each
    directory is resolved once, not each of its files)."""
    full = root / path
    directory, _, _ = path.rpartition("/")
    try:
        known = None if inside is None else inside.get(directory)
        if known is None:
            known = Path(os.path.realpath(root / directory)).is_relative_to(
                os.path.realpath(root))
            if inside is not None:
                inside[directory] = known
        if not known:
            return ""  # a linked directory on the way leads outside
        if full.is_symlink() and not Path(os.path.realpath(full)).is_relative_to(
                os.path.realpath(root)):
            return ""  # the file itself links outside
        data = safefiles.read_regular(full, limit=READ_LIMIT, head=True)
    except OSError:
        return ""  # a directory, a FIFO, a device, a dangling link
    return data.decode("utf-8", errors="replace")


def unit_bags(root: Path, units: Mapping[str, Sequence[tuple[str, str]]]
              ) -> dict[str, Counter[str]]:
    """Each unit's words: the sum of its modules' (`units`: unit -> (module, path))."""
    bags: dict[str, Counter[str]] = {}
    inside: dict[str, bool] = {}
    for unit, modules in units.items():
        bag: Counter[str] = Counter()
        for module, path in modules:
            bag.update(source_words(read_source(root, path, inside=inside), module))
        bags[unit] = bag
    return bags


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


class CodeWords:
    """The word vectors of a container's units, read from their files only when first
    asked for (`stamp` alone lets a cached clustering be reused without reading)."""

    def __init__(self, root: Path, sources: Mapping[str, Sequence[tuple[str, str]]]) -> None:
        self.root = root
        self.sources = {unit: tuple(sorted(modules)) for unit, modules in sources.items()}
        self._given: str | None = None

    @classmethod
    def of_bags(cls, bags: Mapping[str, Counter[str]]) -> CodeWords:
        """Words given rather than read from files (a benchmark's scrubbed sources)."""
        words = cls(Path("."), {})
        words.__dict__["vectors"] = unit_vectors(bags)
        text = repr(sorted((unit, sorted(bag.items())) for unit, bag in bags.items()))
        words._given = hashlib.sha256(text.encode()).hexdigest()
        return words

    def stamp(self) -> str:
        """A digest of the units' files as they are on disk (path, size, modification
        time): it changes when a file does."""
        if self._given is not None:
            return self._given
        digest = hashlib.sha256()
        for unit, modules in sorted(self.sources.items()):
            digest.update(f"{unit}\0".encode())
            for module, path in modules:
                try:
                    info = os.lstat(self.root / path)
                    stamp = f"{info.st_size}:{info.st_mtime_ns}"
                except OSError:
                    stamp = "-"
                digest.update(f"{module}\0{path}\0{stamp}\0".encode())
        return digest.hexdigest()

    @cached_property
    def vectors(self) -> dict[str, dict[str, float]]:
        return unit_vectors(unit_bags(self.root, self.sources))
