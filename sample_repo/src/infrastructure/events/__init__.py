"""Event bus."""

from .bus import EventBus
from .types import AGENT_SPAWNED, ENGINE_REQUEST_FINISHED, FLEET_NODE_DOWN, Event

__all__ = ["AGENT_SPAWNED", "ENGINE_REQUEST_FINISHED", "FLEET_NODE_DOWN", "Event", "EventBus"]
