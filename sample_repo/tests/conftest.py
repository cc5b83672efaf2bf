import logging

import pytest

from src.db.repository import AgentRunRepository
from src.infrastructure.logging.handlers import MemoryHandler
from src.infrastructure.orchestration.engine_core import LLMEngine


@pytest.fixture
def engine() -> LLMEngine:
    """A small engine: 4-token blocks so prefix caching kicks in on short prompts."""
    return LLMEngine(num_blocks=64, block_size=4)


@pytest.fixture
def log_lines():
    """Capture everything logged under the ``pyagent`` logger."""
    handler = MemoryHandler()
    root = logging.getLogger("pyagent")
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.fixture
def repository() -> AgentRunRepository:
    return AgentRunRepository()
