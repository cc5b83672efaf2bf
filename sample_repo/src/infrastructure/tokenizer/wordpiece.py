"""WordPiece tokenizer (greedy longest-match-first, ``##`` continuations)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from src.infrastructure.tokenization.normalizer import Normalizer
from src.infrastructure.tokenization.vocab import Vocab

CONTINUATION = "##"


class WordPieceTokenizer:
    def __init__(self, pieces: Iterable[str], max_chars_per_word: int = 100) -> None:
        self.vocab = Vocab(pieces)
        self.max_chars_per_word = max_chars_per_word
        self.normalizer = Normalizer(lowercase=True, strip_accents=True)

    def tokenize_word(self, word: str) -> list[str]:
        if len(word) > self.max_chars_per_word:
            return ["<unk>"]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                candidate = word[start:end] if start == 0 else CONTINUATION + word[start:end]
                if candidate in self.vocab:
                    found = candidate
                    break
                end -= 1
            if found is None:
                return ["<unk>"]
            pieces.append(found)
            start = end
        return pieces

    def tokenize(self, text: str) -> list[str]:
        return [p for word in self.normalizer.normalize(text).split() for p in self.tokenize_word(word)]

    def encode(self, text: str) -> list[int]:
        return [self.vocab.token_to_id(p) for p in self.tokenize(text)]

    def decode(self, ids: Sequence[int]) -> str:
        words: list[str] = []
        for token in (self.vocab.id_to_token(i) for i in ids if not self.vocab.is_special(i)):
            if token.startswith(CONTINUATION) and words:
                words[-1] += token[len(CONTINUATION) :]
            else:
                words.append(token)
        return " ".join(words)
