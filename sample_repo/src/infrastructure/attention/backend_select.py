"""Choose the attention implementation for the running platform."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from src.core.base.module_loader import load_object
from src.infrastructure.cuda import kernels

AttentionFn = Callable[..., list[float]]


def get_attention_fn(platform=None) -> AttentionFn:
    # Imported lazily: backend.platform imports cuda, which imports attention.
    from src.infrastructure.backend.platform import detect_platform
    from src.infrastructure.backend.selector import select_attention_backend

    spec = select_attention_backend(platform or detect_platform())
    return load_object(spec)


def attention_scores(query: Sequence[float], keys: Sequence[Sequence[float]]) -> list[float]:
    scale = 1.0 / math.sqrt(len(query))
    return [kernels.dot(query, key) * scale for key in keys]


def attention_probs(query: Sequence[float], keys: Sequence[Sequence[float]]) -> list[float]:
    return kernels.softmax(attention_scores(query, keys))
