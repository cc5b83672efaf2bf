"""Turn chat messages into a single prompt string."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ROLE_TAGS = {"system": "<|system|>", "user": "<|user|>", "assistant": "<|assistant|>", "tool": "<|tool|>"}


def _role_and_content(message: Any) -> tuple[str, str]:
    if isinstance(message, Mapping):
        return str(message["role"]), str(message["content"])
    return str(message.role), str(message.content)


def apply_chat_template(messages: Iterable[Any], add_generation_prompt: bool = True) -> str:
    lines = []
    for message in messages:
        role, content = _role_and_content(message)
        if role not in ROLE_TAGS:
            raise ValueError(f"unknown chat role {role!r}")
        lines.append(f"{ROLE_TAGS[role]} {content}")
    if add_generation_prompt:
        lines.append(ROLE_TAGS["assistant"])
    return "\n".join(lines)
