import json
import subprocess
import sys
from pathlib import Path

from src.infrastructure.api.cli import main

SAMPLE_ROOT = Path(__file__).resolve().parent.parent


def test_info_and_help_return_zero(capsys):
    assert main(["info"]) == 0
    assert "pyagent 0.1.0" in capsys.readouterr().out
    assert main(["--help"]) == 0
    assert "generate" in capsys.readouterr().out
    assert main(["no-such-command"]) == 2


def test_generate_json(capsys):
    assert main(["generate", "hello world", "--max-tokens", "3", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["usage"]["completion_tokens"] == 3
    assert body["id"].startswith("cmpl-")


def test_agent_and_plugins_commands(capsys):
    assert main(["agent", "upper", "quiet please"]) == 0
    assert "QUIET PLEASE" in capsys.readouterr().out
    assert main(["plugins"]) == 0
    assert "tokenizer.bpe" in capsys.readouterr().out.split()


def test_module_runs_as_script():
    proc = subprocess.run(
        [sys.executable, "-m", "src.infrastructure.api.cli", "agent", "echo", "hi"],
        cwd=SAMPLE_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "hi"
    assert "RuntimeWarning" not in proc.stderr
