"""Log-probabilities of sampled tokens and their top alternatives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from src.infrastructure.cuda.kernels import log_softmax, topk_indices


@dataclass(frozen=True)
class LogprobEntry:
    token_id: int
    logprob: float
    top: list[tuple[int, float]] = field(default_factory=list)


def compute_logprobs(logits: Sequence[float]) -> list[float]:
    return log_softmax(list(logits))


def entry_for(logits: Sequence[float], chosen: int, k: int = 0) -> LogprobEntry:
    logprobs = compute_logprobs(logits)
    top = [(i, logprobs[i]) for i in topk_indices(logprobs, k)] if k else []
    return LogprobEntry(chosen, logprobs[chosen], top)


def sequence_logprob(entries: Sequence[LogprobEntry]) -> float:
    return sum(e.logprob for e in entries)
