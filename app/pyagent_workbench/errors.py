"""Errors a user can act on: one line saying what is wrong, where, and what to do."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base for every error the CLI and the TUI show to the user instead of a traceback."""

    exit_status = 2

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class PlanError(WorkbenchError):
    """The plan file is unreadable or invalid; `where` is `plan.toml:LINE` when known."""


class RepoError(WorkbenchError):
    """The repository cannot be analysed as asked (no package, unreadable file, ...)."""


class OutputError(WorkbenchError):
    """A file the user asked for (a plan, a report) cannot be written where asked."""


class ApplyError(WorkbenchError):
    """Applying a plan was refused or failed; the repository is left as it was."""


class InvalidPlan(WorkbenchError):
    """One or more problems in a plan; each is printed on a line of its own."""

    SHOWN = 30
    """At most this many problems are printed (a plan of 10,000 unknown moves is one
    mistake, not 10,000 lines to read)."""

    def __init__(self, problems: list[PlanError]) -> None:
        lines = [str(p) for p in problems[: self.SHOWN]]
        if len(problems) > self.SHOWN:
            lines.append(f"... and {len(problems) - self.SHOWN} more problems in the plan")
        super().__init__("\n".join(lines))
        self.problems = problems
