"""Container build files."""

from .compose import ComposeFile, Service, default_stack
from .dockerfile import DockerfileBuilder, service_dockerfile

__all__ = ["ComposeFile", "DockerfileBuilder", "Service", "default_stack", "service_dockerfile"]
