"""Wire protocol: fixed header + payload + CRC32."""

from __future__ import annotations

import enum
import struct
import zlib
from dataclasses import dataclass

_HEADER = struct.Struct("<BQI")  # kind, request id, payload length
_CRC = struct.Struct("<I")


class FrameKind(enum.IntEnum):
    DATA = 1
    KV = 2
    HEARTBEAT = 3
    CONTROL = 4


class FrameError(ValueError):
    pass


@dataclass(frozen=True)
class Frame:
    kind: FrameKind
    request_id: int
    payload: bytes = b""

    def encode(self) -> bytes:
        body = _HEADER.pack(int(self.kind), self.request_id, len(self.payload)) + self.payload
        return body + _CRC.pack(zlib.crc32(body))

    @classmethod
    def decode(cls, data: bytes) -> Frame:
        if len(data) < _HEADER.size + _CRC.size:
            raise FrameError("frame too short")
        body, (crc,) = data[: -_CRC.size], _CRC.unpack(data[-_CRC.size :])
        if zlib.crc32(body) != crc:
            raise FrameError("checksum mismatch")
        kind, request_id, length = _HEADER.unpack_from(body)
        payload = body[_HEADER.size :]
        if len(payload) != length:
            raise FrameError("length mismatch")
        return cls(FrameKind(kind), request_id, payload)
