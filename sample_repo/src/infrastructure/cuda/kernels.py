"""Reference "kernels": pure-Python versions of the device kernels.

The real code base dispatches to CUDA; the maths is identical.
"""

from __future__ import annotations

import heapq
import math


def dot(a, b):
    if len(a) != len(b):
        raise ValueError(f"length mismatch: {len(a)} != {len(b)}")
    return sum(x * y for x, y in zip(a, b))


def matvec(matrix, vec):
    return [dot(row, vec) for row in matrix]


def axpy(alpha, x, y):
    return [alpha * xi + yi for xi, yi in zip(x, y)]


def l2_norm(vec):
    return math.sqrt(sum(x * x for x in vec))


def cosine(a, b):
    na, nb = l2_norm(a), l2_norm(b)
    if na == 0 or nb == 0:
        return 0.0
    return dot(a, b) / (na * nb)


def softmax(logits, temperature=1.0):
    if not logits:
        return []
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    scaled = [x / temperature for x in logits]
    peak = max(scaled)
    if peak == -math.inf:
        return [1.0 / len(scaled)] * len(scaled)
    exps = [math.exp(x - peak) for x in scaled]
    total = sum(exps)
    return [e / total for e in exps]


def log_softmax(logits):
    peak = max(logits)
    log_total = peak + math.log(sum(math.exp(x - peak) for x in logits))
    return [x - log_total for x in logits]


def argmax(values):
    if not values:
        raise ValueError("argmax of empty sequence")
    best = 0
    for i in range(1, len(values)):
        if values[i] > values[best]:
            best = i
    return best


def topk_indices(values, k):
    """Indices of the ``k`` largest values, largest first (stable on ties)."""
    k = max(0, min(k, len(values)))
    return [i for _, i in heapq.nsmallest(k, ((-v, i) for i, v in enumerate(values)))]
