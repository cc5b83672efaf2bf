"""Attention: reference ops and the paged KV layout.

``backend_select`` is deliberately not imported here (it pulls in cuda and
backend); import it explicitly.
"""

from .ops import attention_weights, causal_mask, scaled_dot_product_attention
from .paged import PagedAttention

__all__ = ["PagedAttention", "attention_weights", "causal_mask", "scaled_dot_product_attention"]
