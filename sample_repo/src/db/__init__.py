"""sqlite persistence for agent runs."""

from .connection import connect
from .migrations import MIGRATIONS, apply_migrations
from .repository import AgentRun, AgentRunRepository

__all__ = ["MIGRATIONS", "AgentRun", "AgentRunRepository", "apply_migrations", "connect"]
