"""Agent tools."""

from .builtin_tools import CalculatorTool, ShellTool, safe_eval
from .tool_registry import DEFAULT_TOOL_SPECS, ToolRegistry

__all__ = ["DEFAULT_TOOL_SPECS", "CalculatorTool", "ShellTool", "ToolRegistry", "safe_eval"]
