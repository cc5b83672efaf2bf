"""Pipeline-parallel schedules."""

from __future__ import annotations


def one_f_one_b(num_stages: int, num_microbatches: int) -> list[list[tuple[str, int]]]:
    """Per-stage op lists ("F"/"B", microbatch) of the 1F1B schedule."""
    if num_stages <= 0 or num_microbatches <= 0:
        raise ValueError("stages and microbatches must be positive")
    schedule = []
    for stage in range(num_stages):
        warmup = min(num_stages - stage - 1, num_microbatches)
        ops: list[tuple[str, int]] = [("F", mb) for mb in range(warmup)]
        forward, backward = warmup, 0
        while backward < num_microbatches:
            if forward < num_microbatches:
                ops.append(("F", forward))
                forward += 1
            ops.append(("B", backward))
            backward += 1
        schedule.append(ops)
    return schedule


def bubble_fraction(num_stages: int, num_microbatches: int) -> float:
    return (num_stages - 1) / (num_microbatches + num_stages - 1)
