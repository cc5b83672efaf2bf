"""Logit processors applied before sampling."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def apply_temperature(logits: Sequence[float], temperature: float) -> list[float]:
    if temperature <= 0:
        return list(logits)
    return [x / temperature for x in logits]


def apply_repetition_penalty(logits: Sequence[float], previous: Sequence[int], penalty: float) -> list[float]:
    """CTRL-style: shrink logits of tokens already generated."""
    out = list(logits)
    if penalty == 1.0:
        return out
    for token in set(previous):
        if 0 <= token < len(out):
            out[token] = out[token] / penalty if out[token] > 0 else out[token] * penalty
    return out


def apply_presence_frequency(
    logits: Sequence[float], previous: Sequence[int], presence: float = 0.0, frequency: float = 0.0
) -> list[float]:
    out = list(logits)
    for token, count in Counter(previous).items():
        if 0 <= token < len(out):
            out[token] -= presence + frequency * count
    return out
