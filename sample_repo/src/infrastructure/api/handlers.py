"""API handlers: validate, authorise, run the engine, shape the response.

Handlers return ``(status, body)``; the transport layer is out of scope.
"""

from __future__ import annotations

from typing import Any

import src.infrastructure.orchestration.engine_core as engine_core
from src.infrastructure.auth.permissions import require
from src.infrastructure.auth.tokens import AuthError, TokenAuthority
from src.infrastructure.metrics.registry import default_registry
from src.infrastructure.telemetry.tracing import span

from .schemas import CompletionRequest, CompletionResponse, SchemaError


class ApiHandlers:
    def __init__(self, engine: engine_core.LLMEngine | None = None, authority: TokenAuthority | None = None) -> None:
        self._engine = engine
        self.authority = authority

    @property
    def engine(self) -> engine_core.LLMEngine:
        if self._engine is None:
            self._engine = engine_core.LLMEngine()
        return self._engine

    def _authorise(self, token: str | None, scope: str) -> tuple[int, dict[str, Any]] | None:
        if self.authority is None:
            return None
        if token is None:
            return 401, {"error": "missing token"}
        try:
            require(self.authority.verify(token), scope)
        except AuthError as exc:
            return 403, {"error": str(exc)}
        return None

    def handle_completion(self, payload: dict[str, Any], token: str | None = None) -> tuple[int, dict[str, Any]]:
        denied = self._authorise(token, "completions:create")
        if denied:
            return denied
        try:
            request = CompletionRequest.from_dict(payload)
            params = request.to_sampling_params()
        except SchemaError as exc:
            return 400, {"error": str(exc)}
        with span("api.completion", prompt_chars=len(request.prompt)):
            result = self.engine.generate(request.prompt, params)
        response = CompletionResponse(
            id=f"cmpl-{result.request_id}",
            text=result.text,
            finish_reason=result.finish_reason,
            usage={
                "prompt_tokens": result.prompt_tokens,
                "completion_tokens": result.completion_tokens,
                "cached_tokens": result.cached_tokens,
            },
            logprobs=result.logprobs,
        )
        return 200, response.to_dict()

    def handle_health(self) -> tuple[int, dict[str, Any]]:
        return 200, {"status": "ok", "worker": self.engine.worker.health()}

    def handle_metrics(self, token: str | None = None) -> tuple[int, str]:
        denied = self._authorise(token, "metrics:read")
        if denied:
            return denied[0], denied[1]["error"]
        return 200, default_registry.render_text()
