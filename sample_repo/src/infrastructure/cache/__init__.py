"""KV block pool, LRU and prefix caches."""

from .block_pool import BlockPool, BlockTable
from .lru import LRUCache
from .prefix_cache import PrefixCache

__all__ = ["BlockPool", "BlockTable", "LRUCache", "PrefixCache"]
