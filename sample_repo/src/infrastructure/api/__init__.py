"""The API layer. ``cli`` is intentionally not imported here so that
``python -m src.infrastructure.api.cli`` does not import it twice."""

from .handlers import ApiHandlers
from .schemas import CompletionRequest, CompletionResponse, SchemaError

__all__ = ["ApiHandlers", "CompletionRequest", "CompletionResponse", "SchemaError"]
