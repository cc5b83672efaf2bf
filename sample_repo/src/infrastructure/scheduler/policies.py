"""Admission policies: which waiting requests join the next batch."""

from __future__ import annotations

from dataclasses import dataclass, field

from src.infrastructure.cache.block_pool import BlockPool
from src.infrastructure.orchestration.request import Request
from src.infrastructure.tokenizer.fast import FastTokenizer

from .queue import RequestQueue


@dataclass
class Batch:
    requests: list[Request] = field(default_factory=list)
    tokens: int = 0


def request_tokens(request: Request, tokenizer: FastTokenizer) -> int:
    return len(tokenizer.encode(request.prompt, add_bos=True)) + request.params.max_tokens


def schedule_batch(
    queue: RequestQueue,
    pool: BlockPool,
    tokenizer: FastTokenizer,
    max_batch_tokens: int = 256,
    max_batch_size: int = 8,
) -> Batch:
    """Pop requests in priority order while both the token budget and the KV
    pool can hold them; stop at the first one that does not fit (no
    overtaking, so large requests cannot starve)."""
    batch = Batch()
    while len(queue) and len(batch.requests) < max_batch_size:
        candidate = queue.peek()
        assert candidate is not None
        needed = request_tokens(candidate, tokenizer)
        if batch.tokens + needed > max_batch_tokens or not pool.can_allocate(batch.tokens + needed):
            break
        batch.requests.append(queue.pop())
        batch.tokens += needed
    return batch
