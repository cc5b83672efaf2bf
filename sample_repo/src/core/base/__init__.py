"""The agent kernel.

This package is intentionally flat; the main classes are re-exported here so
that callers can write ``from src.core.base import AgentCore``.
"""

from .agent_core import AgentCore
from .agent_registry import AgentRegistry
from .agent_state_manager import AgentState, AgentStateManager
from .base_agent import (
    BaseAgent,  # abstract agent with lifecycle handling
    EchoAgent,  # trivial agent used by demos and tests
    UpperAgent,  # upper-cases its input
)
from .base_exceptions import (
    AgentNotFoundError,  # raised by the registry
    ConfigurationError,  # bad configuration values
    PyAgentError,  # root of the hierarchy
)
from .module_loader import load_object
from .version import __version__

__all__ = [
    "AgentCore",
    "AgentNotFoundError",
    "AgentRegistry",
    "AgentState",
    "AgentStateManager",
    "BaseAgent",
    "ConfigurationError",
    "EchoAgent",
    "PyAgentError",
    "UpperAgent",
    "__version__",
    "load_object",
]
