"""Bucketed histogram with exact percentiles over a bounded sample window."""

from __future__ import annotations

import bisect
import threading
from collections import deque

DEFAULT_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0)


class Histogram:
    kind = "histogram"

    def __init__(self, name: str, buckets: tuple[float, ...] = DEFAULT_BUCKETS, window: int = 1024) -> None:
        if list(buckets) != sorted(buckets):
            raise ValueError("buckets must be sorted")
        self.name = name
        self.buckets = buckets
        self.bucket_counts = [0] * (len(buckets) + 1)
        self.count = 0
        self.total = 0.0
        self._samples: deque[float] = deque(maxlen=window)
        self._lock = threading.Lock()

    def observe(self, value: float) -> None:
        with self._lock:
            self.bucket_counts[bisect.bisect_left(self.buckets, value)] += 1
            self.count += 1
            self.total += value
            self._samples.append(value)

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0

    def percentile(self, q: float) -> float:
        if not 0 <= q <= 100:
            raise ValueError("q must be in [0, 100]")
        data = sorted(self._samples)
        if not data:
            return 0.0
        rank = (len(data) - 1) * q / 100
        low = int(rank)
        high = min(low + 1, len(data) - 1)
        return data[low] + (data[high] - data[low]) * (rank - low)
