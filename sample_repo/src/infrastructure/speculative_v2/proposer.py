"""Draft-token proposers for speculative decoding."""

from __future__ import annotations

from collections.abc import Sequence


class NgramProposer:
    """Propose the tokens that followed the latest earlier occurrence of the
    last ``n`` tokens (prompt-lookup decoding)."""

    def __init__(self, n: int = 2, num_speculative: int = 3) -> None:
        self.n = n
        self.num_speculative = num_speculative

    def propose(self, context: Sequence[int]) -> list[int]:
        if len(context) <= self.n:
            return []
        tail = list(context[-self.n :])
        for start in range(len(context) - self.n - 1, -1, -1):
            if list(context[start : start + self.n]) == tail:
                follow = start + self.n
                return list(context[follow : follow + self.num_speculative])
        return []
