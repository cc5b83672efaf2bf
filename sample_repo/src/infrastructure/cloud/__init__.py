"""Cloud provisioning and object storage."""

from .providers import CloudProvider, InstanceSpec, LocalProvider
from .storage_client import ObjectStore

__all__ = ["CloudProvider", "InstanceSpec", "LocalProvider", "ObjectStore"]
