"""Command-line entry point (``pyagent`` console script).

    python -m src.infrastructure.api.cli generate "hello world" --max-tokens 8
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from src.core.base import AgentCore
from src.core.base.version import __version__
from src.infrastructure.api.handlers import ApiHandlers
from src.infrastructure.plugins import (
    available,  # every known plugin name
    load_all,  # imports builtin + entry-point plugins
)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pyagent", description="PyAgent miniature runtime")
    parser.add_argument("--version", action="version", version=f"pyagent {__version__}")
    sub = parser.add_subparsers(dest="command")
    gen = sub.add_parser("generate", help="generate a completion")
    gen.add_argument("prompt")
    gen.add_argument("--max-tokens", type=int, default=8)
    gen.add_argument("--sampler", choices=["greedy", "top_k", "top_p"], default="greedy")
    gen.add_argument("--seed", type=int, default=None)
    gen.add_argument("--json", action="store_true", help="print the full JSON response")
    agent = sub.add_parser("agent", help="send a message to an agent")
    agent.add_argument("name")
    agent.add_argument("message")
    plugins = sub.add_parser("plugins", help="list plugins")
    plugins.add_argument("--load", action="store_true", help="import every plugin")
    sub.add_parser("info", help="print version information")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help / --version / usage errors
        return int(exc.code or 0)
    command = args.command or "info"
    if command == "info":
        print(f"pyagent {__version__} (python {sys.version.split()[0]})")
        return 0
    if command == "generate":
        payload = {"prompt": args.prompt, "max_tokens": args.max_tokens, "sampler": args.sampler, "seed": args.seed}
        status, body = ApiHandlers().handle_completion(payload)
        print(json.dumps(body, indent=2) if args.json else body.get("text", body.get("error")))
        return 0 if status == 200 else 1
    if command == "agent":
        core = AgentCore()
        try:
            print(core.dispatch(args.name, args.message))
        finally:
            core.shutdown()
        return 0
    if command == "plugins":
        if args.load:
            loaded, errors = load_all()
            for name in sorted(loaded):
                print(f"{name}: ok")
            for name, error in sorted(errors.items()):
                print(f"{name}: FAILED {error}")
            return 1 if errors else 0
        print("\n".join(available()))
        return 0
    parser.error(f"unknown command {command}")  # pragma: no cover
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
