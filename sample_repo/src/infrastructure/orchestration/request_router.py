"""Spread requests over several engines."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from src.core.base import base_exceptions, base_utilities  # common helpers: errors + stable hashing

from .engine_core import LLMEngine
from .request import GenerationResult, Request

POLICIES = ("round_robin", "least_loaded", "session")


class RequestRouter:
    def __init__(self, engines: Sequence[LLMEngine], policy: str = "round_robin") -> None:
        if not engines:
            raise base_exceptions.ResourceExhaustedError("router needs at least one engine")
        if policy not in POLICIES:
            raise base_exceptions.ConfigurationError(f"unknown routing policy {policy!r}")
        self.engines = list(engines)
        self.policy = policy
        self._cycle = itertools.cycle(range(len(self.engines)))
        self.assignments: list[int] = []

    def route(self, request: Request) -> int:
        if self.policy == "session" and request.session is not None:
            index = base_utilities.stable_hash(request.session) % len(self.engines)
        elif self.policy == "least_loaded":
            index = min(range(len(self.engines)), key=lambda i: (self.engines[i].load, self.assignments.count(i)))
        else:
            index = next(self._cycle)
        self.assignments.append(index)
        return index

    def submit(self, request: Request) -> GenerationResult:
        return self.engines[self.route(request)].generate_request(request)
