"""``/v1/chat/completions``."""

from __future__ import annotations

import time
from typing import Any

from src.infrastructure.orchestration.engine_core import LLMEngine
from src.infrastructure.prompts.chat_format import apply_chat_template
from src.infrastructure.sampling.params import SamplingParams

from .protocol import ChatCompletionRequest


def create_chat_completion(payload: dict[str, Any], engine: LLMEngine) -> dict[str, Any]:
    request = ChatCompletionRequest.from_dict(payload)
    prompt = apply_chat_template(request.messages)
    sampler = "greedy" if request.temperature == 0 else "top_p"
    params = SamplingParams(
        max_tokens=request.max_tokens,
        temperature=request.temperature,
        sampler=sampler,
        stop=request.stop,
        seed=request.seed,
        repetition_penalty=1.3,
    )
    result = engine.generate(prompt, params)
    return {
        "id": f"chatcmpl-{result.request_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": result.text},
                "finish_reason": result.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens,
            "total_tokens": result.prompt_tokens + result.completion_tokens,
        },
    }
