"""Agent state machine plus its history and scratchpad."""

from __future__ import annotations

import json
from enum import Enum

from .agent_history import AgentHistory
from .agent_scratchpad import AgentScratchpad
from .base_defaults import DEFAULT_HISTORY_LIMIT
from .base_exceptions import InvalidStateTransition


class AgentState(str, Enum):
    CREATED = "created"
    IDLE = "idle"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"


TRANSITIONS: dict[AgentState, frozenset[AgentState]] = {
    AgentState.CREATED: frozenset({AgentState.IDLE, AgentState.STOPPED}),
    AgentState.IDLE: frozenset({AgentState.RUNNING, AgentState.STOPPING}),
    AgentState.RUNNING: frozenset({AgentState.IDLE, AgentState.STOPPING}),
    AgentState.STOPPING: frozenset({AgentState.STOPPED}),
    AgentState.STOPPED: frozenset(),
}


class AgentStateManager:
    def __init__(self, agent_name: str, history_limit: int = DEFAULT_HISTORY_LIMIT) -> None:
        self.agent_name = agent_name
        self.state = AgentState.CREATED
        self.history = AgentHistory(history_limit)
        self.scratchpad = AgentScratchpad()
        self.transitions: list[tuple[AgentState, AgentState]] = []

    def can_transition(self, target: AgentState) -> bool:
        return target in TRANSITIONS[self.state]

    def transition(self, target: AgentState) -> None:
        if not self.can_transition(target):
            raise InvalidStateTransition(self.state.value, target.value)
        self.transitions.append((self.state, target))
        self.state = target

    def snapshot(self) -> str:
        return json.dumps(
            {
                "agent": self.agent_name,
                "state": self.state.value,
                "history": self.history.to_list(),
                "scratchpad": self.scratchpad.as_dict(),
            },
            sort_keys=True,
        )

    @classmethod
    def restore(cls, snapshot: str) -> AgentStateManager:
        data = json.loads(snapshot)
        manager = cls(data["agent"])
        manager.state = AgentState(data["state"])
        manager.history = AgentHistory.from_list(data["history"])
        for key, value in data["scratchpad"].items():
            manager.scratchpad.write(key, value)
        return manager
