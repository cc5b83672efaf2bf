"""LLMEngine: tokenizer -> worker (paged attention) -> sampler -> detokenizer.

This is where the tiers meet: engine packages (tokenizer, sampling, decoding,
logprobs), storage (cache), compute (through the worker's kernels) and
services (metrics).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import src.infrastructure.cache.block_pool
from src.core.base.base_defaults import DEFAULT_BLOCK_SIZE, DEFAULT_NUM_BLOCKS
from src.infrastructure.cache.prefix_cache import PrefixCache
from src.infrastructure.decoding import (
    IncrementalDetokenizer,  # streaming text deltas
    StopCriteria,  # eos / stop strings / length
)
from src.infrastructure.logging.structured import get_logger, log_event
from src.infrastructure.logprobs.formatting import format_entries
from src.infrastructure.logprobs.processor import LogprobEntry, entry_for
from src.infrastructure.metrics.registry import default_registry
from src.infrastructure.sampling import penalties
from src.infrastructure.sampling.params import SamplingParams
from src.infrastructure.sampling.strategies import build_sampler
from src.infrastructure.tokenizer.fast import FastTokenizer
from src.infrastructure.worker.model_runner import ModelRunner
from src.infrastructure.worker.worker import Worker

from .request import GenerationResult, Request

_log = get_logger("engine")


class LLMEngine:
    def __init__(
        self,
        tokenizer: FastTokenizer | None = None,
        num_blocks: int = DEFAULT_NUM_BLOCKS,
        block_size: int = DEFAULT_BLOCK_SIZE,
        dim: int = 8,
        seed: int = 0,
        worker_id: int = 0,
    ) -> None:
        self.tokenizer = tokenizer or FastTokenizer()
        self.pool = src.infrastructure.cache.block_pool.BlockPool(num_blocks, block_size)
        self.worker = Worker(worker_id, ModelRunner(self.tokenizer.vocab_size, dim=dim, pool=self.pool, seed=seed))
        self.prefix_cache = PrefixCache(block_size)
        self.requests_total = default_registry.counter("engine_requests_total")
        self.tokens_total = default_registry.counter("engine_generated_tokens_total")
        self.latency = default_registry.histogram("engine_request_latency_seconds")

    def _iterate(self, request: Request) -> Iterator[tuple[int, str, LogprobEntry | None]]:
        params = request.params
        prompt_ids = self.tokenizer.encode(request.prompt, add_bos=True)
        sampler = build_sampler(params)
        rng = random.Random(params.seed if params.seed is not None else request.request_id)
        detok = IncrementalDetokenizer(self.tokenizer.base)
        generated: list[int] = []
        logits = self.worker.prefill(request, prompt_ids)
        try:
            for position in range(len(prompt_ids), len(prompt_ids) + params.max_tokens):
                logits = penalties.apply_repetition_penalty(logits, generated, params.repetition_penalty)
                token = sampler.sample(logits, rng)
                entry = entry_for(logits, token, params.logprobs) if params.logprobs is not None else None
                generated.append(token)
                yield token, detok.add(token), entry
                if token == self.tokenizer.eos_id:
                    return
                logits = self.worker.decode(request, token, position)
        finally:
            self.worker.finish(request)

    def generate_request(self, request: Request) -> GenerationResult:
        start = time.perf_counter()
        params = request.params
        prompt_ids = self.tokenizer.encode(request.prompt, add_bos=True)
        cached = self.prefix_cache.match(prompt_ids)
        criteria = StopCriteria(params.max_tokens, self.tokenizer.eos_id, params.stop)
        tokens: list[int] = []
        entries: list[LogprobEntry] = []
        text = ""
        finish = "length"
        for token, delta, entry in self._iterate(request):
            tokens.append(token)
            text += delta
            if entry is not None:
                entries.append(entry)
            reason = criteria.check(tokens, text)
            if reason is not None:
                finish = reason
                break
        self.prefix_cache.insert(prompt_ids)
        self.requests_total.inc()
        self.tokens_total.inc(len(tokens))
        self.latency.observe(time.perf_counter() - start)
        log_event(_log, "engine.request", request=request.request_id, tokens=len(tokens), finish=finish)
        return GenerationResult(
            request_id=request.request_id,
            text=criteria.trim(text),
            token_ids=tokens,
            finish_reason=finish,
            prompt_tokens=len(prompt_ids),
            cached_tokens=cached,
            logprobs=format_entries(entries, self.tokenizer) if params.logprobs is not None else None,
        )

    def generate(self, prompt: str, params: SamplingParams | None = None) -> GenerationResult:
        return self.generate_request(Request(prompt, params or SamplingParams()))

    def stream(self, prompt: str, params: SamplingParams | None = None) -> Iterator[str]:
        for _, delta, _ in self._iterate(Request(prompt, params or SamplingParams())):
            yield delta

    @property
    def load(self) -> int:
        return self.worker.load
