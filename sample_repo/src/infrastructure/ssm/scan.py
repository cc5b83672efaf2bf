"""Selective scan: h_t = a_t * h_{t-1} + b_t * x_t ; y_t = c_t * h_t."""

from __future__ import annotations

from collections.abc import Sequence


def selective_scan(
    a: Sequence[float], b: Sequence[float], c: Sequence[float], x: Sequence[float], h0: float = 0.0
) -> tuple[list[float], float]:
    if not len(a) == len(b) == len(c) == len(x):
        raise ValueError("all inputs must have the same length")
    h = h0
    ys = []
    for at, bt, ct, xt in zip(a, b, c, x):
        h = at * h + bt * xt
        ys.append(ct * h)
    return ys, h


def parallel_scan(pairs: Sequence[tuple[float, float]]) -> list[float]:
    """Hillis-Steele inclusive scan of affine maps ``h -> a*h + b`` from h=0."""
    items = list(pairs)
    step = 1
    while step < len(items):
        items = [
            items[i] if i < step else (items[i][0] * items[i - step][0], items[i][0] * items[i - step][1] + items[i][1])
            for i in range(len(items))
        ]
        step *= 2
    return [b for _, b in items]
