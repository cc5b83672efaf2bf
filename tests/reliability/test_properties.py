"""Property-based round trip: random repos, random valid plans, nothing lost.

For every drawn repo and plan: every module still imports, every module's value is the
same before and after, the import graph is the old one mapped through the plan, `diff`
predicted exactly what `apply` wrote, and a second `apply` changes nothing (see
harness.round_trip). A failure prints the shrunk example as a ready-to-paste regression
test (gen.describe) for test_regressions.py.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from . import gen
from .conftest import PROFILE
from .harness import round_trip


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """One directory reused by every example (cheaper than a fresh tmp_path each)."""
    path = Path(tempfile.mkdtemp(prefix="pyagent-props-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@settings(settings.get_profile(PROFILE))
@given(case=gen.cases(), git=st.integers(0, 5))
def test_apply_preserves_behaviour(scratch: Path, case: tuple[gen.RepoSpec, gen.PlanSpec],
                                   git: int) -> None:
    spec, plan = case
    note(gen.describe(spec, plan))
    round_trip(scratch / "example", spec.files(), plan.moves, facades=plan.facades,
               tops=spec.tops, git=git == 0, may_refuse=plan.hazard is not None,
               refusal=plan.refusal, source_root=spec.source_root)
