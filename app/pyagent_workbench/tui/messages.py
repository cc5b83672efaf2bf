"""App-wide messages: widgets post them, the app and the screen react."""

from __future__ import annotations

from textual.message import Message


class PlanChanged(Message):
    """The plan was edited (or undone): every view refreshes from the session."""

    def __init__(self, description: str = "") -> None:
        super().__init__()
        self.description = description


class MoveRequested(Message):
    """Move units to a tier (`None`: they stay). Mouse drops and keys both post this."""

    def __init__(self, units: list[str], tier: str | None) -> None:
        super().__init__()
        self.units = units
        self.tier = tier


class UnitFocused(Message):
    """The unit the user is looking at changed (filters the review, feeds the diff)."""

    def __init__(self, unit: str | None) -> None:
        super().__init__()
        self.unit = unit


class LoadProgress(Message):
    def __init__(self, step: str, fraction: float) -> None:
        super().__init__()
        self.step = step
        self.fraction = fraction
