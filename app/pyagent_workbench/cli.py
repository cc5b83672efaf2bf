"""The command line: a thin shell over the use cases the TUI calls too.

Every command prints errors as one line (`error: WHERE: WHAT`) and exits 2; no
traceback reaches the user unless PYAGENT_WORKBENCH_DEBUG=1 asks for it.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from pyagent_workbench import __version__
from pyagent_workbench.display import printable
from pyagent_workbench.errors import WorkbenchError

PROG = "pyagent-workbench"

_DESCRIPTION = """\
Restructure a large Python codebase into tiers without breaking it.

Open the workbench (a terminal UI) on a repo, or use the commands below from a
shell or CI. The plan (TOML) is what they share: `suggest` writes one, the
workbench edits and approves it, `diff` previews it, `apply` carries it out.
"""

_EPILOG = """\
examples:
  pyagent-workbench .                                 open the workbench here
  pyagent-workbench sample_repo --plan sample_repo/phase1.toml
  pyagent-workbench suggest . -o pyagent-plan.toml    draft a plan from the import graph
  pyagent-workbench diff pyagent-plan.toml            what apply would change
  pyagent-workbench apply pyagent-plan.toml           do it (approved plans only)
  pyagent-workbench check pyagent-plan.toml           CI: fail on a new cross-tier import

Run `pyagent-workbench COMMAND --help` for a command's options.
"""

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """An argument error is one line, like every other error of the tool (argparse's
    own prints the whole usage first, burying the error)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, printable(f"error: {self.prog}: {message} (see `{self.prog} --help`)")
                  + "\n")


def _number_in(kind: type[int] | type[float], low: float, high: float,
               what: str) -> Callable[[str], float]:
    """An argument type: a finite number of `kind` from `low` to `high` (inclusive)."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what}, not {text!r}") from None
        if not (low <= value <= high):  # NaN fails every comparison
            raise argparse.ArgumentTypeError(f"{what}, not {text}")
        return value

    return parse


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _command(
    subparsers: argparse._SubParsersAction,  # type: ignore[type-arg]
    name: str,
    summary: str,
    details: str,
    example: str,
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=summary,
        description=f"{summary}\n\n{textwrap.dedent(details).strip()}",
        epilog="example:\n" + textwrap.indent(textwrap.dedent(example).strip(), "  "),
        formatter_class=_formatter,
    )
    return parser


def _plan_and_repo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", metavar="PLAN", type=Path, help="the plan file (TOML)")
    parser.add_argument(
        "--repo", metavar="PATH", type=Path, default=None,
        help="the repository the plan is for (default: the plan's directory)",
    )


def _selection(parser: argparse.ArgumentParser, verb: str) -> None:
    """--tier, --moves and --batch: the part of the plan a command takes."""
    part = parser.add_argument_group(
        "part of the plan", f"{verb} only these moves (together: all they name); the moves "
        "that have landed already are left out")
    part.add_argument("--tier", metavar="NAME", action="append", default=[],
                      help="the moves into this tier (repeatable)")
    part.add_argument("--moves", metavar="SOURCES", action="append", default=[],
                      help="the moves of these sources, comma-separated (repeatable)")
    part.add_argument("--batch", metavar="N", default=None,
                      type=_number_in(int, 1, 10_000, "a batch number from 1 to 10000"),
                      help="the moves of batch N (see `batches`)")
    part.add_argument("--max-files", metavar="N", default=None,
                      type=_number_in(int, 1, 1_000_000, "a whole number from 1"),
                      help="with --batch, when the plan records no batches yet: the "
                           "budget they are planned with (as `batches --max-files`)")


def _max_files(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-files", metavar="N", default=None,
                        type=_number_in(int, 1, 1_000_000, "a whole number from 1"),
                        help="a batch's budget of files touched (default 50)")


def build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The command parser, and the parser for the default action (open the workbench)."""
    parser = _Parser(
        prog=PROG, description=_DESCRIPTION, epilog=_EPILOG, formatter_class=_formatter,
        usage=f"{PROG} [PATH] [--plan PLAN] [--empty]\n       {PROG} COMMAND [options]",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", prog=PROG)

    open_parser = _Parser(
        prog=PROG, description=_DESCRIPTION, epilog=_EPILOG, formatter_class=_formatter,
    )
    open_parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    open_parser.add_argument("path", metavar="PATH", nargs="?", type=Path, default=Path("."),
                             help="the repository to open (default: .)")
    open_parser.add_argument(
        "--plan", metavar="PLAN", type=Path, default=None,
        help="plan to open (default: pyagent-plan.toml in the repo if present, else the "
             "autosaved draft, else a suggestion)",
    )
    open_parser.add_argument("--empty", action="store_true",
                             help="start from an empty plan instead of a suggestion")

    p = _command(
        subparsers, "open", "Open the workbench (the default command).",
        """
        Builds the import graph (with a progress bar), then shows the board: the units
        of the repo, one column per tier, the cross-tier edges to review, the diff of
        every move. Your draft is saved automatically under .pyagent-workbench/.
        """,
        "pyagent-workbench open sample_repo --plan sample_repo/phase1.toml",
    )
    for action in open_parser._actions:
        if action.dest not in ("help", "version"):
            p._add_action(action)

    p = _command(
        subparsers, "suggest", "Suggest tiers from the import graph and write a draft plan.",
        """
        Chooses the containers (the few packages most worth restructuring: crowded,
        flat, their children importing each other; --container names them instead),
        clusters their units (the children) into 3 to 8 tiers each with seeded,
        deterministic community detection (--tiers sets the count), orders the tiers
        from foundation to top by their dependency direction and names them from the
        words their members share. Prints the containers left as they are, the
        quality figures (cross-tier edges, upward edges, tier cycles, modularity,
        TurboMQ; with --compare, MoJoFM and adjusted Rand index against another plan)
        and records them in the plan's [suggestion] table.
        """,
        """
        pyagent-workbench suggest sample_repo --tiers 5 -o draft.toml \\
            --compare sample_repo/phase1.toml
        """,
    )
    p.add_argument("path", metavar="PATH", nargs="?", type=Path, default=Path("."),
                   help="the repository (default: .)")
    p.add_argument("-o", "--output", metavar="PLAN", type=Path, default=None,
                   help="write the draft plan here (default: print the figures only)")
    p.add_argument("--tiers", metavar="N", default=None,
                   type=_number_in(int, 1, 1000, "a whole number from 1 to 1000"),
                   help="target number of tiers per container")
    p.add_argument("--resolution", metavar="R", default=None,
                   type=_number_in(float, 1e-6, 1000, "a number above 0, at most 1000"),
                   help="cluster the import graph alone, by Louvain at this resolution "
                        "(default: spectral clustering of the imports and the words of "
                        "the code)")
    p.add_argument("--seed", metavar="S", default=0,
                   type=_number_in(int, 0, 2**32 - 1, "a whole number from 0 to 2**32-1"),
                   help="random seed of the Louvain runs and of tier splits (default 0)")
    p.add_argument("--compare", metavar="PLAN", type=Path, default=None,
                   help="report MoJoFM and adjusted Rand index against this plan's grouping")
    p.add_argument("--container", metavar="PKG", action="append", default=None,
                   help="package whose children are the units (repeatable; default: "
                        "detected)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")

    p = _command(
        subparsers, "edges", "List every cross-tier import edge of a plan.",
        """
        One line per import statement that crosses tiers once the plan is applied:
        importer, imported, file:line, the import line, the tiers, the direction (down,
        up, sideways), tier-cycle membership and the reviewer's verdict. Tier cycles
        are listed with proposed cycle breakers. --json prints the documented schema
        (see README, "edges --json").
        """,
        "pyagent-workbench edges sample_repo/phase1.toml --json > edges.json",
    )
    _plan_and_repo(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = _command(
        subparsers, "check", "CI gate: fail on cross-tier imports the plan has not accepted.",
        """
        Exit 1 listing each cross-tier import edge that has no "accepted" review in the
        plan (a ratchet: accepted edges may disappear, new ones fail); exit 0 otherwise.
        While a plan lands in batches, also lists the code still using old paths through
        the facades (counted per module, with file:line; `apply` on the landed moves
        rewrites it). --baseline FILE holds CI to counts instead: it fails only when the
        cross-tier imports not accepted, or the uses of an old path, grow past FILE's
        (written when missing, tightened when they shrink).
        --format import-linter prints an equivalent import-linter `layers` contract.
        """,
        """
        pyagent-workbench check pyagent-plan.toml --repo .
        pyagent-workbench check pyagent-plan.toml --baseline migration-baseline.json
        """,
    )
    _plan_and_repo(p)
    p.add_argument("--format", choices=("text", "json", "import-linter"), default="text",
                   help="output format (default: text)")
    p.add_argument("--baseline", metavar="FILE", type=Path, default=None,
                   help="fail only when counts grow past this file's (JSON)")

    p = _command(
        subparsers, "diff", "Show every change apply would make, writing nothing.",
        """
        Git-style rename headers for moved files, a unified diff of every rewritten
        file, the facades to be created, dotted names in longer text to review by hand,
        and a summary.
        """,
        "pyagent-workbench diff sample_repo/phase1.toml --stat",
    )
    _plan_and_repo(p)
    p.add_argument("--stat", action="store_true", help="only the summary and file list")
    p.add_argument("--json", action="store_true", help="the summary as JSON (with --stat)")
    p.add_argument("--no-facades", action="store_true", help="preview without facades")
    _selection(p, "show")

    p = _command(
        subparsers, "apply", "Carry out an approved plan, all or nothing.",
        """
        Moves files (history-preserving in git), rewrites every import and dotted-path
        string, writes facades at old paths (unless --no-facades), then verifies. Every
        write goes through a journal under .pyagent-workbench/: a failure rolls back to
        the exact previous bytes, and `recover` finishes the job after a crash. In a repo
        that uses pytest (a pytest configuration, or a conftest.py at the root or in
        tests/), verify also collects the tests (`pytest --collect-only`) before and
        after, and reports each test that no longer collects (--no-collect skips it).
        Everything the apply changed is staged; --commit commits it in two commits, the
        moves and rewrites (git sees renames), then the facades.
        """,
        """
        pyagent-workbench apply pyagent-plan.toml --run-tests "python -m pytest -q"
        pyagent-workbench apply pyagent-plan.toml --commit
        """,
    )
    _plan_and_repo(p)
    p.add_argument("--no-facades", action="store_true", help="do not leave facades")
    p.add_argument("--allow-dirty", action="store_true",
                   help="apply even if the git work tree has uncommitted changes")
    p.add_argument("--no-verify", action="store_true", help="skip the verify step")
    p.add_argument("--no-collect", action="store_true",
                   help="verify without collecting the tests with pytest")
    p.add_argument("--run-tests", metavar="CMD", default=None,
                   help="run CMD before and after; roll back if a test that passed fails")
    p.add_argument("--commit", action="store_true",
                   help="commit the moves and rewrites, then the facades (not when verify "
                        "finds a problem)")
    p.add_argument("--force", action="store_true",
                   help="apply a plan still in draft, or approved with unreviewed edges")
    _selection(p, "apply")

    p = _command(
        subparsers, "batches", "Split an approved plan into pull-request-sized batches.",
        """
        Each batch is safe on its own (every reference is rewritten, facades keep the
        old paths working): the split is for review. Batches follow the plan's tiers in
        the plan's order and never mix two; inside a tier, moves whose modules others
        import come first; with a CODEOWNERS file, a tier's moves are grouped by the
        owners of the moved files; a batch holds moves while the files they touch (moved,
        and importing what moves, from the import graph) stay within --max-files. Moves
        bound together (merged into one target, one inside another) never part.
        Batches the plan records (`--write`, or an apply of a batch) keep their number;
        the pending moves without one are split after them. `apply PLAN --batch N`
        lands one.
        """,
        """
        pyagent-workbench batches pyagent-plan.toml --max-files 40 --write
        pyagent-workbench apply pyagent-plan.toml --batch 1 --commit
        """,
    )
    _plan_and_repo(p)
    _max_files(p)
    p.add_argument("--write", action="store_true",
                   help="record the batches in the plan (each move's `batch`)")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = _command(
        subparsers, "status", "Show which moves of a plan have landed, batch by batch.",
        """
        Reads the plan's record (each move's batch, the day it landed, its commit) and
        the tree (a move has landed when its target is there and its source is gone or
        is a facade pointing at it): the tree wins where they disagree, and a landed
        move the plan records no commit for is looked up in git.
        """,
        "pyagent-workbench status pyagent-plan.toml --json",
    )
    _plan_and_repo(p)
    _max_files(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = _command(
        subparsers, "verify", "Check that an applied plan lost no import and broke no module.",
        """
        Rebuilds the import graph and compares it with the pre-apply graph mapped through
        the plan, then imports every module in a subprocess (this runs the repo's code).
        When apply collected the tests with pytest, collects them again and reports each
        test that no longer collects (its new file path when the plan moved it) and each
        new collection error (--no-collect skips it). Uses what apply recorded under
        .pyagent-workbench/. A plan that landed in parts is verified part by part, as
        each was applied (--tier, --moves or --batch).
        """,
        "pyagent-workbench verify pyagent-plan.toml",
    )
    _plan_and_repo(p)
    p.add_argument("--no-collect", action="store_true",
                   help="do not collect the tests with pytest")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    _selection(p, "verify")

    p = _command(
        subparsers, "recover", "Restore the repo after an interrupted apply.",
        """
        Restores the exact pre-apply tree from the journal left by an apply that was
        interrupted (even by kill -9). Does nothing when there is no journal.
        """,
        "pyagent-workbench recover .",
    )
    p.add_argument("path", metavar="PATH", nargs="?", type=Path, default=Path("."),
                   help="the repository (default: .)")

    p = _command(
        subparsers, "report", "Write the migration report (Markdown and an SVG matrix).",
        """
        For the pull request: the tiers with their members (old -> new paths), the figures
        today and after the plan, the tier-by-tier matrix (as a picture and a table), every
        accepted edge with its note, every must-fix edge, the diff summary, and the
        commands to apply and to check. The SVG is written beside the Markdown.
        """,
        "pyagent-workbench report sample_repo/phase1.toml -o report.md",
    )
    _plan_and_repo(p)
    p.add_argument("-o", "--output", metavar="FILE", type=Path, default=None,
                   help="where to write the report (default: PLAN-report.md beside the plan)")
    p.add_argument("--no-diff", action="store_true",
                   help="leave out the diff summary (it runs the apply engine's preview)")

    p = _command(
        subparsers, "facades", "List the facades still in use, or remove the unused ones.",
        """
        Finds every facade pyagent-workbench left at an old path, and who still uses it:
        imports, whole-string dotted references (mock.patch, import_module, registries),
        any mention in scripts and configuration (Makefile, Dockerfile, CI, YAML, TOML,
        INI), code shown in documents, and `python -m old.path` anywhere. Comments and
        prose do not count. --remove deletes the unused facades that are still exactly
        what the tool wrote (an edited one is kept), refuses a git tree with uncommitted
        changes, and goes through the journal (`recover` undoes an interrupted one), so
        Phase I can finish.
        """,
        "pyagent-workbench facades pyagent-plan.toml --list",
    )
    _plan_and_repo(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--list", action="store_true", help="list facades and their users")
    what.add_argument("--remove", action="store_true", help="remove the unused facades")
    p.add_argument("--json", action="store_true", help="machine-readable output (--list)")
    part = p.add_argument_group("part of the plan", "only the facades of these moves")
    part.add_argument("--tier", metavar="NAME", action="append", default=[],
                      help="the facades of the moves into this tier (repeatable)")
    part.add_argument("--batch", metavar="N", default=None,
                      type=_number_in(int, 1, 10_000, "a batch number from 1 to 10000"),
                      help="the facades of the moves of batch N")

    p = _command(
        subparsers, "serve",
        "Run the workbench in a browser on this machine only (textual-serve, loopback, a "
        "per-run token).",
        """
        Serves the same workbench to a browser on this machine. It listens on 127.0.0.1
        only, answers only requests addressed to 127.0.0.1 or localhost, refuses WebSockets
        from any other page's origin, and prints a URL with a token made for this run:
        open that URL (the page keeps the token in a cookie). It uploads nothing anywhere.
        Exporting a plan or a report in the browser downloads the file.
        """,
        "pyagent-workbench serve sample_repo --port 8000",
    )
    p.add_argument("path", metavar="PATH", nargs="?", type=Path, default=Path("."),
                   help="the repository (default: .)")
    p.add_argument("--plan", metavar="PLAN", type=Path, default=None, help="plan to open")
    p.add_argument("--port", metavar="N", default=8000, help="port (default 8000)",
                   type=_number_in(int, 1, 65535, "a port number from 1 to 65535"))

    return parser, open_parser


_COMMANDS = ("open", "suggest", "edges", "check", "diff", "apply", "batches", "status",
             "verify", "recover", "report", "facades", "serve")
_REWRITING = ("diff", "apply")
"""The commands that rewrite files in worker processes (`rewrite.workers`)."""


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, open_parser = build_parser()
    first = next((a for a in args_list if not a.startswith("-")), None)
    wants_top_help = not args_list or args_list[0] in ("-h", "--help", "--version")
    if first in _COMMANDS or (wants_top_help and args_list):
        args = parser.parse_args(args_list)
    else:
        args = open_parser.parse_args(args_list)
        args.command = "open"
    if args.command in _REWRITING:
        # Its workers' imports (libcst: a quarter of a second) beside this process's own.
        from pyagent_workbench.rewrite.workers import start_fork_server

        start_fork_server()
    handler = _handler(args.command or "open")
    try:
        return handler(args)
    except WorkbenchError as error:
        for line in str(error).splitlines() or [type(error).__name__]:
            print(printable(f"error: {line}"), file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`... | head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:  # the user must never see a traceback
        if os.environ.get("PYAGENT_WORKBENCH_DEBUG"):
            raise
        print(
            f"internal error: {type(error).__name__}: {error} (this is a bug in {PROG}; "
            f"run again with PYAGENT_WORKBENCH_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 70


def _handler(command: str) -> Handler:
    if command in ("open", "serve"):  # the UI: Textual is imported there, never here
        from pyagent_workbench.tui import launch

        return getattr(launch, f"run_{command}")  # type: ignore[no-any-return]
    from pyagent_workbench import commands

    return getattr(commands, f"run_{command}")  # type: ignore[no-any-return]
