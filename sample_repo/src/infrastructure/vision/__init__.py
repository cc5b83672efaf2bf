"""Vision preprocessing and encoders."""

from .encoder import PatchEncoder
from .preprocess import normalize, resize_nearest

__all__ = ["PatchEncoder", "normalize", "resize_nearest"]
