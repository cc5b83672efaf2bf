"""On-disk tensor container format."""

from __future__ import annotations

from dataclasses import dataclass

MAGIC = b"PYTZ"
VERSION = 1


@dataclass(frozen=True)
class TensorRecord:
    name: str
    shape: tuple[int, ...]
    data: list[float]

    def __post_init__(self) -> None:
        expected = 1
        for dim in self.shape:
            expected *= dim
        if expected != len(self.data):
            raise ValueError(f"{self.name}: shape {self.shape} needs {expected} values, got {len(self.data)}")

    @property
    def numel(self) -> int:
        return len(self.data)
