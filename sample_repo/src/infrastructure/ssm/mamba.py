"""A one-channel Mamba-like block with a recurrent state cache."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .scan import selective_scan


class MambaBlock:
    def __init__(self, decay: float = 0.9, input_gain: float = 1.0, output_gain: float = 1.0) -> None:
        self.decay = decay
        self.input_gain = input_gain
        self.output_gain = output_gain
        self.states: dict[int, float] = {}

    def _gates(self, x: Sequence[float]) -> tuple[list[float], list[float], list[float]]:
        # Input-dependent ("selective") decay: large inputs forget faster.
        a = [self.decay / (1.0 + math.tanh(abs(v))) for v in x]
        b = [self.input_gain] * len(x)
        c = [self.output_gain] * len(x)
        return a, b, c

    def forward(self, seq_id: int, x: Sequence[float]) -> list[float]:
        a, b, c = self._gates(x)
        ys, h = selective_scan(a, b, c, x, self.states.get(seq_id, 0.0))
        self.states[seq_id] = h
        return ys

    def reset(self, seq_id: int) -> None:
        self.states.pop(seq_id, None)
