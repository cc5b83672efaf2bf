"""Tensor parallelism: shard a linear layer's output rows across ranks."""

from __future__ import annotations

from collections.abc import Sequence

from src.infrastructure.cuda.kernels import matvec
from src.infrastructure.distributed.comm import SimulatedGroup


def shard_rows(matrix: Sequence[Sequence[float]], world_size: int) -> list[list[list[float]]]:
    if len(matrix) % world_size:
        raise ValueError(f"{len(matrix)} rows do not split over {world_size} ranks")
    size = len(matrix) // world_size
    return [[list(row) for row in matrix[r * size : (r + 1) * size]] for r in range(world_size)]


class ColumnParallelLinear:
    def __init__(self, weight: Sequence[Sequence[float]], group: SimulatedGroup) -> None:
        self.group = group
        self.shards = shard_rows(weight, group.world_size)

    def forward(self, x: Sequence[float]) -> list[float]:
        partial = [matvec(shard, x) for shard in self.shards]  # one per rank
        return self.group.all_gather(partial)[0]
