"""Persistence of agent runs."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from ..core.base.base_utilities import utc_now_iso
from ..infrastructure.serialization.codec import dumps, loads
from .connection import connect
from .migrations import apply_migrations


@dataclass(frozen=True)
class AgentRun:
    id: int
    agent: str
    prompt: str
    output: str
    created_at: str
    meta: dict[str, Any]


class AgentRunRepository:
    def __init__(self, conn: sqlite3.Connection | None = None) -> None:
        self.conn = conn or connect()
        apply_migrations(self.conn)

    def save(self, agent: str, prompt: str, output: str, meta: dict[str, Any] | None = None) -> int:
        with self.conn:
            cursor = self.conn.execute(
                "INSERT INTO agent_runs (agent, prompt, output, created_at, meta) VALUES (?, ?, ?, ?, ?)",
                (agent, prompt, output, utc_now_iso(), dumps(meta or {}).decode("utf-8")),
            )
        return int(cursor.lastrowid or 0)

    def _row(self, row: sqlite3.Row) -> AgentRun:
        return AgentRun(row["id"], row["agent"], row["prompt"], row["output"], row["created_at"], loads(row["meta"]))

    def get(self, run_id: int) -> AgentRun | None:
        row = self.conn.execute("SELECT * FROM agent_runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else self._row(row)

    def list(self, agent: str | None = None, limit: int = 20) -> list[AgentRun]:
        if agent is None:
            rows = self.conn.execute("SELECT * FROM agent_runs ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self.conn.execute(
                "SELECT * FROM agent_runs WHERE agent = ? ORDER BY id DESC LIMIT ?", (agent, limit)
            )
        return [self._row(r) for r in rows]

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM agent_runs").fetchone()[0]
