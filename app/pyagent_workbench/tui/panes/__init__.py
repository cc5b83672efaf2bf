"""The workbench's panes (Board, Review, Diff): each owns its keys and the logic behind
them, edits the plan through the session it is given, and posts messages for the
screen to route (`PlanChanged`, `DiffRequested`, `EdgesRequested`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.containers import Vertical

if TYPE_CHECKING:
    from pyagent_workbench.session import Session


class Pane(Vertical):
    """A tab's content with its own keys; `KEYS_TITLE` heads them in the help."""

    KEYS_TITLE: ClassVar[str] = ""

    def __init__(self, session: Session, *, id: str) -> None:
        super().__init__(id=id)
        self.session = session
