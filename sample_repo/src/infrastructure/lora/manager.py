"""Keep at most ``max_loras`` adapters resident, evicting the least recently used."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from src.infrastructure.cache.lru import LRUCache
from src.infrastructure.logging.structured import get_logger, log_event

from .adapter import LoRAAdapter

_log = get_logger("lora")


class LoRAManager:
    def __init__(self, loader: Callable[[str], LoRAAdapter], max_loras: int = 2) -> None:
        self.loader = loader
        self.loads = 0
        self._resident: LRUCache[str, LoRAAdapter] = LRUCache(max_loras, on_evict=self._evicted)
        self.evicted: list[str] = []

    def _evicted(self, name: str, adapter: LoRAAdapter) -> None:
        self.evicted.append(name)
        log_event(_log, "lora.evict", adapter=name)

    def get(self, name: str) -> LoRAAdapter:
        adapter = self._resident.get(name)
        if adapter is None:
            adapter = self.loader(name)
            self.loads += 1
            self._resident.put(name, adapter)
        return adapter

    def forward(self, name: str | None, base_output: Sequence[float], x: Sequence[float]) -> list[float]:
        if name is None:
            return list(base_output)
        return self.get(name).apply(base_output, x)

    @property
    def resident(self) -> list[str]:
        return self._resident.keys()
