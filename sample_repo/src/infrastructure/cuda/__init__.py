"""Device kernels and device discovery (CPU reference implementations).

``fused_attention`` is resolved lazily (PEP 562): ``attention_kernels``
imports ``src.infrastructure.attention`` at module level, and attention's
package imports the cache, which imports memory, which imports cuda kernels.
Importing it eagerly here would close that loop.
"""

from .kernels import argmax, cosine, dot, log_softmax, matvec, softmax, topk_indices
from .device import Device, current_device, is_available

__all__ = [
    "Device",
    "argmax",
    "cosine",
    "current_device",
    "dot",
    "fused_attention",
    "is_available",
    "log_softmax",
    "matvec",
    "softmax",
    "topk_indices",
]


def __getattr__(name: str):
    if name == "fused_attention":
        from .attention_kernels import fused_attention

        return fused_attention
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
