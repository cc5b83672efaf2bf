"""Disaggregated prefill: move KV caches between nodes."""

from .connector import InMemoryConnector, KVConnector
from .transfer import recv_kv, send_kv

__all__ = ["InMemoryConnector", "KVConnector", "recv_kv", "send_kv"]
