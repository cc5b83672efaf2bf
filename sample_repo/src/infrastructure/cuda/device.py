"""Device discovery. Falls back to the CPU when no native extension exists."""

from __future__ import annotations

import os
from dataclasses import dataclass

try:
    from src.infrastructure.cuda import _native  # compiled extension, absent in the sample
except ImportError:
    _native = None

DEVICE_ENV = "PYAGENT_DEVICE"


@dataclass(frozen=True)
class Device:
    kind: str = "cpu"
    index: int = 0

    def __str__(self) -> str:
        return self.kind if self.kind == "cpu" else f"{self.kind}:{self.index}"

    @classmethod
    def parse(cls, text: str) -> Device:
        kind, _, index = text.strip().partition(":")
        if kind not in {"cpu", "cuda"}:
            raise ValueError(f"unknown device {text!r}")
        return cls(kind, int(index) if index else 0)


def is_available() -> bool:
    return _native is not None


def device_count() -> int:
    return _native.device_count() if _native is not None else 0


def current_device() -> Device:
    requested = os.environ.get(DEVICE_ENV)
    if requested:
        return Device.parse(requested)
    return Device("cuda", 0) if is_available() else Device()
