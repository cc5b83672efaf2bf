"""Load settings from TOML or JSON files layered over the defaults."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from src.core.base import base_exceptions, base_utilities  # ConfigurationError + deep_merge

from .settings import Settings


def read_config_file(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        data = tomllib.loads(text)
        return data.get("tool", {}).get("pyagent", data)
    if path.suffix == ".json":
        return json.loads(text)
    raise base_exceptions.ConfigurationError(f"unsupported config format {path.suffix!r}")


def load_settings(*paths: Path, overrides: dict[str, Any] | None = None) -> Settings:
    merged: dict[str, Any] = {}
    for path in paths:
        merged = base_utilities.deep_merge(merged, read_config_file(path))
    if overrides:
        merged = base_utilities.deep_merge(merged, overrides)
    return Settings.from_mapping(merged)
