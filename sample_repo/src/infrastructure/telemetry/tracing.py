"""Minimal tracing: nested spans tracked with contextvars."""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_span_ids = itertools.count(1)
_current: contextvars.ContextVar[Span | None] = contextvars.ContextVar("current_span", default=None)


@dataclass
class Span:
    name: str
    span_id: int = field(default_factory=lambda: next(_span_ids))
    parent_id: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    start: float = field(default_factory=time.perf_counter)
    end: float | None = None
    error: str | None = None

    @property
    def duration(self) -> float:
        return (self.end or time.perf_counter()) - self.start


class Tracer:
    def __init__(self) -> None:
        self.finished: list[Span] = []
        self.exporters: list[Any] = []

    @contextlib.contextmanager
    def span(self, name: str, **attributes: Any) -> Iterator[Span]:
        parent = _current.get()
        span = Span(name, parent_id=parent.span_id if parent else None, attributes=attributes)
        token = _current.set(span)
        try:
            yield span
        except Exception as exc:
            span.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            span.end = time.perf_counter()
            _current.reset(token)
            self.finished.append(span)
            for exporter in self.exporters:
                exporter.export(span)


default_tracer = Tracer()


def span(name: str, **attributes: Any) -> contextlib.AbstractContextManager[Span]:
    return default_tracer.span(name, **attributes)


def current_span() -> Span | None:
    return _current.get()
