"""Media input/output (images and audio)."""

from .audio_io import read_wav, write_wav
from .image import Image, parse_pnm, to_pnm

__all__ = ["Image", "parse_pnm", "read_wav", "to_pnm", "write_wav"]
