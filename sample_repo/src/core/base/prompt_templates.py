"""String templates for agent prompts (``$variable`` placeholders)."""

from __future__ import annotations

import string
from dataclasses import dataclass

from .base_exceptions import ConfigurationError


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    text: str

    @property
    def variables(self) -> set[str]:
        found = set()
        for _, named, braced, _ in string.Template.pattern.findall(self.text):
            if named or braced:
                found.add(named or braced)
        return found

    def render(self, **values: object) -> str:
        missing = self.variables - set(values)
        if missing:
            raise ConfigurationError(f"template {self.name!r} missing {sorted(missing)}")
        return string.Template(self.text).substitute(**values)


BUILTIN_TEMPLATES: dict[str, PromptTemplate] = {
    "system": PromptTemplate("system", "You are $agent, a helpful agent."),
    "task": PromptTemplate("task", "Task: $task\nAnswer:"),
    "summarise": PromptTemplate("summarise", "Summarise in $words words: $text"),
}


def get_template(name: str) -> PromptTemplate:
    try:
        return BUILTIN_TEMPLATES[name]
    except KeyError:
        raise ConfigurationError(f"unknown template {name!r}") from None
