"""Agent configuration built on top of the project defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from src.core.base.base_defaults import *  # noqa: F403  (re-uses the DEFAULT_* constants)
from src.core.base.base_exceptions import ConfigurationError


@dataclass
class AgentConfig:
    name: str = DEFAULT_AGENT_NAME  # noqa: F405
    max_tokens: int = DEFAULT_MAX_TOKENS  # noqa: F405
    temperature: float = DEFAULT_TEMPERATURE  # noqa: F405
    sampler: str = "greedy"
    history_limit: int = DEFAULT_HISTORY_LIMIT  # noqa: F405
    allowed_commands: tuple[str, ...] = DEFAULT_ALLOWED_COMMANDS  # noqa: F405
    capabilities: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.name:
            raise ConfigurationError("agent name must not be empty")
        if self.max_tokens <= 0:
            raise ConfigurationError("max_tokens must be positive")
        if self.temperature < 0:
            raise ConfigurationError("temperature must be >= 0")
        if self.sampler not in {"greedy", "top_k", "top_p"}:
            raise ConfigurationError(f"unknown sampler {self.sampler!r}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AgentConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ConfigurationError(f"unknown config keys: {sorted(unknown)}")
        values = dict(data)
        for key in ("allowed_commands", "capabilities"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)
