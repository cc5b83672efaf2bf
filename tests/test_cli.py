"""The command line: help for every command (with an example), the version, and
errors as one line."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pyagent_workbench import __version__
from pyagent_workbench.cli import _COMMANDS
from support.cli import run


def test_version() -> None:
    result = run("--version")
    assert result.code == 0
    assert result.out.strip() == f"pyagent-workbench {__version__}"


def test_top_level_help_lists_every_command() -> None:
    result = run("--help")
    assert result.code == 0
    for command in _COMMANDS:
        assert f"    {command}" in result.out
    assert "pyagent-workbench [PATH] [--plan PLAN]" in result.out
    assert "examples:" in result.out


@pytest.mark.parametrize("command", _COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.code == 0, result.err
    assert f"usage: pyagent-workbench {command}" in result.out
    assert "example:" in result.out
    assert "pyagent-workbench " in result.out.split("example:")[1]


def test_console_script_and_module_agree() -> None:
    script = subprocess.run([sys.executable, "-m", "pyagent_workbench", "--version"],
                            capture_output=True, text=True, check=False)
    assert script.returncode == 0 and __version__ in script.stdout


def test_unknown_option_is_a_usage_error_not_a_traceback() -> None:
    result = run("diff", "--no-such-option")
    assert result.code == 2
    assert "Traceback" not in result.err


def test_missing_plan_file_is_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run("diff", tmp_path / "nope.toml")
    assert result.code == 2
    assert result.err.strip() == f"error: {tmp_path / 'nope.toml'}: plan file not found"
