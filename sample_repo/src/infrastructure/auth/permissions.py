"""Roles and scope checks."""

from __future__ import annotations

from .tokens import AuthError, Claims

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "viewer": frozenset({"metrics:read"}),
    "user": frozenset({"metrics:read", "completions:create"}),
    "admin": frozenset({"metrics:read", "completions:create", "agents:manage", "plugins:load"}),
}


class PermissionDenied(AuthError):
    pass


def scopes_for(role: str) -> frozenset[str]:
    try:
        return ROLE_SCOPES[role]
    except KeyError:
        raise ValueError(f"unknown role {role!r}") from None


def require(claims: Claims, scope: str) -> None:
    if scope not in claims.scopes:
        raise PermissionDenied(f"{claims.subject} lacks scope {scope!r}")
