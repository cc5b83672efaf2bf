"""Mixture-of-experts layer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from . import router

Expert = Callable[[Sequence[float]], list[float]]


class MoELayer:
    def __init__(self, experts: Sequence[Expert], gate: Sequence[Sequence[float]], k: int = 2) -> None:
        if len(experts) != len(gate):
            raise ValueError("one gate row per expert")
        self.experts = list(experts)
        self.router = router.TopKRouter(gate, k)
        self.load: Counter[int] = Counter()

    def __call__(self, x: Sequence[float]) -> list[float]:
        out = [0.0] * len(x)
        for expert_id, weight in self.router.route(x):
            self.load[expert_id] += 1
            y = self.experts[expert_id](x)
            out = [o + weight * v for o, v in zip(out, y)]
        return out

    def load_balance(self) -> float:
        """1.0 = perfectly balanced; lower is worse."""
        if not self.load:
            return 1.0
        counts = [self.load.get(i, 0) for i in range(len(self.experts))]
        return min(counts) / max(counts) if max(counts) else 1.0
