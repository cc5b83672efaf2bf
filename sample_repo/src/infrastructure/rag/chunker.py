"""Split documents into overlapping token windows."""

from __future__ import annotations

from src.infrastructure.tokenizer.bpe import BPETokenizer


def chunk_text(text: str, max_tokens: int = 32, overlap: int = 4, tokenizer: BPETokenizer | None = None) -> list[str]:
    if overlap >= max_tokens:
        raise ValueError("overlap must be smaller than max_tokens")
    tokenizer = tokenizer or BPETokenizer.default()
    ids = tokenizer.encode(text)
    if not ids:
        return []
    chunks, start = [], 0
    while True:
        window = ids[start : start + max_tokens]
        chunks.append(tokenizer.decode(window))
        if start + max_tokens >= len(ids):
            return chunks
        start += max_tokens - overlap
