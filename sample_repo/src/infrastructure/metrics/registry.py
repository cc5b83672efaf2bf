"""Named metric registry with a Prometheus-like text exposition."""

from __future__ import annotations

import threading
from typing import Union

from .counters import Counter, Gauge
from .histogram import Histogram

Metric = Union[Counter, Gauge, Histogram]


class MetricsRegistry:
    def __init__(self) -> None:
        self._metrics: dict[str, Metric] = {}
        self._lock = threading.Lock()

    def _get_or_create(self, name: str, cls: type) -> Metric:
        with self._lock:
            metric = self._metrics.get(name)
            if metric is None:
                metric = self._metrics[name] = cls(name)
            elif type(metric) is not cls:
                raise TypeError(f"metric {name!r} is a {metric.kind}, not a {getattr(cls, 'kind', cls.__name__)}")
            return metric

    def counter(self, name: str) -> Counter:
        return self._get_or_create(name, Counter)  # type: ignore[return-value]

    def gauge(self, name: str) -> Gauge:
        return self._get_or_create(name, Gauge)  # type: ignore[return-value]

    def histogram(self, name: str) -> Histogram:
        return self._get_or_create(name, Histogram)  # type: ignore[return-value]

    def names(self) -> list[str]:
        return sorted(self._metrics)

    def render_text(self) -> str:
        lines = []
        for name in self.names():
            metric = self._metrics[name]
            lines.append(f"# TYPE {name} {metric.kind}")
            if isinstance(metric, Histogram):
                lines.append(f"{name}_count {metric.count}")
                lines.append(f"{name}_sum {metric.total:.6f}")
            else:
                lines.append(f"{name} {metric.value:g}")
        return "\n".join(lines) + "\n"


default_registry = MetricsRegistry()


def get_registry() -> MetricsRegistry:
    return default_registry
