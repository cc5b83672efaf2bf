"""Structured (schema- or grammar-constrained) output."""

from .grammar import ChoiceGrammar, mask_logits
from .json_schema import is_valid, validate

__all__ = ["ChoiceGrammar", "is_valid", "mask_logits", "validate"]
