"""Registry of tools available to agents."""

from __future__ import annotations

from typing import Any

from src.core.base import base_interfaces, module_loader  # Tool protocol + lazy loading by dotted path

DEFAULT_TOOL_SPECS: dict[str, str] = {
    "calculator": "src.infrastructure.tools.builtin_tools:CalculatorTool",
    "shell": "src.infrastructure.tools.builtin_tools.ShellTool",
    "search": "src.infrastructure.rag.retriever:RetrieverTool",
}


class ToolRegistry:
    def __init__(self, specs: dict[str, str] | None = None) -> None:
        self._specs = dict(DEFAULT_TOOL_SPECS if specs is None else specs)
        self._tools: dict[str, base_interfaces.Tool] = {}
        self.calls: list[tuple[str, str]] = []

    def register(self, tool: Any) -> None:
        if not isinstance(tool, base_interfaces.Tool):
            raise TypeError(f"{tool!r} does not implement the Tool protocol")
        self._tools[tool.name] = tool

    def get(self, name: str) -> base_interfaces.Tool:
        if name not in self._tools:
            if name not in self._specs:
                raise KeyError(f"unknown tool {name!r}")
            self.register(module_loader.load_object(self._specs[name])())
        return self._tools[name]

    def run(self, name: str, argument: str) -> str:
        self.calls.append((name, argument))
        return self.get(name).run(argument)

    def names(self) -> list[str]:
        return sorted(set(self._specs) | set(self._tools))

    def describe(self) -> str:
        return "\n".join(f"{name}: {self.get(name).description}" for name in self.names())
