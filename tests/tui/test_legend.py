"""The legend: one key away, and it explains every mark the workbench draws."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyagent_workbench.tui.screens.help import LEGEND, LegendScreen
from pyagent_workbench.tui.widgets.diff_view import KIND_MARK
from pyagent_workbench.tui.widgets.edges import DIRECTION_MARK
from support.repos import copy_sample

from tui.harness import make_app, ready, wait_for_screen


def terms(section: str) -> str:
    return " ".join(term for title, lines in LEGEND if title == section
                    for term, _what in lines)


def test_the_legend_names_every_diff_code_and_direction_mark() -> None:
    assert all(mark in terms("Diff").split() for mark in KIND_MARK.values())
    assert all(mark in terms("Review").split() for mark in DIRECTION_MARK.values())


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "sample")


async def test_ctrl_l_toggles_the_legend(sample: Path) -> None:
    app = make_app(sample, sample / "phase1.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+l")
        legend = await wait_for_screen(pilot, LegendScreen)
        assert [str(label.render()) for label in legend.query(".keys-section")] == [
            title for title, _lines in LEGEND]
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not isinstance(app.screen, LegendScreen)
