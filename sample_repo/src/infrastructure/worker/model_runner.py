"""A deterministic toy language model driven through paged attention.

Embeddings are derived from a stable hash, so every process produces the same
outputs for the same prompt.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import src.infrastructure.sampling.params
from src.core.base.base_utilities import stable_hash
from src.infrastructure.attention.paged import PagedAttention
from src.infrastructure.cache.block_pool import BlockPool
from src.infrastructure.cuda.kernels import matvec
from src.infrastructure.position.rotary import RotaryEmbedding


@functools.cache
def toy_embeddings(vocab_size: int, dim: int, seed: int = 0) -> tuple[tuple[float, ...], ...]:
    return tuple(
        tuple((stable_hash(f"{seed}:{token}:{d}") % 2001 - 1000) / 1000.0 for d in range(dim))
        for token in range(vocab_size)
    )


class ModelRunner:
    def __init__(
        self,
        vocab_size: int,
        dim: int = 8,
        pool: BlockPool | None = None,
        seed: int = 0,
        attention_fn=None,
    ) -> None:
        self.vocab_size = vocab_size
        self.dim = dim
        self.embeddings = toy_embeddings(vocab_size, dim, seed)
        self.attention = PagedAttention(pool or BlockPool(num_blocks=256, block_size=16))
        self.rotary = RotaryEmbedding(dim)
        self.attention_fn = attention_fn
        self.steps = 0

    def default_params(self) -> src.infrastructure.sampling.params.SamplingParams:
        return src.infrastructure.sampling.params.SamplingParams(max_tokens=8, repetition_penalty=1.3)

    def step(self, seq_id: int, token_id: int, position: int) -> list[float]:
        """Feed one token; return next-token logits."""
        embedding = self.embeddings[token_id]
        query = self.rotary.apply(embedding, position)
        self.attention.append_kv(seq_id, self.rotary.apply(embedding, position), embedding)
        if self.attention_fn is None:
            context = self.attention.attend(seq_id, query)
        else:
            context = self.attention.attend(seq_id, query, self.attention_fn)
        hidden = [0.5 * c + 0.5 * e for c, e in zip(context, embedding)]
        self.steps += 1
        return matvec(self.embeddings, hidden)

    def prefill(self, seq_id: int, token_ids: Sequence[int]) -> list[float]:
        if not token_ids:
            raise ValueError("cannot prefill an empty prompt")
        logits: list[float] = []
        for position, token in enumerate(token_ids):
            logits = self.step(seq_id, token, position)
        return logits

    def release(self, seq_id: int) -> int:
        return self.attention.release(seq_id)
