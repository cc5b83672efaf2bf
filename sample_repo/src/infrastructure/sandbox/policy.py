"""What a sandboxed command may do."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field


class PolicyViolation(Exception):
    """The command breaks the sandbox policy."""


_DEFAULT_DENIED = (r"\brm\s+-rf\b", r"[;&|`$]", r"\.\./")


@dataclass(frozen=True)
class SandboxPolicy:
    allowed_commands: frozenset[str] = frozenset({"echo", "true", "printf"})
    denied_patterns: tuple[str, ...] = _DEFAULT_DENIED
    max_runtime_s: float = 5.0
    max_args: int = 32
    env_passthrough: frozenset[str] = field(default_factory=lambda: frozenset({"PATH", "LANG"}))

    def check(self, argv: Sequence[str]) -> None:
        if not argv:
            raise PolicyViolation("empty command")
        program = os.path.basename(argv[0])
        if program not in self.allowed_commands:
            raise PolicyViolation(f"command {program!r} is not allowed")
        if len(argv) > self.max_args:
            raise PolicyViolation(f"too many arguments ({len(argv)} > {self.max_args})")
        joined = " ".join(argv)
        for pattern in self.denied_patterns:
            if re.search(pattern, joined):
                raise PolicyViolation(f"argument matches denied pattern {pattern!r}")

    def environment(self) -> dict[str, str]:
        return {key: value for key, value in os.environ.items() if key in self.env_passthrough}

    def allows(self, argv: Sequence[str]) -> bool:
        try:
            self.check(argv)
        except PolicyViolation:
            return False
        return True
