"""What a plan file may hold: its sections, their keys, and the typed entries read from them.

The plan (`plan.py`, the TOML document and its edits) and its validation
(`validation.py`) both build on this module, and on nothing of each other but
`Plan.parse` calling the validation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

SCHEMA = 1
STATUSES = ("draft", "approved")
VERDICTS = ("accepted", "must-fix")
DEFAULT_PLAN_NAME = "pyagent-plan.toml"

Status = Literal["draft", "approved"]
Verdict = Literal["accepted", "must-fix"]

TOP_KEYS = {"schema", "status", "repo", "options", "tiers", "moves", "reviews", "suggestion"}
REPO_KEYS: dict[str, type] = {"source_root": str, "packages": list, "containers": list}
OPTION_KEYS: dict[str, type] = {"facades": bool, "carry_tests": bool, "conform": bool,
                                 "deprecate": str}
ENTRY_KEYS: dict[str, dict[str, tuple[type, bool]]] = {
    # key -> (type, required)
    "tiers": {"name": (str, True), "package": (str, True), "layer": (int, False)},
    "moves": {
        "source": (str, True), "target": (str, True), "tier": (str, False),
        "carry_tests": (bool, False), "batch": (int, False), "landed": (str, False),
        "commit": (str, False),
    },
    "reviews": {
        "importer": (str, True), "imported": (str, True), "verdict": (str, True),
        "note": (str, False),
    },
}
"""The arrays of tables (`[[tiers]]`, ...) and the keys of their entries."""
SINGULAR = {"tiers": "tier", "moves": "move", "reviews": "review"}
MAX_ENTRIES = {"tiers": 1_000, "moves": 10_000, "reviews": 100_000}
"""More entries than this is not a plan a person can review (and would be slow to read)."""


@dataclass(frozen=True)
class Tier:
    name: str
    package: str
    layer: int | None = None
    """Higher layers may import lower ones; `None` when the plan does not order the tier."""


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    tier: str | None = None
    carry_tests: bool | None = None
    """Per-move override of `options.carry_tests`; `None` means "as the options say"."""
    batch: int | None = None
    """The pull-request-sized batch it lands in (`batches --write`, or the apply of a
    batch); `None`: not assigned yet."""
    landed: str | None = None
    """The day (`YYYY-MM-DD`) an apply landed it; `None`: pending, or landed by a tool
    that did not record it (the tree tells)."""
    commit: str | None = None
    """The commit holding the move (written by `apply --commit`)."""


@dataclass(frozen=True)
class Review:
    importer: str
    imported: str
    verdict: Verdict
    note: str = ""

    @property
    def edge(self) -> tuple[str, str]:
        return (self.importer, self.imported)


def plain(value: Any) -> Any:
    """A tomlkit item as a plain Python value (anything else as it is)."""
    return value.unwrap() if hasattr(value, "unwrap") else value
