"""Prefix caching: remember full token blocks by a chained hash."""

from __future__ import annotations

from collections.abc import Sequence

from src.core.base.base_utilities import stable_hash

from .lru import LRUCache


class PrefixCache:
    def __init__(self, block_size: int = 16, capacity: int = 1024) -> None:
        self.block_size = block_size
        self._blocks: LRUCache[int, int] = LRUCache(capacity)

    def block_hashes(self, token_ids: Sequence[int]) -> list[int]:
        hashes = []
        parent = 0
        full = len(token_ids) - len(token_ids) % self.block_size
        for start in range(0, full, self.block_size):
            block = token_ids[start : start + self.block_size]
            parent = stable_hash(f"{parent}:{','.join(map(str, block))}")
            hashes.append(parent)
        return hashes

    def insert(self, token_ids: Sequence[int]) -> int:
        hashes = self.block_hashes(token_ids)
        for h in hashes:
            self._blocks.put(h, self._blocks.get(h, 0) + 1)
        return len(hashes)

    def match(self, token_ids: Sequence[int]) -> int:
        """Number of leading tokens already covered by cached blocks."""
        matched = 0
        for h in self.block_hashes(token_ids):
            if h not in self._blocks:
                break
            matched += self.block_size
        return matched

    def insert_text(self, text: str) -> int:
        # The tokenizer package imports the cache package (tokenizer.fast uses
        # LRUCache), so it is imported lazily here to avoid a cycle.
        from src.infrastructure.tokenizer.bpe import BPETokenizer

        return self.insert(BPETokenizer.default().encode(text))

    @property
    def stats(self) -> dict[str, float]:
        return {"blocks": len(self._blocks), "hit_rate": self._blocks.hit_rate}
