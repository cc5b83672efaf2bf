"""Exception hierarchy shared by the whole code base."""

from __future__ import annotations


class PyAgentError(Exception):
    """Root of every error raised deliberately by PyAgent."""

    code = "pyagent_error"

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": str(self)}


class ConfigurationError(PyAgentError):
    code = "configuration_error"


class AgentNotFoundError(PyAgentError):
    code = "agent_not_found"

    def __init__(self, name: str) -> None:
        super().__init__(f"no agent registered under {name!r}")
        self.name = name


class CommandRejectedError(PyAgentError):
    code = "command_rejected"


class ModuleLoadError(PyAgentError):
    code = "module_load_error"


class ShutdownInProgressError(PyAgentError):
    code = "shutdown_in_progress"


class ResourceExhaustedError(PyAgentError):
    code = "resource_exhausted"


class InvalidStateTransition(PyAgentError):
    code = "invalid_state_transition"

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"cannot go from {current} to {target}")
        self.current = current
        self.target = target
