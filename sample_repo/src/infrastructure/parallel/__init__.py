"""Tensor and pipeline parallelism."""

from .pipeline import bubble_fraction, one_f_one_b
from .tensor_parallel import ColumnParallelLinear, shard_rows

__all__ = ["ColumnParallelLinear", "bubble_fraction", "one_f_one_b", "shard_rows"]
