"""Workers and the model runner."""

from .model_runner import ModelRunner, toy_embeddings
from .worker import Worker

__all__ = ["ModelRunner", "Worker", "toy_embeddings"]
