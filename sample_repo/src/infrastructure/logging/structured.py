"""Structured logging on top of the standard library.

Note: this package is called ``logging`` too; ``import logging`` below is an
absolute import and therefore still means the standard library.
"""

from __future__ import annotations

import logging
import sys
from typing import IO

from .formatters import JsonFormatter, KeyValueFormatter

ROOT_LOGGER = "pyagent"
_configured_handler: logging.Handler | None = None


def get_logger(name: str) -> logging.Logger:
    if not name.startswith(ROOT_LOGGER):
        name = f"{ROOT_LOGGER}.{name}"
    return logging.getLogger(name)


def configure(level: int = logging.INFO, fmt: str = "kv", stream: IO[str] | None = None) -> logging.Handler:
    """Install (or replace) the single handler of the ``pyagent`` logger."""
    global _configured_handler
    root = logging.getLogger(ROOT_LOGGER)
    if _configured_handler is not None:
        root.removeHandler(_configured_handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    _configured_handler = handler
    return handler


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: object) -> None:
    logger.log(level, event, extra={"fields": fields})
