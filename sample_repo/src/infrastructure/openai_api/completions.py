"""``/v1/completions`` on top of the API schemas."""

from __future__ import annotations

from typing import Any

from src.infrastructure.api.schemas import CompletionRequest
from src.infrastructure.orchestration.engine_core import LLMEngine


def create_completion(payload: dict[str, Any], engine: LLMEngine) -> dict[str, Any]:
    model = payload.get("model", "pyagent-toy")
    request = CompletionRequest.from_dict({k: v for k, v in payload.items() if k != "model"})
    result = engine.generate(request.prompt, request.to_sampling_params())
    choice: dict[str, Any] = {"index": 0, "text": result.text, "finish_reason": result.finish_reason}
    if result.logprobs is not None:
        choice["logprobs"] = result.logprobs
    return {
        "id": f"cmpl-{result.request_id}",
        "object": "text_completion",
        "model": model,
        "choices": [choice],
        "usage": {"prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens},
    }
