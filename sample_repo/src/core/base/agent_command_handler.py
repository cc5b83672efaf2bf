"""Slash-command handling for agents (``/note``, ``/run``, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .agent_state_manager import AgentStateManager
from .base_agent import BaseAgent
from .base_exceptions import CommandRejectedError
from .shell_executor import ShellExecutor

if TYPE_CHECKING:
    from .agent_config import AgentConfig
    from .agent_context import AgentContext


class AgentCommandHandler:
    def __init__(self, state: AgentStateManager, executor: ShellExecutor | None = None) -> None:
        self.state = state
        self.executor = executor or ShellExecutor()
        self._commands: dict[str, Callable[[str], str]] = {
            "echo": lambda arg: arg,
            "note": self._note,
            "recall": self._recall,
            "history": self._history,
            "run": self._run,
            "help": lambda arg: "commands: " + ", ".join(sorted(self._commands)),
        }

    @staticmethod
    def parse(message: str) -> tuple[str, str]:
        if not message.startswith("/"):
            raise CommandRejectedError("commands start with '/'")
        name, _, argument = message[1:].partition(" ")
        return name, argument.strip()

    def handle(self, message: str) -> str:
        name, argument = self.parse(message)
        try:
            command = self._commands[name]
        except KeyError:
            raise CommandRejectedError(f"unknown command /{name}") from None
        return command(argument)

    def _note(self, argument: str) -> str:
        key, _, value = argument.partition(" ")
        if not key or not value:
            raise CommandRejectedError("usage: /note KEY VALUE")
        self.state.scratchpad.write(key, value)
        return f"noted {key}"

    def _recall(self, argument: str) -> str:
        return str(self.state.scratchpad.read(argument, "<nothing>"))

    def _history(self, argument: str) -> str:
        n = int(argument) if argument.isdigit() else 5
        return "\n".join(f"{t.role}: {t.content}" for t in self.state.history.last(n))

    def _run(self, argument: str) -> str:
        result = self.executor.run(argument)
        return result.stdout.rstrip("\n") if result.ok else f"exit {result.returncode}: {result.stderr.strip()}"


class CommandAgent(BaseAgent):
    default_name = "shell"
    capabilities = ("shell", "notes")

    def __init__(self, config: AgentConfig | None = None, executor: ShellExecutor | None = None, **kwargs: object) -> None:
        super().__init__(config, **kwargs)  # type: ignore[arg-type]
        self.handler = AgentCommandHandler(self.state, executor)

    def _respond(self, message: str, context: AgentContext | None) -> str:
        if not message.startswith("/"):
            message = "/echo " + message
        return self.handler.handle(message)
