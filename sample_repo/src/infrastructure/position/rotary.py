"""Rotary position embeddings (RoPE)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def _angles(dim: int, position: int, base: float) -> list[float]:
    return [position / base ** (2 * i / dim) for i in range(dim // 2)]


def rotate(vec: Sequence[float], position: int, base: float = 10000.0) -> list[float]:
    if len(vec) % 2:
        raise ValueError("rotary embedding needs an even dimension")
    out = list(vec)
    for i, theta in enumerate(_angles(len(vec), position, base)):
        x, y = vec[2 * i], vec[2 * i + 1]
        c, s = math.cos(theta), math.sin(theta)
        out[2 * i] = x * c - y * s
        out[2 * i + 1] = x * s + y * c
    return out


class RotaryEmbedding:
    """Caches the cos/sin tables per position."""

    def __init__(self, dim: int, base: float = 10000.0) -> None:
        if dim % 2:
            raise ValueError("dim must be even")
        self.dim = dim
        self.base = base
        self._cache: dict[int, list[tuple[float, float]]] = {}

    def _table(self, position: int) -> list[tuple[float, float]]:
        table = self._cache.get(position)
        if table is None:
            table = [(math.cos(t), math.sin(t)) for t in _angles(self.dim, position, self.base)]
            self._cache[position] = table
        return table

    def apply(self, vec: Sequence[float], position: int) -> list[float]:
        out = list(vec)
        for i, (c, s) in enumerate(self._table(position)):
            x, y = vec[2 * i], vec[2 * i + 1]
            out[2 * i] = x * c - y * s
            out[2 * i + 1] = x * s + y * c
        return out
