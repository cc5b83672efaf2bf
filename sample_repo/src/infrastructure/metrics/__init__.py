"""Counters, gauges, histograms and the process-wide metrics registry."""

from .counters import Counter, Gauge
from .histogram import Histogram
from .registry import MetricsRegistry, default_registry, get_registry

__all__ = ["Counter", "Gauge", "Histogram", "MetricsRegistry", "default_registry", "get_registry"]
