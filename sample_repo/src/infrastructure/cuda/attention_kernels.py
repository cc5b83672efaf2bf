"""Fused attention kernel (online softmax, one pass over the keys).

Validated against the reference implementation in
``src.infrastructure.attention.ops``; importing it at module level makes
cuda depend on attention while attention selects cuda kernels.
"""

from __future__ import annotations

import math

from src.infrastructure.attention.ops import scaled_dot_product_attention

from .kernels import dot


def fused_attention(query, keys, values, bias=None):
    if len(keys) != len(values):
        raise ValueError("keys and values differ in length")
    if not keys:
        return [0.0] * len(query)
    scale = 1.0 / math.sqrt(len(query))
    running_max = -math.inf
    denom = 0.0
    acc = [0.0] * len(values[0])
    for i, (key, value) in enumerate(zip(keys, values)):
        score = dot(query, key) * scale + (bias[i] if bias is not None else 0.0)
        new_max = max(running_max, score)
        correction = math.exp(running_max - new_max) if running_max != -math.inf else 0.0
        weight = math.exp(score - new_max)
        denom = denom * correction + weight
        acc = [a * correction + weight * v for a, v in zip(acc, value)]
        running_max = new_max
    return [a / denom for a in acc]


def max_abs_error(query, keys, values):
    """Largest element-wise difference to the reference implementation."""
    fused = fused_attention(query, keys, values)
    reference = scaled_dot_product_attention(query, keys, values)
    return max((abs(a - b) for a, b in zip(fused, reference)), default=0.0)
