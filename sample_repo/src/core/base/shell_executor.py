"""Run shell commands under the sandbox policy (never through a shell)."""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass

from src.infrastructure.sandbox.policy import PolicyViolation, SandboxPolicy

from .base_defaults import DEFAULT_ALLOWED_COMMANDS, DEFAULT_TIMEOUT_S
from .base_exceptions import CommandRejectedError


@dataclass(frozen=True)
class ShellResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class ShellExecutor:
    def __init__(
        self,
        policy: SandboxPolicy | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        dry_run: bool = False,
    ) -> None:
        self.policy = policy or SandboxPolicy(allowed_commands=frozenset(DEFAULT_ALLOWED_COMMANDS))
        self.timeout = timeout
        self.dry_run = dry_run
        self.executed: list[tuple[str, ...]] = []

    def run(self, command: str) -> ShellResult:
        try:
            argv = tuple(shlex.split(command))
        except ValueError as exc:
            raise CommandRejectedError(f"cannot parse {command!r}: {exc}") from exc
        try:
            self.policy.check(argv)
        except PolicyViolation as exc:
            raise CommandRejectedError(str(exc)) from exc
        self.executed.append(argv)
        if self.dry_run:
            return ShellResult(argv, 0, "", "")
        return self._spawn(argv)

    def _spawn(self, argv: tuple[str, ...]) -> ShellResult:
        try:
            proc = subprocess.run(
                list(argv), capture_output=True, text=True, timeout=self.timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return ShellResult(argv, 127, "", str(exc))
        return ShellResult(argv, proc.returncode, proc.stdout, proc.stderr)
