"""Describe the platform we run on."""

from __future__ import annotations

import os
import platform as _stdlib_platform
from dataclasses import dataclass

from src.infrastructure.cuda.device import Device, current_device


@dataclass(frozen=True)
class PlatformInfo:
    device: Device
    cpu_count: int
    python: str

    @property
    def accelerated(self) -> bool:
        return self.device.kind != "cpu"


def detect_platform() -> PlatformInfo:
    return PlatformInfo(
        device=current_device(),
        cpu_count=os.cpu_count() or 1,
        python=_stdlib_platform.python_version(),
    )
