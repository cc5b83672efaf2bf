"""Frame-level audio features."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from src.infrastructure.mediaio.audio_io import read_wav


def frame_signal(samples: Sequence[float], frame: int, hop: int) -> list[list[float]]:
    if frame <= 0 or hop <= 0:
        raise ValueError("frame and hop must be positive")
    return [list(samples[i : i + frame]) for i in range(0, max(1, len(samples) - frame + 1), hop)]


def rms(frame: Sequence[float]) -> float:
    return math.sqrt(sum(s * s for s in frame) / len(frame)) if frame else 0.0


def zero_crossing_rate(frame: Sequence[float]) -> float:
    if len(frame) < 2:
        return 0.0
    crossings = sum(1 for a, b in zip(frame, frame[1:]) if (a >= 0) != (b >= 0))
    return crossings / (len(frame) - 1)


def wav_energy_profile(path: Path, frame_ms: int = 20) -> tuple[list[float], int]:
    samples, rate = read_wav(path)
    frame = max(1, rate * frame_ms // 1000)
    return [rms(f) for f in frame_signal(samples, frame, frame)], frame
