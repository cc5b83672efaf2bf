"""Latency and throughput benchmarks."""

from .latency import LatencyReport, measure
from .throughput import ThroughputReport, run_throughput

__all__ = ["LatencyReport", "ThroughputReport", "measure", "run_throughput"]
