"""Prompt templates and chat formatting."""

from .chat_format import ROLE_TAGS, apply_chat_template
from .templates import PromptLibrary, default_library

__all__ = ["ROLE_TAGS", "PromptLibrary", "apply_chat_template", "default_library"]
