"""The project's own standing checks run with the suite: lint (with mccabe complexity at
most 15 in app/), types, and the architecture contracts (layers, the core never imports
Textual, no import cycle between the modules of any package)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("command", [
    [str(BIN / "ruff"), "check", "app", "tests", "benchmarks"],
    [str(BIN / "mypy")],
    [str(BIN / "lint-imports"), "--no-cache"],
], ids=["ruff", "mypy", "import-linter"])
def test_standing_check(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
