"""JSON codec with an optional fast path and length-prefixed headers."""

from __future__ import annotations

import struct
from typing import Any

try:
    import orjson as _fast_json  # optional accelerator, not a dependency
except ImportError:
    _fast_json = None

import json

_HEADER = struct.Struct("<I")


class JsonCodec:
    name = "json"

    def __init__(self, sort_keys: bool = True) -> None:
        self.sort_keys = sort_keys

    def dumps(self, obj: Any) -> bytes:
        if _fast_json is not None and not self.sort_keys:
            return _fast_json.dumps(obj)
        return json.dumps(obj, sort_keys=self.sort_keys, separators=(",", ":")).encode("utf-8")

    def loads(self, data: bytes | str) -> Any:
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        return json.loads(data)


_default = JsonCodec()


def dumps(obj: Any) -> bytes:
    return _default.dumps(obj)


def loads(data: bytes | str) -> Any:
    return _default.loads(data)


def encode_header(header: dict[str, Any], body: bytes = b"") -> bytes:
    raw = dumps(header)
    return _HEADER.pack(len(raw)) + raw + body


def decode_header(frame: bytes) -> tuple[dict[str, Any], bytes]:
    if len(frame) < _HEADER.size:
        raise ValueError("frame too short")
    (length,) = _HEADER.unpack_from(frame)
    end = _HEADER.size + length
    if len(frame) < end:
        raise ValueError("truncated header")
    return loads(frame[_HEADER.size : end]), frame[end:]
