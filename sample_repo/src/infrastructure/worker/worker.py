"""A worker owns one model runner and reports its load."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from src.infrastructure.metrics.registry import default_registry

from .model_runner import ModelRunner

if TYPE_CHECKING:
    from src.infrastructure.orchestration.request import Request


class Worker:
    def __init__(self, worker_id: int, runner: ModelRunner) -> None:
        self.worker_id = worker_id
        self.runner = runner
        self.active: set[int] = set()
        self._lock = threading.Lock()
        self._steps = default_registry.counter(f"worker_{worker_id}_steps_total")

    def prefill(self, request: Request, token_ids: Sequence[int]) -> list[float]:
        with self._lock:
            self.active.add(request.request_id)
        self._steps.inc(len(token_ids))
        return self.runner.prefill(request.request_id, token_ids)

    def decode(self, request: Request, token_id: int, position: int) -> list[float]:
        self._steps.inc()
        return self.runner.step(request.request_id, token_id, position)

    def finish(self, request: Request) -> int:
        with self._lock:
            self.active.discard(request.request_id)
        return self.runner.release(request.request_id)

    @property
    def load(self) -> int:
        return len(self.active)

    def health(self) -> dict[str, float]:
        return {
            "worker": self.worker_id,
            "active": self.load,
            "kv_usage": self.runner.attention.utilisation,
        }
