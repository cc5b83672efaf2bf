"""Position encodings."""

from .alibi import alibi_bias, alibi_slopes
from .rotary import RotaryEmbedding, rotate

__all__ = ["RotaryEmbedding", "alibi_bias", "alibi_slopes", "rotate"]
