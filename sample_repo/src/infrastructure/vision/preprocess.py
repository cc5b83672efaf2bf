"""Image preprocessing for the vision encoder."""

from __future__ import annotations

from src.infrastructure.mediaio.image import Image


def resize_nearest(image: Image, width: int, height: int) -> Image:
    if width <= 0 or height <= 0:
        raise ValueError("target size must be positive")
    pixels: list[int] = []
    for y in range(height):
        src_y = y * image.height // height
        for x in range(width):
            pixels.extend(image.pixel(x * image.width // width, src_y))
    return Image(width, height, image.channels, tuple(pixels))


def normalize(image: Image, mean: float = 127.5, std: float = 127.5) -> list[float]:
    return [(p - mean) / std for p in image.pixels]
