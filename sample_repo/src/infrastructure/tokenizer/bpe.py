"""Byte-pair-encoding tokenizer. Merges are shipped in ``data/merges.txt``."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..tokenization.normalizer import Normalizer
from ..tokenization.pretokenize import WORD_MARKER, join_words, split_words
from ..tokenization.vocab import Vocab

MERGES_PATH = Path(__file__).parent / "data" / "merges.txt"
BASE_ALPHABET = [chr(c) for c in range(33, 127)] + [WORD_MARKER]


def load_merges(path: Path = MERGES_PATH) -> list[tuple[str, str]]:
    """Read merges, skipping comments, blanks and exact duplicates.

    Each side of a merge must already be producible (a base symbol or the
    result of an earlier merge), otherwise the file is corrupt.
    """
    merges: list[tuple[str, str]] = []
    known = set(BASE_ALPHABET)
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValueError(f"{path.name}:{lineno}: expected two symbols, got {line!r}")
        left, right = parts
        if left not in known or right not in known:
            raise ValueError(f"{path.name}:{lineno}: merge uses unknown symbol in {line!r}")
        if (left, right) in merges:
            continue
        merges.append((left, right))
        known.add(left + right)
    return merges


class BPETokenizer:
    def __init__(self, merges: Iterable[tuple[str, str]] | None = None, normalizer: Normalizer | None = None) -> None:
        self.merges = load_merges() if merges is None else list(merges)
        self.ranks = {pair: rank for rank, pair in enumerate(self.merges)}
        self.vocab = Vocab([*BASE_ALPHABET, *(a + b for a, b in self.merges)])
        self.normalizer = normalizer or Normalizer()

    @classmethod
    @functools.cache
    def default(cls) -> BPETokenizer:
        return cls()

    def bpe(self, word: str) -> list[str]:
        symbols = list(word)
        while len(symbols) > 1:
            pairs = [(self.ranks.get((a, b)), i) for i, (a, b) in enumerate(zip(symbols, symbols[1:]))]
            ranked = [(rank, i) for rank, i in pairs if rank is not None]
            if not ranked:
                break
            best_rank = min(ranked)[0]
            left, right = self.merges[best_rank]
            merged, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == left and symbols[i + 1] == right:
                    merged.append(left + right)
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            symbols = merged
        return symbols

    def tokenize(self, text: str) -> list[str]:
        pieces: list[str] = []
        for word in split_words(self.normalizer.normalize(text)):
            pieces.extend(self.bpe(word))
        return pieces

    def encode(self, text: str, add_bos: bool = False) -> list[int]:
        ids = [self.vocab.token_to_id(piece) for piece in self.tokenize(text)]
        return [self.vocab.bos_id, *ids] if add_bos else ids

    def decode(self, ids: Sequence[int], skip_special: bool = True) -> str:
        pieces = [self.vocab.id_to_token(i) for i in ids if not (skip_special and self.vocab.is_special(i))]
        return join_words(pieces)

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @property
    def eos_id(self) -> int:
        return self.vocab.eos_id

    @property
    def bos_id(self) -> int:
        return self.vocab.bos_id
