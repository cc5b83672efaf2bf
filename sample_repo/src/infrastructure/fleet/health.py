"""Heartbeat-based node health, with a circuit breaker per node."""

from __future__ import annotations

import time
from collections.abc import Callable

from src.infrastructure.resilience.circuit_breaker import CircuitBreaker

HEALTHY, SUSPECT, DEAD = "healthy", "suspect", "dead"


class HealthChecker:
    def __init__(self, timeout_s: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout_s = timeout_s
        self.clock = clock
        self.last_seen: dict[str, float] = {}
        self.breakers: dict[str, CircuitBreaker] = {}

    def track(self, node: str) -> None:
        self.last_seen.setdefault(node, self.clock())
        self.breakers.setdefault(node, CircuitBreaker(failure_threshold=2, reset_timeout_s=self.timeout_s, clock=self.clock))

    def heartbeat(self, node: str) -> None:
        self.track(node)
        self.last_seen[node] = self.clock()
        self.breakers[node].record_success()

    def missed(self, node: str) -> None:
        self.track(node)
        self.breakers[node].record_failure()

    def status(self, node: str) -> str:
        if node not in self.last_seen:
            return DEAD
        silent = self.clock() - self.last_seen[node]
        if silent > 2 * self.timeout_s:
            return DEAD
        if silent > self.timeout_s or self.breakers[node].state != CircuitBreaker.CLOSED:
            return SUSPECT
        return HEALTHY
