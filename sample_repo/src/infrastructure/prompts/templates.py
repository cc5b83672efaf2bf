"""Prompt library: the kernel's builtin templates plus infrastructure ones."""

from __future__ import annotations

from src.core.base.prompt_templates import BUILTIN_TEMPLATES, PromptTemplate

EXTRA_TEMPLATES = {
    "rag_answer": PromptTemplate(
        "rag_answer", "Use the context to answer.\nContext:\n$context\nQuestion: $question\nAnswer:"
    ),
    "tool_call": PromptTemplate("tool_call", "Call $tool with: $argument"),
}


class PromptLibrary:
    def __init__(self) -> None:
        self._templates: dict[str, PromptTemplate] = {**BUILTIN_TEMPLATES, **EXTRA_TEMPLATES}

    def add(self, name: str, text: str) -> PromptTemplate:
        if name in self._templates:
            raise KeyError(f"template {name!r} exists")
        self._templates[name] = PromptTemplate(name, text)
        return self._templates[name]

    def render(self, name: str, **values: object) -> str:
        try:
            template = self._templates[name]
        except KeyError:
            raise KeyError(f"unknown template {name!r}") from None
        return template.render(**values)

    def names(self) -> list[str]:
        return sorted(self._templates)


default_library = PromptLibrary()
