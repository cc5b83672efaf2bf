"""Platform detection and backend selection."""

from .platform import PlatformInfo, detect_platform
from .selector import ATTENTION_BACKENDS, select_attention_backend, select_quantizer

__all__ = ["ATTENTION_BACKENDS", "PlatformInfo", "detect_platform", "select_attention_backend", "select_quantizer"]
