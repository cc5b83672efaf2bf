"""Requests and results flowing through the engine."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from src.infrastructure.sampling.params import SamplingParams

_request_ids = itertools.count(1)


@dataclass
class Request:
    prompt: str
    params: SamplingParams = field(default_factory=SamplingParams)
    priority: int = 0
    session: str | None = None
    request_id: int = field(default_factory=lambda: next(_request_ids))
    arrival: float = field(default_factory=time.monotonic)


@dataclass
class GenerationResult:
    request_id: int
    text: str
    token_ids: list[int]
    finish_reason: str
    prompt_tokens: int
    cached_tokens: int = 0
    logprobs: dict[str, Any] | None = None

    @property
    def completion_tokens(self) -> int:
        return len(self.token_ids)
