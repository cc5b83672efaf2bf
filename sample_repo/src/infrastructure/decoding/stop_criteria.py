"""When does generation stop?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class StopCriteria:
    max_tokens: int
    eos_id: int | None = None
    stop_strings: tuple[str, ...] = ()

    def check(self, generated: Sequence[int], text: str) -> str | None:
        """Finish reason (``"eos"``, ``"stop"``, ``"length"``) or None to continue."""
        if generated and self.eos_id is not None and generated[-1] == self.eos_id:
            return "eos"
        if any(s and s in text for s in self.stop_strings):
            return "stop"
        if len(generated) >= self.max_tokens:
            return "length"
        return None

    def trim(self, text: str) -> str:
        cut = len(text)
        for s in self.stop_strings:
            index = text.find(s) if s else -1
            if index != -1:
                cut = min(cut, index)
        return text[:cut]
