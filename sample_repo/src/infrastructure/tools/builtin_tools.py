"""Builtin agent tools."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from src.core.base.shell_executor import ShellExecutor
from src.infrastructure.plugins.registry import register

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def safe_eval(expression: str) -> float:
    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            if isinstance(node.op, ast.Pow) and abs(walk(node.right)) > 64:
                raise ValueError("exponent too large")
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](walk(node.operand))
        raise ValueError(f"unsupported expression element: {type(node).__name__}")

    return walk(ast.parse(expression, mode="eval"))


@register("tool.calculator")
class CalculatorTool:
    name = "calculator"
    description = "evaluate an arithmetic expression"

    def run(self, argument: str) -> str:
        try:
            value = safe_eval(argument)
        except (ValueError, SyntaxError, ZeroDivisionError) as exc:
            return f"error: {exc}"
        return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


class ShellTool:
    name = "shell"
    description = "run an allowed shell command"

    def __init__(self, executor: ShellExecutor | None = None) -> None:
        self.executor = executor or ShellExecutor()

    def run(self, argument: str) -> str:
        result = self.executor.run(argument)
        return result.stdout.strip() if result.ok else f"error: exit {result.returncode}"
