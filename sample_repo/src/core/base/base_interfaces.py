"""Structural interfaces (Protocols) implemented across infrastructure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class SupportsTokenize(Protocol):
    def encode(self, text: str) -> list[int]: ...

    def decode(self, ids: Sequence[int]) -> str: ...


@runtime_checkable
class SupportsSample(Protocol):
    def sample(self, logits: Sequence[float], rng: Any) -> int: ...


@runtime_checkable
class Lifecycle(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


@runtime_checkable
class Tool(Protocol):
    name: str
    description: str

    def run(self, argument: str) -> str: ...


@runtime_checkable
class MessageHandler(Protocol):
    name: str

    def handle(self, message: str) -> str: ...
