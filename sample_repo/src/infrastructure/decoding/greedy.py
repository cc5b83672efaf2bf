"""Greedy decoding loop over a step function."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from src.infrastructure.cuda.kernels import argmax

StepFn = Callable[[Sequence[int]], Sequence[float]]


def greedy_decode(step: StepFn, prompt_ids: Sequence[int], max_tokens: int, eos_id: int | None = None) -> list[int]:
    ids = list(prompt_ids)
    generated: list[int] = []
    for _ in range(max_tokens):
        token = argmax(step(ids))
        generated.append(token)
        ids.append(token)
        if token == eos_id:
            break
    return generated
