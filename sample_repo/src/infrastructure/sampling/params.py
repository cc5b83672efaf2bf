"""Sampling parameters of one request."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from src.core.base.base_defaults import (
    DEFAULT_MAX_TOKENS,  # tokens generated when the request does not say
    DEFAULT_TEMPERATURE,  # 1.0 = the model's own distribution
    DEFAULT_TOP_K,  # candidate pool of the top-k sampler
    DEFAULT_TOP_P,  # nucleus mass of the top-p sampler
)

SAMPLERS = ("greedy", "top_k", "top_p")


@dataclass(frozen=True)
class SamplingParams:
    max_tokens: int = DEFAULT_MAX_TOKENS
    temperature: float = DEFAULT_TEMPERATURE
    top_k: int = DEFAULT_TOP_K
    top_p: float = DEFAULT_TOP_P
    sampler: str = "greedy"
    repetition_penalty: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()
    logprobs: int | None = None

    def __post_init__(self) -> None:
        if self.max_tokens <= 0:
            raise ValueError("max_tokens must be positive")
        if self.temperature < 0:
            raise ValueError("temperature must be >= 0")
        if self.top_k <= 0:
            raise ValueError("top_k must be positive")
        if not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        if self.sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {SAMPLERS}")
        if self.repetition_penalty <= 0:
            raise ValueError("repetition_penalty must be positive")
        if self.logprobs is not None and not 0 <= self.logprobs <= 20:
            raise ValueError("logprobs must be in [0, 20]")

    @property
    def is_greedy(self) -> bool:
        return self.sampler == "greedy" or self.temperature == 0

    def with_overrides(self, **changes: Any) -> SamplingParams:
        if "stop" in changes:
            changes["stop"] = tuple(changes["stop"])
        return dataclasses.replace(self, **changes)
