"""Log formatters producing ``key=value`` or JSON lines."""

from __future__ import annotations

import json
import logging


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return dict(getattr(record, "fields", {}) or {})


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        parts = [f"level={record.levelname.lower()}", f"logger={record.name}", f"msg={record.getMessage()!r}"]
        parts.extend(f"{key}={value!r}" for key, value in sorted(_fields(record).items()))
        return " ".join(parts)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {"level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        payload.update(_fields(record))
        return json.dumps(payload, sort_keys=True, default=str)
