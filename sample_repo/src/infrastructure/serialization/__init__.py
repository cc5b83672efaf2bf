"""Codecs for messages, tensors and typed payloads."""

from .binary import pack_floats, pack_ints, unpack_floats, unpack_ints
from .codec import JsonCodec, decode_header, dumps, encode_header, loads
from .typed import from_payload, to_payload, type_key

__all__ = [
    "JsonCodec",
    "decode_header",
    "dumps",
    "encode_header",
    "from_payload",
    "loads",
    "pack_floats",
    "pack_ints",
    "to_payload",
    "type_key",
    "unpack_floats",
    "unpack_ints",
]
