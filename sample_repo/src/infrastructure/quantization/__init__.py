"""Weight quantisation."""

from .config import QuantConfig
from .fp8 import FP8Quantizer, round_e4m3
from .int8 import Int8Quantizer, QuantizedTensor

__all__ = ["FP8Quantizer", "Int8Quantizer", "QuantConfig", "QuantizedTensor", "round_e4m3"]
