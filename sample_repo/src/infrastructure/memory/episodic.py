"""Episodic memory: remember texts with vectors, recall by cosine similarity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from src.infrastructure.cuda.kernels import cosine


@dataclass(frozen=True)
class Episode:
    text: str
    vector: tuple[float, ...]
    tags: frozenset[str] = field(default_factory=frozenset)


class EpisodicMemory:
    def __init__(self, capacity: int = 1000) -> None:
        self.capacity = capacity
        self._episodes: list[Episode] = []

    def store(self, text: str, vector: Sequence[float], tags: Sequence[str] = ()) -> Episode:
        episode = Episode(text, tuple(vector), frozenset(tags))
        self._episodes.append(episode)
        if len(self._episodes) > self.capacity:
            self._episodes.pop(0)
        return episode

    def recall(self, query: Sequence[float], k: int = 3, tag: str | None = None) -> list[tuple[float, Episode]]:
        candidates = [e for e in self._episodes if tag is None or tag in e.tags]
        scored = [(cosine(query, e.vector), e) for e in candidates]
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return scored[:k]

    def __len__(self) -> int:
        return len(self._episodes)
