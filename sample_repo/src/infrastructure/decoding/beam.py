"""Beam search decoding."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from src.infrastructure.logprobs.processor import compute_logprobs
from src.infrastructure.plugins.registry import register

StepFn = Callable[[Sequence[int]], Sequence[float]]


@dataclass(order=True)
class Beam:
    score: float
    tokens: list[int] = field(compare=False)
    finished: bool = field(default=False, compare=False)


@register("decoder.beam")
class BeamSearchDecoder:
    def __init__(self, beam_width: int = 3, length_penalty: float = 1.0) -> None:
        if beam_width <= 0:
            raise ValueError("beam_width must be positive")
        self.beam_width = beam_width
        self.length_penalty = length_penalty

    def _normalised(self, beam: Beam) -> float:
        return beam.score / max(1, len(beam.tokens)) ** self.length_penalty

    def decode(self, step: StepFn, prompt_ids: Sequence[int], max_tokens: int, eos_id: int | None = None) -> list[int]:
        beams = [Beam(0.0, [])]
        for _ in range(max_tokens):
            candidates: list[Beam] = []
            for beam in beams:
                if beam.finished:
                    candidates.append(beam)
                    continue
                logprobs = compute_logprobs(step([*prompt_ids, *beam.tokens]))
                best = sorted(range(len(logprobs)), key=logprobs.__getitem__, reverse=True)[: self.beam_width]
                for token in best:
                    candidates.append(Beam(beam.score + logprobs[token], [*beam.tokens, token], token == eos_id))
            beams = sorted(candidates, key=self._normalised, reverse=True)[: self.beam_width]
            if all(b.finished for b in beams):
                break
        return max(beams, key=self._normalised).tokens
