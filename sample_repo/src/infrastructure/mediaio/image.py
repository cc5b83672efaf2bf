"""Read and write binary PNM images (PGM ``P5`` and PPM ``P6``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    channels: int
    pixels: tuple[int, ...]  # row-major, interleaved channels

    def __post_init__(self) -> None:
        if len(self.pixels) != self.width * self.height * self.channels:
            raise ValueError("pixel count does not match the dimensions")

    def pixel(self, x: int, y: int) -> tuple[int, ...]:
        start = (y * self.width + x) * self.channels
        return self.pixels[start : start + self.channels]

    def to_grayscale(self) -> Image:
        if self.channels == 1:
            return self
        gray = []
        for i in range(0, len(self.pixels), 3):
            r, g, b = self.pixels[i : i + 3]
            gray.append(round(0.299 * r + 0.587 * g + 0.114 * b))
        return Image(self.width, self.height, 1, tuple(gray))


def _tokens(data: bytes, count: int) -> tuple[list[bytes], int]:
    tokens: list[bytes] = []
    pos = 0
    while len(tokens) < count:
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while not data[pos : pos + 1].isspace():
            pos += 1
        tokens.append(data[start:pos])
    return tokens, pos + 1  # exactly one whitespace byte follows the header


def parse_pnm(data: bytes) -> Image:
    (magic, width, height, maxval), offset = _tokens(data, 4)
    channels = {b"P5": 1, b"P6": 3}.get(magic)
    if channels is None:
        raise ValueError(f"unsupported PNM type {magic!r}")
    if int(maxval) > 255:
        raise ValueError("16-bit PNM is not supported")
    w, h = int(width), int(height)
    return Image(w, h, channels, tuple(data[offset : offset + w * h * channels]))


def to_pnm(image: Image) -> bytes:
    magic = b"P5" if image.channels == 1 else b"P6"
    return magic + f"\n{image.width} {image.height}\n255\n".encode() + bytes(image.pixels)
