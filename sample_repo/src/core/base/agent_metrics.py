"""Per-agent metrics, backed by the infrastructure metrics package."""

from __future__ import annotations

import src.infrastructure.metrics.counters

from .base_utilities import slugify


class AgentMetrics:
    """Counters for one agent (or for the core itself)."""

    def __init__(self, agent_name: str) -> None:
        prefix = f"agent_{slugify(agent_name).replace('-', '_')}"
        self.messages = src.infrastructure.metrics.counters.Counter(f"{prefix}_messages_total")
        self.errors = src.infrastructure.metrics.counters.Counter(f"{prefix}_errors_total")
        self.active_agents = src.infrastructure.metrics.counters.Gauge(f"{prefix}_active")

    def record_message(self, ok: bool = True) -> None:
        self.messages.inc()
        if not ok:
            self.errors.inc()

    @property
    def error_rate(self) -> float:
        total = self.messages.value
        return self.errors.value / total if total else 0.0

    def snapshot(self) -> dict[str, float]:
        return {
            "messages": self.messages.value,
            "errors": self.errors.value,
            "active": self.active_agents.value,
        }
