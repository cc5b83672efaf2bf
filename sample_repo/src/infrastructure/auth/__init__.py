"""Authentication tokens and permissions."""

from .permissions import ROLE_SCOPES, PermissionDenied, require, scopes_for
from .tokens import AuthError, Claims, TokenAuthority

__all__ = ["ROLE_SCOPES", "AuthError", "Claims", "PermissionDenied", "TokenAuthority", "require", "scopes_for"]
