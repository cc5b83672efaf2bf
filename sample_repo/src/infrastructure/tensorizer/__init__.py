"""Tensor serialisation (the "tensorizer" container format)."""

from .format import TensorRecord
from .loader import dumps, load, loads, save

__all__ = ["TensorRecord", "dumps", "load", "loads", "save"]
