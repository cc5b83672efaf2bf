"""Quantisation configuration."""

from __future__ import annotations

from dataclasses import dataclass

SCHEMES = ("int8", "fp8")


@dataclass(frozen=True)
class QuantConfig:
    scheme: str = "int8"
    group_size: int = 0  # 0 = one scale for the whole tensor
    symmetric: bool = True

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise ValueError(f"unknown scheme {self.scheme!r}")
        if self.group_size < 0:
            raise ValueError("group_size must be >= 0")

    @property
    def bits(self) -> int:
        return 8

    @property
    def quantizer_spec(self) -> str:
        return {
            "int8": "src.infrastructure.quantization.int8:Int8Quantizer",
            "fp8": "src.infrastructure.quantization.fp8:FP8Quantizer",
        }[self.scheme]
