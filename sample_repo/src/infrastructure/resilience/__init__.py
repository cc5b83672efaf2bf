"""Retries and circuit breakers."""

from .circuit_breaker import CircuitBreaker, CircuitOpenError
from .retry import RetryPolicy, call_with_retry, retry

__all__ = ["CircuitBreaker", "CircuitOpenError", "RetryPolicy", "call_with_retry", "retry"]
