"""Per-request context handed from agent to agent."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

_ids = itertools.count(1)


@dataclass(frozen=True)
class AgentContext:
    agent_name: str
    request_id: int = field(default_factory=lambda: next(_ids))
    depth: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)

    def child(self, agent_name: str, **metadata: Any) -> AgentContext:
        merged = {**self.metadata, **metadata}
        return AgentContext(agent_name, self.request_id, self.depth + 1, merged)

    @property
    def trace(self) -> str:
        return f"req-{self.request_id}/{self.agent_name}@{self.depth}"
