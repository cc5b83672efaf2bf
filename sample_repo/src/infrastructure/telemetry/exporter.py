"""Span exporters."""

from __future__ import annotations

from src.infrastructure.logging.structured import get_logger, log_event
from src.infrastructure.metrics.registry import MetricsRegistry, default_registry

from .tracing import Span

_log = get_logger("telemetry")


class InMemoryExporter:
    def __init__(self) -> None:
        self.spans: list[Span] = []

    def export(self, span: Span) -> None:
        self.spans.append(span)


class MetricsExporter:
    """Record every span's duration in a histogram named after the span."""

    def __init__(self, registry: MetricsRegistry | None = None) -> None:
        self.registry = registry or default_registry

    def export(self, span: Span) -> None:
        metric = "span_" + span.name.replace(".", "_") + "_seconds"
        self.registry.histogram(metric).observe(span.duration)
        if span.error:
            self.registry.counter("span_errors_total").inc()
            log_event(_log, "span.error", span=span.name, error=span.error)
