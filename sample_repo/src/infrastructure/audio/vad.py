"""Energy-based voice activity detection."""

from __future__ import annotations

from collections.abc import Sequence

from . import features


class EnergyVAD:
    def __init__(self, threshold: float = 0.05, min_frames: int = 2, frame: int = 160) -> None:
        self.threshold = threshold
        self.min_frames = min_frames
        self.frame = frame

    def segments(self, samples: Sequence[float], sample_rate: int = 16000) -> list[tuple[float, float]]:
        """Speech segments as ``(start_s, end_s)``."""
        active = [features.rms(f) >= self.threshold for f in features.frame_signal(samples, self.frame, self.frame)]
        segments, start = [], None
        for i, is_speech in enumerate([*active, False]):
            if is_speech and start is None:
                start = i
            elif not is_speech and start is not None:
                if i - start >= self.min_frames:
                    segments.append((start * self.frame / sample_rate, i * self.frame / sample_rate))
                start = None
        return segments
