"""Abstract agent with lifecycle handling, plus two trivial agents."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from .agent_config import AgentConfig
from .agent_state_manager import AgentState, AgentStateManager
from .base_exceptions import PyAgentError

if TYPE_CHECKING:
    from .agent_context import AgentContext
    from .agent_events import AgentEventEmitter


class BaseAgent(ABC):
    default_name = "agent"
    capabilities: tuple[str, ...] = ()

    def __init__(self, config: AgentConfig | None = None, events: AgentEventEmitter | None = None) -> None:
        self.config = config or AgentConfig(name=self.default_name)
        self.state = AgentStateManager(self.config.name, self.config.history_limit)
        self.events = events

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def all_capabilities(self) -> set[str]:
        return set(self.capabilities) | set(self.config.capabilities)

    def start(self) -> None:
        if self.state.state is AgentState.CREATED:
            self.state.transition(AgentState.IDLE)
            self._emit("started")

    def stop(self) -> None:
        if self.state.state in (AgentState.IDLE, AgentState.RUNNING):
            self.state.transition(AgentState.STOPPING)
        if self.state.state in (AgentState.STOPPING, AgentState.CREATED):
            self.state.transition(AgentState.STOPPED)
            self._emit("stopped")

    def handle(self, message: str, context: AgentContext | None = None) -> str:
        self.start()
        if self.state.state is not AgentState.IDLE:
            raise PyAgentError(f"agent {self.name!r} is {self.state.state.value}")
        self.state.transition(AgentState.RUNNING)
        self.state.history.add("user", message)
        try:
            reply = self._respond(message, context)
        finally:
            self.state.transition(AgentState.IDLE)
            self.state.scratchpad.tick()
        self.state.history.add("agent", reply)
        self._emit("replied", chars=len(reply))
        return reply

    def _emit(self, kind: str, **payload: object) -> None:
        if self.events is not None:
            self.events.emit(kind, self.name, **payload)

    @abstractmethod
    def _respond(self, message: str, context: AgentContext | None) -> str:
        """Produce the reply to ``message``."""


class EchoAgent(BaseAgent):
    default_name = "echo"
    capabilities = ("echo",)

    def _respond(self, message: str, context: AgentContext | None) -> str:
        return message


class UpperAgent(BaseAgent):
    default_name = "upper"
    capabilities = ("shout",)

    def _respond(self, message: str, context: AgentContext | None) -> str:
        prefix = f"[{context.trace}] " if context is not None else ""
        return prefix + message.upper()
