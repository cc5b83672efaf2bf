"""Latency measurement."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import src.infrastructure.metrics.histogram as hist


@dataclass(frozen=True)
class LatencyReport:
    count: int
    mean_s: float
    p50_s: float
    p95_s: float
    p99_s: float


def measure(fn: Callable[[], Any], repeats: int = 10, warmup: int = 1, clock: Callable[[], float] = time.perf_counter) -> LatencyReport:
    for _ in range(warmup):
        fn()
    histogram = hist.Histogram("bench_latency_seconds", window=max(repeats, 1))
    for _ in range(repeats):
        start = clock()
        fn()
        histogram.observe(clock() - start)
    return LatencyReport(
        histogram.count, histogram.mean, histogram.percentile(50), histogram.percentile(95), histogram.percentile(99)
    )
