"""Reference-counted block allocator."""

from __future__ import annotations

from collections import deque

from src.core.base.base_exceptions import ResourceExhaustedError


class BlockAllocator:
    def __init__(self, num_blocks: int) -> None:
        if num_blocks <= 0:
            raise ValueError("num_blocks must be positive")
        self.num_blocks = num_blocks
        self._free: deque[int] = deque(range(num_blocks))
        self._refcount: dict[int, int] = {}

    def allocate(self) -> int:
        if not self._free:
            raise ResourceExhaustedError(f"all {self.num_blocks} blocks are in use")
        block = self._free.popleft()
        self._refcount[block] = 1
        return block

    def fork(self, block: int) -> int:
        """Share ``block`` with one more owner (copy-on-write style)."""
        if block not in self._refcount:
            raise KeyError(f"block {block} is not allocated")
        self._refcount[block] += 1
        return block

    def free(self, block: int) -> bool:
        """Drop one reference; return True when the block went back to the pool."""
        count = self._refcount.get(block)
        if count is None:
            raise KeyError(f"double free of block {block}")
        if count > 1:
            self._refcount[block] = count - 1
            return False
        del self._refcount[block]
        self._free.append(block)
        return True

    @property
    def num_free(self) -> int:
        return len(self._free)

    def refcount(self, block: int) -> int:
        return self._refcount.get(block, 0)
