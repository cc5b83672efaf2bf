"""The UI's entry points for the command line: the workbench in a terminal, and the
same workbench served to a browser (the CLI parses the arguments, this runs them)."""

from __future__ import annotations

import argparse
import shlex
import sys

from pyagent_workbench.errors import WorkbenchError


def run_open(args: argparse.Namespace) -> int:
    """Open the workbench (the Textual UI) on a repo."""
    if not args.path.is_dir():
        raise WorkbenchError(f"not a directory: {args.path}")
    if args.plan is not None and not args.plan.is_file():
        raise WorkbenchError(f"plan file not found: {args.plan}")
    from pyagent_workbench.tui.app import WorkbenchApp

    app = WorkbenchApp(args.path, plan=args.plan, empty=args.empty)
    app.run()
    return app.return_code or 0


def run_serve(args: argparse.Namespace) -> int:
    """Serve the workbench on loopback with textual-serve."""
    from textual_serve.server import Server

    if not args.path.is_dir():
        raise WorkbenchError(f"not a directory: {args.path}")
    command = [sys.executable, "-m", "pyagent_workbench", str(args.path.resolve())]
    if args.plan is not None:
        command += ["--plan", str(args.plan.resolve())]
    server = Server(shlex.join(command), host="127.0.0.1", port=args.port,
                    title="pyagent-workbench")
    print(f"serving the workbench on http://127.0.0.1:{args.port} (ctrl+c stops it)",
          file=sys.stderr)
    server.serve()
    return 0
