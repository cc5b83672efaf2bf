"""Retry with exponential backoff."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_delay_s: float = 0.01
    factor: float = 2.0
    max_delay_s: float = 1.0
    retry_on: tuple[type[BaseException], ...] = (Exception,)

    def delays(self) -> list[float]:
        return [min(self.max_delay_s, self.base_delay_s * self.factor**i) for i in range(self.attempts - 1)]


def call_with_retry(fn: Callable[[], Any], policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep) -> Any:
    delays = policy.delays()
    for attempt in range(policy.attempts):
        try:
            return fn()
        except policy.retry_on:
            if attempt == policy.attempts - 1:
                raise
            sleep(delays[attempt])
    raise AssertionError("unreachable")  # pragma: no cover


def retry(policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep) -> Callable[[F], F]:
    policy = policy or RetryPolicy()

    def decorator(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return call_with_retry(lambda: fn(*args, **kwargs), policy, sleep)

        return wrapper  # type: ignore[return-value]

    return decorator
