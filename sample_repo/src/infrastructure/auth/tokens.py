"""HMAC-signed bearer tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from src.infrastructure.metrics.registry import default_registry


class AuthError(Exception):
    pass


@dataclass(frozen=True)
class Claims:
    subject: str
    scopes: frozenset[str]
    expires_at: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenAuthority:
    def __init__(self, secret: bytes, ttl_s: float = 3600.0, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ValueError("secret must be at least 16 bytes")
        self._secret = secret
        self.ttl_s = ttl_s
        self.clock = clock
        self._failures = default_registry.counter("auth_failures_total")

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest())

    def issue(self, subject: str, scopes: Iterable[str]) -> str:
        body = {"sub": subject, "scopes": sorted(scopes), "exp": self.clock() + self.ttl_s}
        payload = _b64(json.dumps(body, sort_keys=True).encode("utf-8"))
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token: str) -> Claims:
        try:
            payload, signature = token.split(".")
        except ValueError:
            self._failures.inc()
            raise AuthError("malformed token") from None
        if not hmac.compare_digest(signature, self._sign(payload)):
            self._failures.inc()
            raise AuthError("bad signature")
        body = json.loads(_unb64(payload))
        if body["exp"] < self.clock():
            self._failures.inc()
            raise AuthError("token expired")
        return Claims(body["sub"], frozenset(body["scopes"]), body["exp"])
