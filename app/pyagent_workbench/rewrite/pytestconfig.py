"""Does the repo's pytest configuration turn warnings into errors? Facades warn."""

from __future__ import annotations

import re
from pathlib import Path

from pyagent_workbench import safefiles


def _is_error_filter(value: str) -> bool:
    """`error`, `error::DeprecationWarning`, `error:msg:Warning`... (pytest's -W syntax:
    action:message:category:module:lineno)."""
    parts = value.strip().split(":")
    if parts[0].strip() != "error":
        return False
    category = parts[2].strip() if len(parts) > 2 else ""
    return category.rsplit(".", 1)[-1] in ("", "Warning", "DeprecationWarning")


def warnings_are_errors(root: Path) -> str | None:
    """The config file (and key) that makes DeprecationWarning an error, if any."""
    tool = safefiles.read_toml(root / "pyproject.toml").get("tool")
    pytest_table = tool.get("pytest") if isinstance(tool, dict) else None
    options = pytest_table.get("ini_options") if isinstance(pytest_table, dict) else None
    if isinstance(options, dict):
        found = _check(options.get("filterwarnings", []), options.get("addopts", ""))
        if found:
            return f"pyproject.toml [tool.pytest.ini_options] {found}"
    for name, section in (("pytest.ini", "pytest"), ("tox.ini", "pytest"),
                          ("setup.cfg", "tool:pytest")):
        parser = safefiles.read_ini(root / name)
        if parser is None or not parser.has_section(section):
            continue
        filters = parser.get(section, "filterwarnings", fallback="").splitlines()
        found = _check(filters, parser.get(section, "addopts", fallback=""))
        if found:
            return f"{name} [{section}] {found}"
    return None


def _check(filters: object, addopts: object) -> str | None:
    items = [filters] if isinstance(filters, str) else list(filters or [])  # type: ignore[call-overload]
    for item in items:
        if isinstance(item, str) and _is_error_filter(item):
            return f'filterwarnings "{item.strip()}"'
    opts = " ".join(addopts) if isinstance(addopts, list) else str(addopts or "")
    if re.search(r"(^|\s)-W\s*error\b|-Werror|(^|\s)-W\s*error::DeprecationWarning", opts):
        return f'addopts "{opts.strip()}"'
    return None
