"""Hot-reload agent implementations and check version compatibility."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .agent_registry import AgentRegistry
from .base_exceptions import ConfigurationError
from .module_loader import ModuleLoader, split_spec
from .version import __version__, is_compatible


@dataclass(frozen=True)
class UpdateRecord:
    agent: str
    module: str
    version: str


class AgentUpdateManager:
    def __init__(self, registry: AgentRegistry, loader: ModuleLoader | None = None) -> None:
        self.registry = registry
        self.loader = loader or ModuleLoader()
        self.updates: list[UpdateRecord] = []

    def check(self, required_version: str) -> None:
        if not is_compatible(required_version):
            raise ConfigurationError(f"requires PyAgent {required_version}, running {__version__}")

    def reload(self, agent_name: str) -> UpdateRecord:
        """Re-import the module behind a string-registered agent."""
        spec = self.registry.spec_of(agent_name)
        if not isinstance(spec, str):
            raise ConfigurationError(f"agent {agent_name!r} was not registered by spec")
        module_name, attr = split_spec(spec)
        if attr is None:
            module_name = module_name.rpartition(".")[0]
        module = importlib.import_module(module_name)
        importlib.reload(module)
        self.loader.invalidate(spec)
        record = UpdateRecord(agent_name, module_name, __version__)
        self.updates.append(record)
        return record
