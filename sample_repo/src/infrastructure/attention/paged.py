"""Paged attention: K/V vectors live in fixed-size blocks of a shared pool."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from src.infrastructure.logging.structured import get_logger, log_event

from ..cache.block_pool import BlockPool
from .ops import scaled_dot_product_attention

if TYPE_CHECKING:
    from src.infrastructure.cache.block_pool import BlockTable

_log = get_logger("attention.paged")


class PagedAttention:
    def __init__(self, pool: BlockPool | None = None, num_blocks: int = 64, block_size: int = 16) -> None:
        self.pool = pool or BlockPool(num_blocks=num_blocks, block_size=block_size)

    def append_kv(self, seq_id: int, key: Sequence[float], value: Sequence[float]) -> None:
        self.pool.append(seq_id, list(key), list(value))

    def attend(self, seq_id: int, query: Sequence[float], attention_fn=scaled_dot_product_attention) -> list[float]:
        keys, values = self.pool.gather(seq_id)
        return attention_fn(query, keys, values)

    def block_table(self, seq_id: int) -> BlockTable:
        return self.pool.table(seq_id)

    def release(self, seq_id: int) -> int:
        freed = self.pool.free(seq_id)
        log_event(_log, "paged.release", seq=seq_id, blocks=freed)
        return freed

    @property
    def utilisation(self) -> float:
        return self.pool.usage()
