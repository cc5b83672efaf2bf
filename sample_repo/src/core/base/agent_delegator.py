"""Route a message to the agent that has a requested capability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .agent_context import AgentContext
from .base_exceptions import AgentNotFoundError

if TYPE_CHECKING:
    from .agent_core import AgentCore


class AgentDelegator:
    def __init__(self, core: AgentCore) -> None:
        self.core = core
        self.delegations: list[tuple[str, str]] = []

    @classmethod
    def standalone(cls) -> AgentDelegator:
        # agent_core imports this module at module level; importing it back
        # here, lazily, is what breaks the agent_core <-> agent_delegator cycle.
        from .agent_core import AgentCore

        return cls(AgentCore())

    def choose(self, capability: str) -> str:
        for name, agent in sorted(self.core.agents.items()):
            if capability in agent.all_capabilities:
                return name
        if capability in self.core.registry:
            return capability
        raise AgentNotFoundError(capability)

    def delegate(self, message: str, capability: str, context: AgentContext | None = None) -> str:
        target = self.choose(capability)
        child = (context or AgentContext("delegator")).child(target, capability=capability)
        self.delegations.append((capability, target))
        return self.core.dispatch(target, message, child)
