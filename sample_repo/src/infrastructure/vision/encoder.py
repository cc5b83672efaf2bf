"""Patch encoder: image -> one embedding per patch."""

from __future__ import annotations

from collections.abc import Sequence

from src.infrastructure.cuda.kernels import matvec
from src.infrastructure.mediaio.image import Image

from .preprocess import normalize, resize_nearest


class PatchEncoder:
    def __init__(self, patch: int = 2, size: int = 4, projection: Sequence[Sequence[float]] | None = None) -> None:
        if size % patch:
            raise ValueError("size must be a multiple of patch")
        self.patch = patch
        self.size = size
        features = patch * patch
        self.projection = [list(r) for r in projection] if projection else [
            [1.0 if i == j else 0.0 for j in range(features)] for i in range(features)
        ]

    def patches(self, image: Image) -> list[list[float]]:
        gray = resize_nearest(image.to_grayscale(), self.size, self.size)
        values = normalize(gray)
        out = []
        for py in range(0, self.size, self.patch):
            for px in range(0, self.size, self.patch):
                out.append([values[(py + dy) * self.size + px + dx] for dy in range(self.patch) for dx in range(self.patch)])
        return out

    def encode(self, image: Image) -> list[list[float]]:
        return [matvec(self.projection, p) for p in self.patches(image)]
