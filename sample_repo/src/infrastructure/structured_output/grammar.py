"""Constrain generation to one of a fixed set of choices."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from src.core.base.base_interfaces import SupportsTokenize


class ChoiceGrammar:
    def __init__(self, choices: Sequence[str], tokenizer: SupportsTokenize) -> None:
        if not choices:
            raise ValueError("at least one choice is required")
        self.choices = list(choices)
        self.sequences = [tuple(tokenizer.encode(choice)) for choice in self.choices]

    def allowed_next(self, generated: Sequence[int]) -> set[int]:
        n = len(generated)
        prefix = tuple(generated)
        return {seq[n] for seq in self.sequences if len(seq) > n and seq[:n] == prefix}

    def is_complete(self, generated: Sequence[int]) -> bool:
        return tuple(generated) in self.sequences

    def choice_for(self, generated: Sequence[int]) -> str | None:
        for choice, seq in zip(self.choices, self.sequences):
            if seq == tuple(generated):
                return choice
        return None


def mask_logits(logits: Sequence[float], allowed: set[int]) -> list[float]:
    return [x if i in allowed else -math.inf for i, x in enumerate(logits)]
