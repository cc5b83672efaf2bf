"""AgentCore: spawns agents from the registry and dispatches messages."""

from __future__ import annotations

from src.infrastructure.logging.structured import get_logger, log_event

from .agent_config import AgentConfig
from .agent_context import AgentContext
from .agent_delegator import AgentDelegator
from .agent_events import AgentEventEmitter
from .agent_metrics import AgentMetrics
from .agent_registry import AgentRegistry
from .base_agent import BaseAgent
from .base_exceptions import ConfigurationError, PyAgentError, ShutdownInProgressError
from .base_interfaces import MessageHandler
from .graceful_shutdown import ShutdownCoordinator


class AgentCore:
    def __init__(self, registry: AgentRegistry | None = None) -> None:
        self.registry = registry or AgentRegistry.with_defaults()
        self.agents: dict[str, BaseAgent] = {}
        self.events = AgentEventEmitter()
        self.metrics = AgentMetrics("core")
        self.shutdown_coordinator = ShutdownCoordinator()
        self.delegator = AgentDelegator(self)
        self.log = get_logger("pyagent.core")

    def spawn(self, name: str, config: AgentConfig | None = None) -> BaseAgent:
        if self.shutdown_coordinator.in_progress:
            raise ShutdownInProgressError("core is shutting down")
        if name in self.agents:
            return self.agents[name]
        agent = self.registry.create(name, config or AgentConfig(name=name))
        if not isinstance(agent, MessageHandler):
            raise ConfigurationError(f"factory for {name!r} did not produce a message handler")
        agent.events = self.events
        agent.start()
        self.agents[name] = agent
        self.metrics.active_agents.inc()
        self.shutdown_coordinator.register(name, agent.stop)
        log_event(self.log, "agent.spawned", agent=name)
        return agent

    def dispatch(self, name: str, message: str, context: AgentContext | None = None) -> str:
        agent = self.agents.get(name) or self.spawn(name)
        try:
            reply = agent.handle(message, context or AgentContext(name))
        except PyAgentError:
            self.metrics.record_message(ok=False)
            raise
        self.metrics.record_message()
        return reply

    def shutdown(self) -> list[str]:
        stopped = self.shutdown_coordinator.shutdown()
        self.metrics.active_agents.set(0)
        log_event(self.log, "core.shutdown", stopped=len(stopped))
        return stopped
