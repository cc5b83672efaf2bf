"""Priority queue of waiting requests (lower number = more urgent, then FIFO)."""

from __future__ import annotations

import heapq
import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from src.infrastructure.orchestration.request import Request


class RequestQueue:
    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Request]] = []
        self._seq = itertools.count()

    def push(self, request: Request) -> None:
        heapq.heappush(self._heap, (request.priority, next(self._seq), request))

    def peek(self) -> Request | None:
        return self._heap[0][2] if self._heap else None

    def pop(self) -> Request:
        if not self._heap:
            raise IndexError("pop from empty request queue")
        return heapq.heappop(self._heap)[2]

    def __len__(self) -> int:
        return len(self._heap)
