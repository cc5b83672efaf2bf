"""Split text into words, SentencePiece style (``▁`` marks a preceding space)."""

from __future__ import annotations

import re

WORD_MARKER = "\u2581"
_PIECE = re.compile(r"(\s*)(\w+|[^\w\s])")


def split_words(text: str) -> list[str]:
    words = []
    for match in _PIECE.finditer(text):
        spaced = bool(match.group(1)) or match.start() == 0
        words.append((WORD_MARKER if spaced else "") + match.group(2))
    return words


def join_words(pieces: list[str]) -> str:
    return "".join(pieces).replace(WORD_MARKER, " ").lstrip(" ")
