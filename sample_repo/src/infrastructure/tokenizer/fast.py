"""BPE tokenizer with a per-word LRU cache (the hot path of the engine)."""

from __future__ import annotations

from collections.abc import Sequence

from src.infrastructure.cache.lru import LRUCache
from src.infrastructure.tokenization.pretokenize import split_words

from .bpe import BPETokenizer


class FastTokenizer:
    def __init__(self, base: BPETokenizer | None = None, cache_size: int = 1024) -> None:
        self.base = base or BPETokenizer.default()
        self._word_cache: LRUCache[str, tuple[int, ...]] = LRUCache(cache_size)

    def _encode_word(self, word: str) -> tuple[int, ...]:
        # Cached per pre-tokenised word; see src.infrastructure.cache.lru for the eviction policy.
        cached = self._word_cache.get(word)
        if cached is None:
            cached = tuple(self.base.vocab.token_to_id(p) for p in self.base.bpe(word))
            self._word_cache.put(word, cached)
        return cached

    def encode(self, text: str, add_bos: bool = False) -> list[int]:
        ids = [self.base.bos_id] if add_bos else []
        for word in split_words(self.base.normalizer.normalize(text)):
            ids.extend(self._encode_word(word))
        return ids

    def decode(self, ids: Sequence[int], skip_special: bool = True) -> str:
        return self.base.decode(ids, skip_special)

    @property
    def vocab_size(self) -> int:
        return self.base.vocab_size

    @property
    def eos_id(self) -> int:
        return self.base.eos_id

    @property
    def bos_id(self) -> int:
        return self.base.bos_id

    @property
    def cache_hit_rate(self) -> float:
        return self._word_cache.hit_rate
