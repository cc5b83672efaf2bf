"""Ship a sequence's KV cache as a network frame.

Storage depending on the swarm tier's wire protocol is one of the edges the
tier reorganisation has to keep working.
"""

from __future__ import annotations

from collections.abc import Sequence

from src.infrastructure.network.protocol import Frame, FrameKind
from src.infrastructure.serialization.binary import pack_matrix, unpack_matrix

from .connector import KVConnector


def kv_key(request_id: int) -> str:
    return f"kv/{request_id}"


def send_kv(connector: KVConnector, request_id: int, keys: Sequence[Sequence[float]], values: Sequence[Sequence[float]]) -> int:
    frame = Frame(FrameKind.KV, request_id, pack_matrix(keys) + pack_matrix(values))
    blob = frame.encode()
    connector.put(kv_key(request_id), blob)
    return len(blob)


def recv_kv(connector: KVConnector, request_id: int, consume: bool = True) -> tuple[list[list[float]], list[list[float]]]:
    blob = connector.get(kv_key(request_id))
    if blob is None:
        raise KeyError(f"no KV for request {request_id}")
    frame = Frame.decode(blob)
    if frame.kind is not FrameKind.KV or frame.request_id != request_id:
        raise ValueError("unexpected frame")
    keys, offset = unpack_matrix(frame.payload)
    values, _ = unpack_matrix(frame.payload, offset)
    if consume:
        connector.delete(kv_key(request_id))
    return keys, values
