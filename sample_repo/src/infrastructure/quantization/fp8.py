"""Simulated FP8 (E4M3) rounding."""

from __future__ import annotations

import math
from collections.abc import Sequence

try:
    import numpy as np  # optional: vectorised path
except ImportError:
    np = None

E4M3_MAX = 448.0
MANTISSA_BITS = 3


def round_e4m3(value: float) -> float:
    if value == 0 or math.isnan(value):
        return value
    clipped = max(-E4M3_MAX, min(E4M3_MAX, value))
    mantissa, exponent = math.frexp(clipped)
    steps = 2 ** (MANTISSA_BITS + 1)
    return math.ldexp(round(mantissa * steps) / steps, exponent)


class FP8Quantizer:
    def __init__(self, scale: float | None = None) -> None:
        self.scale = scale

    def quantize(self, values: Sequence[float]) -> tuple[list[float], float]:
        peak = max((abs(v) for v in values), default=0.0)
        scale = self.scale or (peak / E4M3_MAX if peak else 1.0)
        if np is not None:
            arr = np.asarray(values, dtype=float) / scale
            return [round_e4m3(float(v)) for v in arr], scale
        return [round_e4m3(v / scale) for v in values], scale

    @staticmethod
    def dequantize(values: Sequence[float], scale: float) -> list[float]:
        return [v * scale for v in values]
