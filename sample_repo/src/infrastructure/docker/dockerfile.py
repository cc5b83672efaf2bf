"""Generate Dockerfiles for PyAgent services."""

from __future__ import annotations

import json
from collections.abc import Sequence


class DockerfileBuilder:
    def __init__(self, base_image: str = "python:3.11-slim") -> None:
        self._lines: list[str] = [f"FROM {base_image}"]
        self._has_cmd = False

    def env(self, **values: str) -> DockerfileBuilder:
        for key, value in sorted(values.items()):
            self._lines.append(f"ENV {key}={json.dumps(value)}")
        return self

    def workdir(self, path: str) -> DockerfileBuilder:
        self._lines.append(f"WORKDIR {path}")
        return self

    def copy(self, src: str, dest: str) -> DockerfileBuilder:
        self._lines.append(f"COPY {src} {dest}")
        return self

    def run(self, *commands: str) -> DockerfileBuilder:
        self._lines.append("RUN " + " && \\\n    ".join(commands))
        return self

    def expose(self, port: int) -> DockerfileBuilder:
        if not 0 < port < 65536:
            raise ValueError(f"bad port {port}")
        self._lines.append(f"EXPOSE {port}")
        return self

    def cmd(self, argv: Sequence[str]) -> DockerfileBuilder:
        if self._has_cmd:
            raise ValueError("CMD already set")
        self._lines.append("CMD " + json.dumps(list(argv)))
        self._has_cmd = True
        return self

    def render(self) -> str:
        return "\n".join(self._lines) + "\n"


def service_dockerfile(module: str = "src.infrastructure.api.cli", port: int | None = None) -> str:
    """Dockerfile that runs ``python -m <module>``."""
    builder = (
        DockerfileBuilder()
        .env(PYTHONUNBUFFERED="1")
        .workdir("/app")
        .copy(".", "/app")
        .run("pip install --no-cache-dir .")
    )
    if port is not None:
        builder.expose(port)
    return builder.cmd(["python", "-m", module]).render()
