"""In-process event emitter used by agents (distinct from the infra event bus)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AgentEvent:
    kind: str
    agent: str
    payload: dict[str, Any] = field(default_factory=dict)
    timestamp: float = field(default_factory=time.time)


Listener = Callable[[AgentEvent], None]


class AgentEventEmitter:
    def __init__(self) -> None:
        self._listeners: dict[str, list[Listener]] = defaultdict(list)
        self.history: list[AgentEvent] = []

    def on(self, kind: str, listener: Listener) -> None:
        self._listeners[kind].append(listener)

    def emit(self, kind: str, agent: str, **payload: Any) -> AgentEvent:
        event = AgentEvent(kind, agent, payload)
        self.history.append(event)
        for listener in self._listeners.get(kind, []) + self._listeners.get("*", []):
            listener(event)
        return event
