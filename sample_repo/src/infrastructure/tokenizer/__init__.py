"""Tokenizer implementations (BPE, WordPiece and the cached fast path)."""

from .bpe import MERGES_PATH, BPETokenizer, load_merges
from .fast import FastTokenizer
from .wordpiece import WordPieceTokenizer

__all__ = ["MERGES_PATH", "BPETokenizer", "FastTokenizer", "WordPieceTokenizer", "load_merges"]
