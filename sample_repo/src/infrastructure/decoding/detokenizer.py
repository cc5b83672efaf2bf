"""Incremental detokenisation: emit only the new text for each token."""

from __future__ import annotations

from src.infrastructure.tokenizer import bpe


class IncrementalDetokenizer:
    def __init__(self, tokenizer: bpe.BPETokenizer | None = None) -> None:
        self.tokenizer = tokenizer or bpe.BPETokenizer.default()
        self.token_ids: list[int] = []
        self.text = ""

    def add(self, token_id: int) -> str:
        self.token_ids.append(token_id)
        text = self.tokenizer.decode(self.token_ids)
        delta = text[len(self.text) :] if text.startswith(self.text) else text
        self.text = text
        return delta

    def reset(self) -> None:
        self.token_ids.clear()
        self.text = ""
