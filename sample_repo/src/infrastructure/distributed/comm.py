"""Collective operations over a simulated (single-process) group."""

from __future__ import annotations

from collections.abc import Sequence

from .rank import RankInfo

Tensor = list[float]


class SimulatedGroup:
    """Each collective takes one tensor per rank and returns one per rank."""

    def __init__(self, world_size: int) -> None:
        if world_size <= 0:
            raise ValueError("world_size must be positive")
        self.world_size = world_size
        self.calls: dict[str, int] = {}

    def ranks(self) -> list[RankInfo]:
        return [RankInfo(r, self.world_size) for r in range(self.world_size)]

    def _check(self, name: str, per_rank: Sequence[Sequence[float]]) -> None:
        if len(per_rank) != self.world_size:
            raise ValueError(f"{name}: expected {self.world_size} tensors, got {len(per_rank)}")
        self.calls[name] = self.calls.get(name, 0) + 1

    def all_reduce(self, per_rank: Sequence[Sequence[float]], op: str = "sum") -> list[Tensor]:
        self._check("all_reduce", per_rank)
        columns = list(zip(*per_rank))
        if op == "sum":
            reduced = [sum(c) for c in columns]
        elif op == "max":
            reduced = [max(c) for c in columns]
        elif op == "mean":
            reduced = [sum(c) / self.world_size for c in columns]
        else:
            raise ValueError(f"unknown op {op!r}")
        return [list(reduced) for _ in range(self.world_size)]

    def all_gather(self, per_rank: Sequence[Sequence[float]]) -> list[Tensor]:
        self._check("all_gather", per_rank)
        gathered = [x for shard in per_rank for x in shard]
        return [list(gathered) for _ in range(self.world_size)]

    def broadcast(self, tensor: Sequence[float], src: int = 0) -> list[Tensor]:
        if not 0 <= src < self.world_size:
            raise ValueError("bad source rank")
        self.calls["broadcast"] = self.calls.get("broadcast", 0) + 1
        return [list(tensor) for _ in range(self.world_size)]
