"""Storage back-ends for KV blobs shipped between prefill and decode nodes."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod


class KVConnector(ABC):
    @abstractmethod
    def put(self, key: str, blob: bytes) -> None: ...

    @abstractmethod
    def get(self, key: str) -> bytes | None: ...

    @abstractmethod
    def delete(self, key: str) -> bool: ...


class InMemoryConnector(KVConnector):
    def __init__(self, capacity_bytes: int = 1 << 20) -> None:
        self.capacity_bytes = capacity_bytes
        self._store: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @property
    def used_bytes(self) -> int:
        return sum(len(b) for b in self._store.values())

    def put(self, key: str, blob: bytes) -> None:
        with self._lock:
            old = len(self._store.get(key, b""))
            if self.used_bytes - old + len(blob) > self.capacity_bytes:
                raise MemoryError(f"connector full: cannot store {len(blob)} bytes for {key!r}")
            self._store[key] = blob

    def get(self, key: str) -> bytes | None:
        return self._store.get(key)

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._store.pop(key, None) is not None
