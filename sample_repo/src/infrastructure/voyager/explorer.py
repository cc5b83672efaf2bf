"""Automatic curriculum: try tasks with tools, keep what works as skills."""

from __future__ import annotations

from dataclasses import dataclass

from src.infrastructure.logging.structured import get_logger, log_event
from src.infrastructure.tools.tool_registry import ToolRegistry

from .skill_library import Skill, SkillLibrary

_log = get_logger("voyager")


@dataclass(frozen=True)
class CurriculumTask:
    name: str
    description: str
    tool: str
    argument: str
    expected: str


DEFAULT_CURRICULUM = (
    CurriculumTask("add", "add two numbers", "calculator", "2 + 3", "5"),
    CurriculumTask("area", "area of a 3 by 4 rectangle", "calculator", "3 * 4", "12"),
    CurriculumTask("power", "two to the tenth power", "calculator", "2 ** 10", "1024"),
    CurriculumTask("greet", "say hello on the shell", "shell", "echo hello", "hello"),
)


class Explorer:
    def __init__(self, tools: ToolRegistry | None = None, library: SkillLibrary | None = None, curriculum=DEFAULT_CURRICULUM) -> None:
        self.tools = tools or ToolRegistry()
        self.library = library or SkillLibrary()
        self.curriculum = list(curriculum)
        self.failures: dict[str, str] = {}

    def next_task(self) -> CurriculumTask | None:
        for task in self.curriculum:
            if task.name not in self.library.skills and task.name not in self.failures:
                return task
        return None

    def attempt(self, task: CurriculumTask) -> bool:
        output = self.tools.run(task.tool, task.argument)
        if output == task.expected:
            self.library.add(Skill(task.name, task.description, task.tool, task.argument))
            log_event(_log, "voyager.learned", skill=task.name)
            return True
        self.failures[task.name] = output
        return False

    def explore(self, budget: int = 10) -> int:
        learned = 0
        for _ in range(budget):
            task = self.next_task()
            if task is None:
                break
            learned += self.attempt(task)
        return learned
