"""Request/response schemas of the HTTP-style API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from src.infrastructure.sampling.params import SamplingParams


class SchemaError(ValueError):
    pass


@dataclass(frozen=True)
class CompletionRequest:
    prompt: str
    max_tokens: int = 16
    temperature: float = 1.0
    sampler: str = "greedy"
    stop: tuple[str, ...] = ()
    logprobs: int | None = None
    seed: int | None = None

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> CompletionRequest:
        if not isinstance(payload.get("prompt"), str) or not payload["prompt"]:
            raise SchemaError("'prompt' must be a non-empty string")
        unknown = set(payload) - set(cls.__dataclass_fields__)
        if unknown:
            raise SchemaError(f"unknown fields: {sorted(unknown)}")
        stop = payload.get("stop", ())
        values = {**payload, "stop": (stop,) if isinstance(stop, str) else tuple(stop)}
        return cls(**values)

    def to_sampling_params(self) -> SamplingParams:
        try:
            return SamplingParams(
                max_tokens=self.max_tokens,
                temperature=self.temperature,
                sampler=self.sampler,
                stop=self.stop,
                logprobs=self.logprobs,
                seed=self.seed,
                repetition_penalty=1.3,
            )
        except ValueError as exc:
            raise SchemaError(str(exc)) from exc


@dataclass
class CompletionResponse:
    id: str
    text: str
    finish_reason: str
    usage: dict[str, int] = field(default_factory=dict)
    logprobs: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}
