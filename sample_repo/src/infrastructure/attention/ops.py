"""Reference attention maths.

Keep this module free of imports from ``src.infrastructure.cuda``: the cuda
package imports it at module level (see cuda/attention_kernels.py), so a
module-level import back would create an import-order dependent failure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Vector = Sequence[float]


def attention_weights(query: Vector, keys: Sequence[Vector], bias: Sequence[float] | None = None) -> list[float]:
    scale = 1.0 / math.sqrt(len(query))
    scores = [sum(q * k for q, k in zip(query, key)) * scale for key in keys]
    if bias is not None:
        scores = [s + b for s, b in zip(scores, bias)]
    peak = max(scores)
    exps = [math.exp(s - peak) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def scaled_dot_product_attention(
    query: Vector,
    keys: Sequence[Vector],
    values: Sequence[Vector],
    bias: Sequence[float] | None = None,
) -> list[float]:
    if len(keys) != len(values):
        raise ValueError("keys and values differ in length")
    if not keys:
        return [0.0] * len(query)
    weights = attention_weights(query, keys, bias)
    dim = len(values[0])
    return [sum(w * value[d] for w, value in zip(weights, values)) for d in range(dim)]


def causal_mask(length: int) -> list[list[float]]:
    return [[0.0 if j <= i else -math.inf for j in range(length)] for i in range(length)]
