"""Hypothesis profiles for the reliability suites, and the counts they report.

`ci` (the default) runs a fixed, derandomised set of examples so that CI is
reproducible; `nightly` draws fresh examples, many more of them. Select one with
PYAGENT_WORKBENCH_HYPOTHESIS_PROFILE=nightly (see README.md here).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from . import stats

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                              HealthCheck.filter_too_much,
                              HealthCheck.function_scoped_fixture],
    "print_blob": True,
}
settings.register_profile("ci", max_examples=300, derandomize=True, **_COMMON)
settings.register_profile("nightly", max_examples=3000, **_COMMON)
settings.register_profile("dev", max_examples=20, **_COMMON)
PROFILE = os.environ.get("PYAGENT_WORKBENCH_HYPOTHESIS_PROFILE", "ci")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if stats.COUNTS:
        terminalreporter.section("reliability counts")
        for what, count in sorted(stats.COUNTS.items()):
            terminalreporter.write_line(f"{what}: {count}")
