"""OpenAI-compatible request objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VALID_ROLES = ("system", "user", "assistant", "tool")


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str

    def __post_init__(self) -> None:
        if self.role not in VALID_ROLES:
            raise ValueError(f"invalid role {self.role!r}")


@dataclass(frozen=True)
class ChatCompletionRequest:
    model: str
    messages: tuple[ChatMessage, ...]
    max_tokens: int = 16
    temperature: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> ChatCompletionRequest:
        messages = payload.get("messages")
        if not messages:
            raise ValueError("'messages' must be a non-empty list")
        known = {"model", "messages", "max_tokens", "temperature", "stop", "seed"}
        return cls(
            model=payload.get("model", "pyagent-toy"),
            messages=tuple(ChatMessage(m["role"], m["content"]) for m in messages),
            max_tokens=payload.get("max_tokens", 16),
            temperature=payload.get("temperature", 1.0),
            stop=tuple(payload.get("stop", ())),
            seed=payload.get("seed"),
            extra={k: v for k, v in payload.items() if k not in known},
        )
