"""Cloud providers that provision inference nodes."""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from dataclasses import dataclass

from src.infrastructure.plugins.registry import register


@dataclass(frozen=True)
class InstanceSpec:
    cpus: int = 2
    memory_gb: int = 8
    gpus: int = 0

    def hourly_cost(self) -> float:
        return round(0.02 * self.cpus + 0.005 * self.memory_gb + 1.10 * self.gpus, 4)


class CloudProvider(ABC):
    name: str

    @abstractmethod
    def provision(self, spec: InstanceSpec) -> str: ...

    @abstractmethod
    def terminate(self, instance_id: str) -> None: ...

    @abstractmethod
    def instances(self) -> dict[str, InstanceSpec]: ...


@register("cloud.local")
class LocalProvider(CloudProvider):
    """Pretend provider: 'instances' are entries in a dict."""

    name = "local"

    def __init__(self, max_instances: int = 4) -> None:
        self.max_instances = max_instances
        self._ids = itertools.count(1)
        self._instances: dict[str, InstanceSpec] = {}

    def provision(self, spec: InstanceSpec) -> str:
        if len(self._instances) >= self.max_instances:
            raise RuntimeError("quota exceeded")
        instance_id = f"local-{next(self._ids)}"
        self._instances[instance_id] = spec
        return instance_id

    def terminate(self, instance_id: str) -> None:
        if self._instances.pop(instance_id, None) is None:
            raise KeyError(instance_id)

    def instances(self) -> dict[str, InstanceSpec]:
        return dict(self._instances)

    def hourly_bill(self) -> float:
        return round(sum(s.hourly_cost() for s in self._instances.values()), 4)
