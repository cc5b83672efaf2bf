"""Handlers that keep records in memory (used by tests and the CLI)."""

from __future__ import annotations

import logging

from .formatters import KeyValueFormatter


class MemoryHandler(logging.Handler):
    def __init__(self, capacity: int = 1000) -> None:
        super().__init__()
        self.capacity = capacity
        self.lines: list[str] = []
        self.setFormatter(KeyValueFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        if len(self.lines) > self.capacity:
            del self.lines[: len(self.lines) - self.capacity]

    def matching(self, needle: str) -> list[str]:
        return [line for line in self.lines if needle in line]
