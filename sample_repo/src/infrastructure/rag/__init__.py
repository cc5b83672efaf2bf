"""Retrieval-augmented generation."""

from .chunker import chunk_text
from .index import VectorIndex, embed_text
from .retriever import Retriever, RetrieverTool

__all__ = ["Retriever", "RetrieverTool", "VectorIndex", "chunk_text", "embed_text"]
