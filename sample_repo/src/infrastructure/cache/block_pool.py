"""Pool of fixed-size KV blocks shared by all sequences."""

from __future__ import annotations

from dataclasses import dataclass, field

from src.core.base.base_exceptions import ResourceExhaustedError
from src.infrastructure.logging.structured import get_logger, log_event
from src.infrastructure.memory.allocator import BlockAllocator

_log = get_logger("cache.block_pool")

Vec = list[float]


@dataclass
class BlockTable:
    seq_id: int
    blocks: list[int] = field(default_factory=list)
    num_tokens: int = 0


class BlockPool:
    def __init__(self, num_blocks: int = 256, block_size: int = 16) -> None:
        self.block_size = block_size
        self.allocator = BlockAllocator(num_blocks)
        self._tables: dict[int, BlockTable] = {}
        self._data: dict[int, list[tuple[Vec, Vec]]] = {}

    def table(self, seq_id: int) -> BlockTable:
        return self._tables.setdefault(seq_id, BlockTable(seq_id))

    def append(self, seq_id: int, key: Vec, value: Vec) -> None:
        table = self.table(seq_id)
        if table.num_tokens % self.block_size == 0:
            try:
                block = self.allocator.allocate()
            except ResourceExhaustedError:
                log_event(
                    _log,
                    "KV block pool exhausted; see src.infrastructure.attention.paged for details",
                    seq=seq_id,
                )
                raise
            table.blocks.append(block)
            self._data[block] = []
        self._data[table.blocks[-1]].append((key, value))
        table.num_tokens += 1

    def gather(self, seq_id: int) -> tuple[list[Vec], list[Vec]]:
        keys: list[Vec] = []
        values: list[Vec] = []
        for block in self.table(seq_id).blocks:
            for key, value in self._data[block]:
                keys.append(key)
                values.append(value)
        return keys, values

    def free(self, seq_id: int) -> int:
        table = self._tables.pop(seq_id, None)
        if table is None:
            return 0
        for block in table.blocks:
            if self.allocator.free(block):
                self._data.pop(block, None)
        return len(table.blocks)

    def usage(self) -> float:
        total = self.allocator.num_blocks
        return (total - self.allocator.num_free) / total

    def can_allocate(self, num_tokens: int) -> bool:
        needed = -(-num_tokens // self.block_size)
        return needed <= self.allocator.num_free
