"""WAV reading and writing (16-bit PCM mono)."""

from __future__ import annotations

import array
import wave
from collections.abc import Sequence
from pathlib import Path


def write_wav(path: Path, samples: Sequence[float], sample_rate: int = 16000) -> None:
    pcm = array.array("h", (max(-32768, min(32767, round(s * 32767))) for s in samples))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())


def read_wav(path: Path) -> tuple[list[float], int]:
    with wave.open(str(path), "rb") as src:
        if src.getsampwidth() != 2 or src.getnchannels() != 1:
            raise ValueError("only 16-bit mono WAV is supported")
        pcm = array.array("h")
        pcm.frombytes(src.readframes(src.getnframes()))
        return [s / 32767 for s in pcm], src.getframerate()
