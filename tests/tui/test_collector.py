"""Full garbage collections wait for a pause in the input (tui/collector.py)."""

from __future__ import annotations

import gc
import time
from pathlib import Path

from pyagent_workbench.tui.collector import FORCED_AFTER, OUT_OF_REACH, IdleCollector
from support.repos import copy_sample

from tui.harness import make_app, ready


class Cycle:
    """An object only the cyclic collector can free."""

    def __init__(self) -> None:
        self.me = self


def pile_up(collector: IdleCollector, due_times: float) -> None:
    """Make a full collection due `due_times` over (young collections counted)."""
    gc.collect()
    for _ in range(int(collector._due * due_times) + 1):
        gc.collect(1)


def test_a_due_collection_waits_for_a_pause_in_the_input() -> None:
    before = gc.get_threshold()
    collector = IdleCollector(idle=0.2)
    collector.start()
    try:
        assert gc.get_threshold() == (before[0], before[1], OUT_OF_REACH)
        pile_up(collector, 1)
        collector.touched()
        assert not collector.tick()  # due, but a key just came
        collector.last_input = time.monotonic() - 0.3
        assert collector.tick()
        assert gc.get_count()[2] == 0
        assert not collector.tick()  # nothing due any more
        pile_up(collector, FORCED_AFTER)
        collector.touched()
        assert collector.tick()  # long overdue: even in a burst of keys
        assert collector.collections == 2
    finally:
        collector.stop()
    assert gc.get_threshold() == before


def test_what_loading_built_is_frozen_and_given_back() -> None:
    collector = IdleCollector()
    collector.start()
    try:
        kept = [Cycle() for _ in range(100)]
        collector.settled()
        assert gc.get_freeze_count() >= 100
        collector.release()
        assert gc.get_freeze_count() == 0
        collector.settled()
        del kept
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0
    before = sum(isinstance(o, Cycle) for o in gc.get_objects())
    gc.collect()
    assert sum(isinstance(o, Cycle) for o in gc.get_objects()) == 0 < before


def test_a_collector_not_started_changes_nothing() -> None:
    collector = IdleCollector()
    pile_up(collector, 2)
    collector.last_input = 0.0
    assert not collector.tick()
    collector.settled()
    assert gc.get_freeze_count() == 0


async def test_the_workbench_holds_the_policy_only_while_it_runs(tmp_path: Path) -> None:
    before = gc.get_threshold()
    app = make_app(copy_sample(tmp_path / "sample"))
    async with app.run_test() as pilot:
        await ready(pilot)
        assert gc.get_threshold()[2] == OUT_OF_REACH
        assert gc.get_freeze_count() > 0  # the session, out of the collector's walk
        stamp = app.collector.last_input
        await pilot.press("down")
        assert app.collector.last_input > stamp
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
