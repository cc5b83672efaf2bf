"""Background task execution."""

from .executor import TaskExecutor
from .task import Task, TaskStatus

__all__ = ["Task", "TaskExecutor", "TaskStatus"]
