"""Binary packing of float and int vectors."""

from __future__ import annotations

import struct
from collections.abc import Sequence

_COUNT = struct.Struct("<I")


def pack_floats(values: Sequence[float]) -> bytes:
    return _COUNT.pack(len(values)) + struct.pack(f"<{len(values)}d", *values)


def unpack_floats(data: bytes, offset: int = 0) -> tuple[list[float], int]:
    (count,) = _COUNT.unpack_from(data, offset)
    offset += _COUNT.size
    values = list(struct.unpack_from(f"<{count}d", data, offset))
    return values, offset + 8 * count


def pack_ints(values: Sequence[int]) -> bytes:
    return _COUNT.pack(len(values)) + struct.pack(f"<{len(values)}q", *values)


def unpack_ints(data: bytes, offset: int = 0) -> tuple[list[int], int]:
    (count,) = _COUNT.unpack_from(data, offset)
    offset += _COUNT.size
    values = list(struct.unpack_from(f"<{count}q", data, offset))
    return values, offset + 8 * count


def pack_matrix(rows: Sequence[Sequence[float]]) -> bytes:
    return _COUNT.pack(len(rows)) + b"".join(pack_floats(row) for row in rows)


def unpack_matrix(data: bytes, offset: int = 0) -> tuple[list[list[float]], int]:
    (count,) = _COUNT.unpack_from(data, offset)
    offset += _COUNT.size
    rows = []
    for _ in range(count):
        row, offset = unpack_floats(data, offset)
        rows.append(row)
    return rows, offset
