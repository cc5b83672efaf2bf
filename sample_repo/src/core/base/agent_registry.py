"""Registry of agent factories, addressable by name.

Factories are either callables or dotted-path strings that
:mod:`src.core.base.module_loader` resolves lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Union

from .base_exceptions import AgentNotFoundError, ConfigurationError
from .module_loader import ModuleLoader, default_loader

if TYPE_CHECKING:
    from .agent_config import AgentConfig
    from .base_agent import BaseAgent

Factory = Union[Callable[..., "BaseAgent"], str]

DEFAULT_AGENT_SPECS: dict[str, str] = {
    "echo": "src.core.base.base_agent:EchoAgent",
    "upper": "src.core.base.base_agent.UpperAgent",
    "shell": "src.core.base.agent_command_handler:CommandAgent",
    "llm": "src.infrastructure.orchestration.llm_agent:LLMAgent",
}


class AgentRegistry:
    def __init__(self, loader: ModuleLoader | None = None) -> None:
        self._factories: dict[str, Factory] = {}
        self._loader = loader or default_loader

    @classmethod
    def with_defaults(cls) -> AgentRegistry:
        registry = cls()
        for name, spec in DEFAULT_AGENT_SPECS.items():
            registry.register(name, spec)
        return registry

    def register(self, name: str, factory: Factory, *, replace: bool = False) -> None:
        if name in self._factories and not replace:
            raise ConfigurationError(f"agent {name!r} already registered")
        self._factories[name] = factory

    def unregister(self, name: str) -> None:
        if self._factories.pop(name, None) is None:
            raise AgentNotFoundError(name)

    def names(self) -> list[str]:
        return sorted(self._factories)

    def spec_of(self, name: str) -> Factory:
        try:
            return self._factories[name]
        except KeyError:
            raise AgentNotFoundError(name) from None

    def resolve_factory(self, name: str) -> Callable[..., BaseAgent]:
        factory = self.spec_of(name)
        if isinstance(factory, str):
            factory = self._loader.load(factory)
        if not callable(factory):
            raise ConfigurationError(f"factory for {name!r} is not callable")
        return factory

    def create(self, name: str, config: AgentConfig | None = None, **kwargs: Any) -> BaseAgent:
        factory = self.resolve_factory(name)
        if config is None:
            from .agent_config import AgentConfig  # local: agent_config is only needed here

            config = AgentConfig(name=name)
        return factory(config, **kwargs)

    def __contains__(self, name: object) -> bool:
        return name in self._factories
