"""Hashing-trick embeddings and a brute-force vector index."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from src.core.base.base_utilities import stable_hash
from src.infrastructure.cuda.kernels import cosine

_WORD = re.compile(r"[a-z0-9]+")


def embed_text(text: str, dim: int = 64) -> list[float]:
    vec = [0.0] * dim
    for word in _WORD.findall(text.lower()):
        h = stable_hash(word)
        vec[h % dim] += 1.0 if (h >> 32) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec))
    return [v / norm for v in vec] if norm else vec


@dataclass
class Document:
    doc_id: str
    text: str
    vector: list[float]
    metadata: dict[str, Any] = field(default_factory=dict)


class VectorIndex:
    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.documents: dict[str, Document] = {}

    def add(self, doc_id: str, text: str, **metadata: Any) -> Document:
        doc = Document(doc_id, text, embed_text(text, self.dim), metadata)
        self.documents[doc_id] = doc
        return doc

    def search(self, query: str, k: int = 3) -> list[tuple[float, Document]]:
        q = embed_text(query, self.dim)
        scored = [(cosine(q, d.vector), d) for d in self.documents.values()]
        scored.sort(key=lambda pair: (-pair[0], pair[1].doc_id))
        return scored[:k]

    def __len__(self) -> int:
        return len(self.documents)
