"""Block allocation and agent memories."""

from .allocator import BlockAllocator
from .episodic import Episode, EpisodicMemory

__all__ = ["BlockAllocator", "Episode", "EpisodicMemory"]
