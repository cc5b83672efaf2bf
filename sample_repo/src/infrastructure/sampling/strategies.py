"""Token samplers.

Uses the compute tier (``src.infrastructure.cuda.kernels``) for softmax/top-k;
cuda in turn imports ``src.infrastructure.attention`` -- an engine <-> compute
dependency cycle at the package-tier level.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Sequence

from src.infrastructure.cuda.kernels import argmax, softmax, topk_indices
from src.infrastructure.plugins.registry import register

from .params import SamplingParams


class Sampler(ABC):
    @abstractmethod
    def sample(self, logits: Sequence[float], rng: random.Random) -> int:
        """Return the chosen token id."""


@register("sampler.greedy")
class GreedySampler(Sampler):
    def sample(self, logits: Sequence[float], rng: random.Random) -> int:
        return argmax(logits)


class TopKSampler(Sampler):
    def __init__(self, k: int = 8, temperature: float = 1.0) -> None:
        self.k = k
        self.temperature = temperature

    def sample(self, logits: Sequence[float], rng: random.Random) -> int:
        candidates = topk_indices(logits, self.k)
        probs = softmax([logits[i] for i in candidates], self.temperature)
        return rng.choices(candidates, weights=probs, k=1)[0]


class TopPSampler(Sampler):
    def __init__(self, p: float = 0.9, temperature: float = 1.0) -> None:
        self.p = p
        self.temperature = temperature

    def nucleus(self, logits: Sequence[float]) -> list[tuple[int, float]]:
        probs = softmax(list(logits), self.temperature)
        ranked = sorted(enumerate(probs), key=lambda pair: pair[1], reverse=True)
        kept, mass = [], 0.0
        for token, prob in ranked:
            kept.append((token, prob))
            mass += prob
            if mass >= self.p:
                break
        return kept

    def sample(self, logits: Sequence[float], rng: random.Random) -> int:
        kept = self.nucleus(logits)
        return rng.choices([t for t, _ in kept], weights=[p for _, p in kept], k=1)[0]


def build_sampler(params: SamplingParams) -> Sampler:
    if params.is_greedy:
        return GreedySampler()
    if params.sampler == "top_k":
        return TopKSampler(params.top_k, params.temperature)
    return TopPSampler(params.top_p, params.temperature)
