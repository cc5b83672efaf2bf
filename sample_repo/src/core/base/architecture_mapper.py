"""Map the code base's architecture: agent specs and infrastructure packages."""

from __future__ import annotations

import pkgutil
from collections import Counter

from .agent_registry import AgentRegistry
from .module_loader import load_module, split_spec


def iter_subpackages(root: str = "src.infrastructure") -> list[str]:
    """Names of the direct sub-packages of ``root`` (imports only ``root``)."""
    package = load_module(root)
    return sorted(info.name for info in pkgutil.iter_modules(package.__path__) if info.ispkg)


def iter_submodules(package_name: str) -> list[str]:
    package = load_module(package_name)
    return sorted(
        info.name for info in pkgutil.iter_modules(package.__path__) if not info.ispkg
    )


class ArchitectureMapper:
    def __init__(self, registry: AgentRegistry) -> None:
        self.registry = registry

    def agent_modules(self) -> dict[str, str]:
        """agent name -> module that defines it (without importing string specs)."""
        result: dict[str, str] = {}
        for name in self.registry.names():
            spec = self.registry.spec_of(name)
            if isinstance(spec, str):
                module, attr = split_spec(spec)
                result[name] = module if attr else module.rpartition(".")[0]
            else:
                result[name] = getattr(spec, "__module__", "?")
        return result

    def layer_counts(self) -> Counter[str]:
        """How many agents live in each top-level layer (``core``/``infrastructure``)."""
        return Counter(module.split(".")[1] for module in self.agent_modules().values())

    def package_map(self, root: str = "src.infrastructure") -> dict[str, list[str]]:
        return {pkg: iter_submodules(f"{root}.{pkg}") for pkg in iter_subpackages(root)}

    def render(self) -> str:
        lines = [f"{name:<8} -> {module}" for name, module in self.agent_modules().items()]
        return "\n".join(lines)
