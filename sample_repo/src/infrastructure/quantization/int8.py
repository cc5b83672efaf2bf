"""Symmetric int8 quantisation with optional per-group scales."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from src.infrastructure.plugins.registry import register

from .config import QuantConfig


@dataclass(frozen=True)
class QuantizedTensor:
    values: list[int]
    scales: list[float]
    group_size: int


@register("quant.int8")
class Int8Quantizer:
    def __init__(self, config: QuantConfig | None = None) -> None:
        self.config = config or QuantConfig()

    def _groups(self, values: Sequence[float]) -> list[Sequence[float]]:
        size = self.config.group_size or len(values) or 1
        return [values[i : i + size] for i in range(0, len(values), size)]

    def quantize(self, values: Sequence[float]) -> QuantizedTensor:
        q: list[int] = []
        scales: list[float] = []
        for group in self._groups(values):
            peak = max((abs(v) for v in group), default=0.0)
            scale = peak / 127 if peak else 1.0
            scales.append(scale)
            q.extend(max(-127, min(127, round(v / scale))) for v in group)
        return QuantizedTensor(q, scales, self.config.group_size or len(values))

    def dequantize(self, tensor: QuantizedTensor) -> list[float]:
        size = tensor.group_size or 1
        return [v * tensor.scales[i // size] for i, v in enumerate(tensor.values)]
