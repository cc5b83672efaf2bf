"""A docker-compose file model with dependency validation."""

from __future__ import annotations

from dataclasses import dataclass, field

from .dockerfile import service_dockerfile


@dataclass
class Service:
    name: str
    image: str
    ports: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    depends_on: list[str] = field(default_factory=list)
    command: list[str] = field(default_factory=list)


class ComposeFile:
    def __init__(self) -> None:
        self.services: dict[str, Service] = {}

    def add(self, service: Service) -> Service:
        if service.name in self.services:
            raise ValueError(f"duplicate service {service.name!r}")
        self.services[service.name] = service
        return service

    def start_order(self) -> list[str]:
        """Topological order; raises on unknown dependencies or cycles."""
        order: list[str] = []
        state: dict[str, str] = {}

        def visit(name: str, chain: tuple[str, ...]) -> None:
            if name not in self.services:
                raise ValueError(f"{chain[-1]!r} depends on unknown service {name!r}")
            if state.get(name) == "done":
                return
            if state.get(name) == "visiting":
                raise ValueError("dependency cycle: " + " -> ".join((*chain, name)))
            state[name] = "visiting"
            for dep in self.services[name].depends_on:
                visit(dep, (*chain, name))
            state[name] = "done"
            order.append(name)

        for name in sorted(self.services):
            visit(name, ())
        return order

    def render(self) -> str:
        self.start_order()
        lines = ["services:"]
        for name in sorted(self.services):
            svc = self.services[name]
            lines.append(f"  {name}:")
            lines.append(f"    image: {svc.image}")
            for key, values in (("ports", svc.ports), ("depends_on", svc.depends_on)):
                if values:
                    lines.append(f"    {key}:")
                    lines.extend(f'      - "{v}"' for v in values)
            if svc.environment:
                lines.append("    environment:")
                lines.extend(f'      {k}: "{v}"' for k, v in sorted(svc.environment.items()))
            if svc.command:
                lines.append(f"    command: {svc.command!r}".replace("'", '"'))
        return "\n".join(lines) + "\n"


def default_stack() -> tuple[ComposeFile, dict[str, str]]:
    compose = ComposeFile()
    compose.add(Service("redis", "redis:7"))
    compose.add(Service("api", "pyagent:latest", ports=["8000:8000"], depends_on=["redis"],
                        command=["python", "-m", "src.infrastructure.api.cli", "info"]))
    return compose, {"api": service_dockerfile(port=8000)}
