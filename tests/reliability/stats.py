"""Counts the reliability suites report at the end of a run (examples, faults, inputs)."""

from __future__ import annotations

from collections import Counter

COUNTS: Counter[str] = Counter()


def bump(what: str, by: int = 1) -> None:
    COUNTS[what] += by
