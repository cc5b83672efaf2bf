"""Low-rank adapters: ``y = W x + (alpha / r) * B (A x)``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from src.infrastructure.cuda.kernels import axpy, matvec


@dataclass(frozen=True)
class LoRAAdapter:
    name: str
    a: list[list[float]]  # r x d_in
    b: list[list[float]]  # d_out x r
    alpha: float = 1.0

    @property
    def rank(self) -> int:
        return len(self.a)

    def delta(self, x: Sequence[float]) -> list[float]:
        return [(self.alpha / self.rank) * v for v in matvec(self.b, matvec(self.a, x))]

    def apply(self, base_output: Sequence[float], x: Sequence[float]) -> list[float]:
        return axpy(1.0, self.delta(x), base_output)
