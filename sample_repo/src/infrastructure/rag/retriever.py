"""Retrieval-augmented prompting."""

from __future__ import annotations

import src.infrastructure.serialization.codec
from src.infrastructure.prompts.templates import default_library

from .chunker import chunk_text
from .index import VectorIndex


class Retriever:
    def __init__(self, index: VectorIndex | None = None, chunk_tokens: int = 32) -> None:
        self.index = index or VectorIndex()
        self.chunk_tokens = chunk_tokens

    def add_document(self, doc_id: str, text: str) -> int:
        chunks = chunk_text(text, self.chunk_tokens, overlap=min(4, self.chunk_tokens - 1))
        for n, chunk in enumerate(chunks):
            self.index.add(f"{doc_id}#{n}", chunk, source=doc_id)
        return len(chunks)

    def retrieve(self, question: str, k: int = 2) -> list[str]:
        return [doc.text for score, doc in self.index.search(question, k) if score > 0]

    def augment(self, question: str, k: int = 2) -> str:
        context = "\n".join(f"- {c}" for c in self.retrieve(question, k)) or "- (nothing found)"
        return default_library.render("rag_answer", context=context, question=question)

    def dumps(self) -> bytes:
        docs = [{"id": d.doc_id, "text": d.text, "meta": d.metadata} for d in self.index.documents.values()]
        return src.infrastructure.serialization.codec.dumps({"dim": self.index.dim, "docs": docs})

    @classmethod
    def loads(cls, blob: bytes) -> Retriever:
        data = src.infrastructure.serialization.codec.loads(blob)
        retriever = cls(VectorIndex(data["dim"]))
        for doc in data["docs"]:
            retriever.index.add(doc["id"], doc["text"], **doc["meta"])
        return retriever


class RetrieverTool:
    name = "search"
    description = "search the indexed documents"

    def __init__(self, retriever: Retriever | None = None) -> None:
        self.retriever = retriever or Retriever()

    def run(self, argument: str) -> str:
        return "\n".join(self.retriever.retrieve(argument)) or "no results"
