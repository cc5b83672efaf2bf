"""Mixture of experts."""

from .experts import MoELayer
from .router import TopKRouter

__all__ = ["MoELayer", "TopKRouter"]
