"""The figures of the plan being edited, always in view."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Static


class MetricsBar(Static):
    DEFAULT_CSS = """
    MetricsBar {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    figures: dict[str, Any] | None = None

    def show(self, figures: dict[str, Any]) -> None:
        self.figures = figures
        self._render_figures()

    def on_resize(self) -> None:
        if self.figures is not None:
            self._render_figures()

    def _render_figures(self) -> None:
        figures = self.figures
        assert figures is not None
        narrow = 0 < self.size.width < 100

        def item(label: str, short: str, value: object, bad: bool = False) -> tuple[str, str]:
            return (f"{short if narrow else label} {value}",
                    "bold $text-error" if bad else "bold")

        reviewed, total = figures["edges_reviewed"], figures["edges_total"]
        parts = [
            item("cross-tier", "x-tier", figures["cross_tier_edges"]),
            item("upward", "up", figures["upward_edges"], figures["upward_edges"] > 0),
            item("cycles", "cyc", figures["tier_cycles"], figures["tier_cycles"] > 0),
            item("Q", "Q", f"{figures['modularity']:.3f}"),
            item("MQ", "MQ", f"{figures['turbomq']:.2f}"),
            item("files", "files", figures["files_touched"]),
            item("reviewed", "rev", f"{reviewed}/{total}", reviewed < total),
        ]
        separator = "│" if narrow else " │ "
        pieces: list[tuple[str, str] | str] = []
        for index, part in enumerate(parts):
            if index:
                pieces.append((separator, "$text-muted"))
            pieces.append(part)
        self.update(Content.assemble(*pieces))
        self.tooltip = (
            "cross-tier: import edges (module pairs) between tiers · upward: against the "
            "layer order · cycles: groups of tiers importing each other · Q: modularity · "
            "MQ: TurboMQ · files: files the plan moves or rewrites · reviewed: edges with a "
            "verdict"
        )
