"""Verify draft tokens against the target model's logits."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import src.infrastructure.sampling.strategies as strategies


@dataclass(frozen=True)
class Verification:
    accepted: list[int]
    bonus: int

    @property
    def emitted(self) -> list[int]:
        return [*self.accepted, self.bonus]


class SpeculativeVerifier:
    def __init__(self, sampler: strategies.Sampler | None = None, seed: int = 0) -> None:
        self.sampler = sampler or strategies.GreedySampler()
        self.rng = random.Random(seed)
        self.proposed = 0
        self.accepted = 0

    def verify(self, draft: Sequence[int], target_logits: Sequence[Sequence[float]]) -> Verification:
        """``target_logits[i]`` scores position i; ``len(draft) + 1`` rows are needed."""
        if len(target_logits) != len(draft) + 1:
            raise ValueError("need one row of logits per draft token plus one")
        accepted: list[int] = []
        for token, logits in zip(draft, target_logits):
            choice = self.sampler.sample(logits, self.rng)
            if choice != token:
                self._count(len(draft), len(accepted))
                return Verification(accepted, choice)
            accepted.append(token)
        self._count(len(draft), len(accepted))
        return Verification(accepted, self.sampler.sample(target_logits[-1], self.rng))

    def _count(self, proposed: int, accepted: int) -> None:
        self.proposed += proposed
        self.accepted += accepted

    @property
    def acceptance_rate(self) -> float:
        return self.accepted / self.proposed if self.proposed else 0.0
