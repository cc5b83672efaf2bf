"""Ordered schema migrations."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE agent_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            agent TEXT NOT NULL,
            prompt TEXT NOT NULL,
            output TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """,
    ),
    (2, "ALTER TABLE agent_runs ADD COLUMN meta TEXT NOT NULL DEFAULT '{}'"),
    (3, "CREATE INDEX idx_agent_runs_agent ON agent_runs(agent)"),
]


def current_version(conn: sqlite3.Connection) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0


def apply_migrations(conn: sqlite3.Connection) -> list[int]:
    applied = []
    version = current_version(conn)
    for number, sql in MIGRATIONS:
        if number <= version:
            continue
        with conn:
            conn.execute(sql)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
        applied.append(number)
    return applied
