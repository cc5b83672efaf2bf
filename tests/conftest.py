from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest
import pytest_textual_snapshot
from reliability import stats

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"


def _snapshot_dirname(cls: type, *, test_location: object) -> str:
    """Keep the TUI snapshots in the top-level snapshots/ folder."""
    return str(SNAPSHOTS / test_location.basename)  # type: ignore[attr-defined]


pytest_textual_snapshot.SVGImageExtension.dirname = classmethod(_snapshot_dirname)  # type: ignore[method-assign,assignment]


# -- the reliability suites' counts, added up over pytest-xdist's workers -------------------


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker: hand the worker's counts to the controller, which prints
    them (`pytest_testnodedown`); each worker counts only the tests it ran."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["reliability_counts"] = dict(stats.COUNTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """In the controller: add up what a worker counted (its `workeroutput`)."""
    counted = getattr(node, "workeroutput", {}).get("reliability_counts", {})
    for what, count in counted.items():
        stats.bump(what, count)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if stats.COUNTS:
        terminalreporter.section("reliability counts")
        for what, count in sorted(stats.COUNTS.items()):
            terminalreporter.write_line(f"{what}: {count}")
