"""Serialise and load tensor containers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from src.infrastructure.serialization.binary import pack_floats, unpack_floats
from src.infrastructure.serialization.codec import decode_header, encode_header

from .format import MAGIC, VERSION, TensorRecord


def dumps(records: Iterable[TensorRecord]) -> bytes:
    records = list(records)
    header = {"version": VERSION, "tensors": [{"name": r.name, "shape": list(r.shape)} for r in records]}
    body = b"".join(pack_floats(r.data) for r in records)
    return MAGIC + encode_header(header, body)


def loads(blob: bytes) -> dict[str, TensorRecord]:
    if not blob.startswith(MAGIC):
        raise ValueError("not a tensorizer blob")
    header, body = decode_header(blob[len(MAGIC) :])
    if header["version"] != VERSION:
        raise ValueError(f"unsupported version {header['version']}")
    out: dict[str, TensorRecord] = {}
    offset = 0
    for meta in header["tensors"]:
        data, offset = unpack_floats(body, offset)
        out[meta["name"]] = TensorRecord(meta["name"], tuple(meta["shape"]), data)
    return out


def save(path: Path, records: Iterable[TensorRecord]) -> int:
    blob = dumps(records)
    path.write_bytes(blob)
    return len(blob)


def load(path: Path) -> dict[str, TensorRecord]:
    return loads(path.read_bytes())
