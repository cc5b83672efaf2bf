"""Graph capture and compiler passes."""

from .graph_capture import CapturedGraph, GraphCache
from .passes import count_ops, fold_scales, optimise

__all__ = ["CapturedGraph", "GraphCache", "count_ops", "fold_scales", "optimise"]
