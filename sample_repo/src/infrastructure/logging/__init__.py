"""Structured logging helpers (``get_logger``, ``log_event``)."""

from .formatters import JsonFormatter, KeyValueFormatter
from .handlers import MemoryHandler
from .structured import configure, get_logger, log_event

__all__ = ["JsonFormatter", "KeyValueFormatter", "MemoryHandler", "configure", "get_logger", "log_event"]
