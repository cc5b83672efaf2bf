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
    """Serve the workbench on loopback to this machine's browser only: the URL it prints
    carries the run's token (see `serving`)."""
    from pyagent_workbench.tui.serving import LoopbackServer

    if not args.path.is_dir():
        raise WorkbenchError(f"not a directory: {args.path}")
    command = [sys.executable, "-m", "pyagent_workbench", str(args.path.resolve())]
    if args.plan is not None:
        command += ["--plan", str(args.plan.resolve())]
    server = LoopbackServer(shlex.join(command), port=args.port, title="pyagent-workbench")
    try:
        server.serve()
    except OSError as error:
        raise WorkbenchError(f"cannot listen on {server.host}:{args.port}: "
                             f"{error.strerror or error}") from error
    return 0
