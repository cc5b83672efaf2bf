"""Optimisation passes over a captured graph."""

from __future__ import annotations

from .graph_capture import CapturedGraph, Op


def fold_scales(graph: CapturedGraph) -> CapturedGraph:
    """Merge consecutive ``scale`` ops and drop ``scale(1.0)``."""
    folded: list[Op] = []
    for name, args in graph.ops:
        if name == "scale" and folded and folded[-1][0] == "scale":
            folded[-1] = ("scale", (folded[-1][1][0] * args[0],))
        else:
            folded.append((name, args))
    return CapturedGraph([op for op in folded if op != ("scale", (1.0,))])


def count_ops(graph: CapturedGraph) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, _ in graph.ops:
        counts[name] = counts.get(name, 0) + 1
    return counts


PIPELINE = (fold_scales,)


def optimise(graph: CapturedGraph) -> CapturedGraph:
    for compiler_pass in PIPELINE:
        graph = compiler_pass(graph)
    return graph
