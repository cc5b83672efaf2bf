"""Event objects and well-known topics."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

_event_ids = itertools.count(1)

ENGINE_REQUEST_FINISHED = "engine.request.finished"
AGENT_SPAWNED = "agent.spawned"
FLEET_NODE_DOWN = "fleet.node.down"


@dataclass(frozen=True)
class Event:
    topic: str
    payload: dict[str, Any] = field(default_factory=dict)
    event_id: int = field(default_factory=lambda: next(_event_ids))
    timestamp: float = field(default_factory=time.time)
