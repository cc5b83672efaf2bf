"""Generation throughput across one or more engines."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import src.infrastructure.orchestration.engine_core as ec
from src.infrastructure.orchestration.request import Request
from src.infrastructure.orchestration.request_router import RequestRouter
from src.infrastructure.sampling.params import SamplingParams


@dataclass(frozen=True)
class ThroughputReport:
    requests: int
    generated_tokens: int
    elapsed_s: float

    @property
    def tokens_per_second(self) -> float:
        return self.generated_tokens / self.elapsed_s if self.elapsed_s > 0 else 0.0


def run_throughput(prompts: Sequence[str], num_engines: int = 2, max_tokens: int = 4) -> ThroughputReport:
    router = RequestRouter([ec.LLMEngine(worker_id=100 + i) for i in range(num_engines)], policy="round_robin")
    params = SamplingParams(max_tokens=max_tokens, repetition_penalty=1.3)
    start = time.perf_counter()
    tokens = sum(router.submit(Request(p, params)).completion_tokens for p in prompts)
    return ThroughputReport(len(prompts), tokens, time.perf_counter() - start)
