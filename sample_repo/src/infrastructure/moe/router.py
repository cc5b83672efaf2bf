"""Top-k expert routing."""

from __future__ import annotations

from collections.abc import Sequence

from src.infrastructure.cuda.kernels import matvec, softmax, topk_indices


class TopKRouter:
    def __init__(self, gate: Sequence[Sequence[float]], k: int = 2) -> None:
        self.gate = [list(row) for row in gate]  # num_experts x dim
        self.k = k

    @property
    def num_experts(self) -> int:
        return len(self.gate)

    def route(self, x: Sequence[float]) -> list[tuple[int, float]]:
        """Chosen experts with renormalised weights, best first."""
        logits = matvec(self.gate, x)
        chosen = topk_indices(logits, self.k)
        weights = softmax([logits[i] for i in chosen])
        return list(zip(chosen, weights))
