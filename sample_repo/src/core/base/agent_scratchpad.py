"""Short-lived key/value notes with a step-based time to live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class _Note:
    value: Any
    ttl: int | None


class AgentScratchpad:
    def __init__(self) -> None:
        self._notes: dict[str, _Note] = {}

    def write(self, key: str, value: Any, ttl: int | None = None) -> None:
        if ttl is not None and ttl <= 0:
            raise ValueError("ttl must be positive")
        self._notes[key] = _Note(value, ttl)

    def read(self, key: str, default: Any = None) -> Any:
        note = self._notes.get(key)
        return default if note is None else note.value

    def tick(self) -> list[str]:
        """Advance one step; return the keys that expired."""
        expired = []
        for key, note in list(self._notes.items()):
            if note.ttl is None:
                continue
            note.ttl -= 1
            if note.ttl <= 0:
                expired.append(key)
                del self._notes[key]
        return expired

    def keys(self) -> list[str]:
        return sorted(self._notes)

    def as_dict(self) -> dict[str, Any]:
        return {key: note.value for key, note in self._notes.items()}
