"""Run a command inside the sandbox: policy check, scrubbed env, resource limits."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass

from src.infrastructure.logging.structured import get_logger, log_event

from .policy import SandboxPolicy

try:
    import resource
except ImportError:  # not available on Windows
    resource = None  # type: ignore[assignment]

_log = get_logger("sandbox")


@dataclass(frozen=True)
class SandboxResult:
    returncode: int
    stdout: str
    stderr: str
    elapsed_s: float


def _limit_resources(cpu_seconds: int) -> None:  # runs in the child
    if resource is not None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))


class SandboxRunner:
    def __init__(self, policy: SandboxPolicy | None = None) -> None:
        self.policy = policy or SandboxPolicy()

    def run(self, argv: Sequence[str], stdin: str = "") -> SandboxResult:
        self.policy.check(argv)
        cpu = max(1, int(self.policy.max_runtime_s))
        start = time.perf_counter()
        proc = subprocess.run(
            list(argv),
            input=stdin,
            capture_output=True,
            text=True,
            env=self.policy.environment(),
            timeout=self.policy.max_runtime_s,
            preexec_fn=(lambda: _limit_resources(cpu)) if resource is not None else None,
            check=False,
        )
        elapsed = time.perf_counter() - start
        log_event(_log, "sandbox.run", program=argv[0], rc=proc.returncode, elapsed=round(elapsed, 4))
        return SandboxResult(proc.returncode, proc.stdout, proc.stderr, elapsed)
