"""Runtime settings.

Several settings are dotted paths to implementations, e.g. the default
tokenizer ``"src.infrastructure.tokenizer.fast:FastTokenizer"``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from src.core.base.base_defaults import DEFAULT_BLOCK_SIZE, DEFAULT_NUM_BLOCKS
from src.core.base.base_exceptions import ConfigurationError
from src.core.base.module_loader import load_object

ENV_PREFIX = "PYAGENT_"


@dataclass(frozen=True)
class Settings:
    tokenizer: str = "src.infrastructure.tokenizer.fast:FastTokenizer"
    attention_backend: str = "src.infrastructure.attention.ops:scaled_dot_product_attention"
    sampler_plugin: str = "sampler.top_k"
    num_blocks: int = DEFAULT_NUM_BLOCKS
    block_size: int = DEFAULT_BLOCK_SIZE
    log_format: str = "kv"
    db_path: str = ":memory:"

    def __post_init__(self) -> None:
        if self.block_size <= 0 or self.num_blocks <= 0:
            raise ConfigurationError("block_size and num_blocks must be positive")
        if self.log_format not in ("kv", "json"):
            raise ConfigurationError(f"unknown log format {self.log_format!r}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Settings:
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise ConfigurationError(f"unknown setting {key!r}")
            values[key] = int(value) if known[key].type == "int" else value
        return cls(**values)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        names = {f.name for f in fields(cls)}
        values = {
            key[len(ENV_PREFIX) :].lower(): value
            for key, value in environ.items()
            if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in names
        }
        return cls.from_mapping(values)

    def build_tokenizer(self) -> Any:
        return load_object(self.tokenizer)()

    def attention_fn(self) -> Any:
        return load_object(self.attention_backend)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
