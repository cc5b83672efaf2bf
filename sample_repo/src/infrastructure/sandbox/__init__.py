"""Sandboxed command execution."""

from .policy import PolicyViolation, SandboxPolicy
from .runner import SandboxResult, SandboxRunner

__all__ = ["PolicyViolation", "SandboxPolicy", "SandboxResult", "SandboxRunner"]
