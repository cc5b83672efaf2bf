"""Hypothesis profiles for the reliability suites (the counts they report are printed by
tests/conftest.py, which pytest-xdist's controller loads too).

`ci` (the default) runs a fixed, derandomised set of examples so that CI is
reproducible; `nightly` draws fresh examples, many more of them. Select one with
PYAGENT_WORKBENCH_HYPOTHESIS_PROFILE=nightly (see README.md here).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
