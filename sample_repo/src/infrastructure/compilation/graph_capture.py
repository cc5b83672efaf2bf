"""Capture a sequence of vector ops once and replay it ("CUDA graphs")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from src.infrastructure.cuda.kernels import axpy, matvec

Op = tuple[str, tuple]


@dataclass
class CapturedGraph:
    ops: list[Op] = field(default_factory=list)
    replays: int = 0

    def matvec(self, matrix: Sequence[Sequence[float]]) -> CapturedGraph:
        self.ops.append(("matvec", (matrix,)))
        return self

    def scale(self, alpha: float) -> CapturedGraph:
        self.ops.append(("scale", (alpha,)))
        return self

    def add(self, bias: Sequence[float]) -> CapturedGraph:
        self.ops.append(("add", (bias,)))
        return self

    def replay(self, x: Sequence[float]) -> list[float]:
        out = list(x)
        for name, args in self.ops:
            if name == "matvec":
                out = matvec(args[0], out)
            elif name == "scale":
                out = [args[0] * v for v in out]
            elif name == "add":
                out = axpy(1.0, out, args[0])
            else:  # pragma: no cover - guarded by the builders above
                raise ValueError(f"unknown op {name}")
        self.replays += 1
        return out


class GraphCache:
    """One captured graph per batch size, built on first use."""

    def __init__(self, builder: Callable[[int], CapturedGraph]) -> None:
        self.builder = builder
        self.graphs: dict[int, CapturedGraph] = {}

    def get(self, batch_size: int) -> CapturedGraph:
        if batch_size not in self.graphs:
            self.graphs[batch_size] = self.builder(batch_size)
        return self.graphs[batch_size]
