"""State-space models."""

from .mamba import MambaBlock
from .scan import parallel_scan, selective_scan

__all__ = ["MambaBlock", "parallel_scan", "selective_scan"]
