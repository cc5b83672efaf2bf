"""Tracing and span export."""

from .exporter import InMemoryExporter, MetricsExporter
from .tracing import Span, Tracer, current_span, default_tracer, span

__all__ = ["InMemoryExporter", "MetricsExporter", "Span", "Tracer", "current_span", "default_tracer", "span"]
