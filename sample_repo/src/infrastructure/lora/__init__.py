"""LoRA adapters and their residency manager."""

from .adapter import LoRAAdapter
from .manager import LoRAManager

__all__ = ["LoRAAdapter", "LoRAManager"]
