"""Vocabulary, normalisation and pre-tokenisation.

The tokenizers themselves live in the sibling package ``tokenizer``.
"""

from .normalizer import Normalizer
from .pretokenize import WORD_MARKER, join_words, split_words
from .vocab import SPECIAL_TOKENS, Vocab

__all__ = ["SPECIAL_TOKENS", "WORD_MARKER", "Normalizer", "Vocab", "join_words", "split_words"]
