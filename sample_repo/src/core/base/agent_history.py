"""Bounded conversation history of an agent."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import asdict, dataclass, field

from .base_defaults import DEFAULT_HISTORY_LIMIT


@dataclass(frozen=True)
class Turn:
    role: str
    content: str
    timestamp: float = field(default_factory=time.time)


class AgentHistory:
    ROLES = frozenset({"user", "agent", "system", "tool"})

    def __init__(self, limit: int = DEFAULT_HISTORY_LIMIT) -> None:
        if limit <= 0:
            raise ValueError("limit must be positive")
        self._turns: deque[Turn] = deque(maxlen=limit)

    def add(self, role: str, content: str) -> Turn:
        if role not in self.ROLES:
            raise ValueError(f"unknown role {role!r}")
        turn = Turn(role, content)
        self._turns.append(turn)
        return turn

    def last(self, n: int = 1) -> list[Turn]:
        return list(self._turns)[-n:] if n > 0 else []

    def to_transcript(self) -> str:
        return "\n".join(f"{t.role}: {t.content}" for t in self._turns)

    def to_list(self) -> list[dict[str, object]]:
        return [asdict(t) for t in self._turns]

    @classmethod
    def from_list(cls, items: list[dict[str, object]], limit: int = DEFAULT_HISTORY_LIMIT) -> AgentHistory:
        history = cls(limit)
        for item in items:
            history._turns.append(Turn(str(item["role"]), str(item["content"]), float(item["timestamp"])))  # type: ignore[arg-type]
        return history

    def clear(self) -> None:
        self._turns.clear()

    def __len__(self) -> int:
        return len(self._turns)
