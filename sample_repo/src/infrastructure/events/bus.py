"""Publish/subscribe event bus with glob topics and a dead-letter list."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import Any

from src.infrastructure.logging.structured import get_logger, log_event

from .types import Event

Handler = Callable[[Event], None]
_log = get_logger("events")


class EventBus:
    def __init__(self) -> None:
        self._subscriptions: list[tuple[str, Handler]] = []
        self.dead_letters: list[tuple[Event, str]] = []

    def subscribe(self, pattern: str, handler: Handler) -> Callable[[], None]:
        entry = (pattern, handler)
        self._subscriptions.append(entry)
        return lambda: self._subscriptions.remove(entry)

    def publish(self, topic: str, **payload: Any) -> int:
        event = Event(topic, payload)
        delivered = 0
        for pattern, handler in list(self._subscriptions):
            if not fnmatch.fnmatchcase(topic, pattern):
                continue
            try:
                handler(event)
            except Exception as exc:
                self.dead_letters.append((event, repr(exc)))
                log_event(_log, "events.handler_failed", topic=topic, error=repr(exc))
            else:
                delivered += 1
        return delivered
