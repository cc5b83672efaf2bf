"""OpenAI-compatible endpoints."""

from .chat import create_chat_completion
from .completions import create_completion
from .protocol import ChatCompletionRequest, ChatMessage

__all__ = ["ChatCompletionRequest", "ChatMessage", "create_chat_completion", "create_completion"]
