"""The migration report: Markdown (and an SVG tier matrix) a reviewer reads in a pull
request without opening the workbench.

Names (modules, tiers, files, the plan, the repository) and review notes come from the
repository and the plan, and are shown as written: a name as a code span, a note with
its Markdown punctuation escaped, so that neither becomes HTML, a link, an image, a
heading or a new table cell; control characters and bidirectional overrides escaped
(`\\x1b`), as on the command line; in the SVG, every text escaped for XML.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from pyagent_workbench import safefiles
from pyagent_workbench.analysis.metrics import PlanMetrics
from pyagent_workbench.analysis.ordering import tier_cycles
from pyagent_workbench.analysis.planview import CrossEdge, PlanView
from pyagent_workbench.analysis.units import weights_between
from pyagent_workbench.display import printable
from pyagent_workbench.errors import OutputError
from pyagent_workbench.model import names

if TYPE_CHECKING:
    from pyagent_workbench.rewrite.engine import Summary


@dataclass
class Figures:
    cross_tier_edges: int
    upward_edges: int | None
    tier_cycles: int
    modularity: float
    turbomq: float


@dataclass(frozen=True)
class MigrationFigures:
    """A plan landing in batches (issue 17), as the report shows it."""

    landed: int
    total: int
    batches: list[tuple[int | None, str, int, str, str]]
    """(number, tiers, moves, state, commits) of each batch (number `None`: moves that
    landed outside a numbered batch, by tier or by name)."""
    old_path_uses: dict[str, int]
    burndown: list[tuple[str, str, int, int]]
    """(commit, subject, moves landed, lines naming one of their old paths), oldest
    first."""


@dataclass
class ReportData:
    plan_name: str
    repo_name: str
    status: str
    tiers: list[tuple[str, str, int | None, list[tuple[str, str]]]]
    """(name, package, layer, [(old, new) members])."""
    stays: list[str]
    before: Figures
    after: Figures
    matrix_tiers: list[str]
    cells: dict[tuple[str, str], int]
    directions: dict[tuple[str, str], str]
    cycle_tiers: set[str]
    accepted: list[tuple[CrossEdge, str]]
    must_fix: list[CrossEdge]
    unreviewed: int
    summary: Summary | None = None
    applied: bool = False
    notes: list[str] = field(default_factory=list)
    migration: MigrationFigures | None = None


def collect(view: PlanView, plan_name: str, *, summary: Summary | None = None,
            applied: bool = False) -> ReportData:
    plan = view.plan
    assignment = view.metrics.assignment
    tiers = []
    for tier in sorted(plan.tiers, key=lambda t: (-(t.layer or 0), t.name)):
        members = sorted(
            (unit, view.tiermap.new_name(unit))
            for unit, name in assignment.items() if name == tier.name)
        tiers.append((tier.name, tier.package, tier.layer, members))
    stays = sorted(unit for unit, name in assignment.items() if name is None)

    # Today: every unit in the package it sits in (its container).
    grouped: dict[str, str | None] = {
        unit: view.units.units[unit].container for unit in view.units.units}
    today = PlanMetrics(view.units, grouped, pair_counts=view.metrics.pair_counts,
                        layer=lambda t: None)
    container_weights = weights_between(view.units.weights.items(), grouped)[0]
    today_figures = today.figures()
    containers = sorted({unit.container for unit in view.units.units.values()})
    before = Figures(today_figures.cross_tier_edges, None,
                     len(tier_cycles(containers, container_weights)),
                     today_figures.modularity, today_figures.turbomq)
    planned = view.metrics.figures()
    after = Figures(planned.cross_tier_edges, planned.upward_edges,
                    len(view.tier_cycles()), planned.modularity, planned.turbomq)

    pairs = view.edge_pairs()
    matrix_tiers = [t[0] for t in tiers]
    directions = {(a, b): view.tiermap.direction(a, b) for a in matrix_tiers
                  for b in matrix_tiers if a != b}
    cycle_tiers = {t for cycle in view.tier_cycles() for t in cycle.tiers}
    accepted = []
    must_fix = []
    unreviewed = 0
    for edges in pairs.values():
        edge = edges[0]
        if edge.review is None:
            unreviewed += 1
        elif edge.review.verdict == "accepted":
            accepted.append((edge, edge.review.note))
        else:
            must_fix.append(edge)
    return ReportData(
        plan_name=plan_name, repo_name=view.repo.root.name, status=plan.status, tiers=tiers,
        stays=stays, before=before, after=after, matrix_tiers=matrix_tiers,
        cells=view.tier_matrix(), directions=directions, cycle_tiers=cycle_tiers,
        accepted=accepted, must_fix=must_fix, unreviewed=unreviewed, summary=summary,
        applied=applied,
    )


def _figure(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}" if digits else str(value)


_UNWRITABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")
"""Characters neither UTF-8 nor XML 1.0 can carry: the lone surrogates of a file name
that is not UTF-8, and the two non-characters XML forbids."""

_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
"""Every ASCII punctuation character: escaped with a backslash, CommonMark shows any of
them as itself."""


def _visible(text: str) -> str:
    """`text` with control characters and bidirectional overrides escaped (as on the
    command line), and the characters a UTF-8 or XML file cannot hold escaped alike."""
    return _UNWRITABLE.sub(lambda match: f"\\u{ord(match.group(0)):04x}", printable(text))


def _one_line(text: str) -> str:
    """`text` shown on one line (a table row, a heading): its lines joined by spaces."""
    return _visible(text).replace("\n", " ")


def _text(text: str) -> str:
    """Prose from the plan (a review note) as Markdown that shows it as written: no
    emphasis, link, image, HTML, entity or table cell of its making."""
    return _PUNCTUATION.sub(r"\\\g<0>", _one_line(text))


def _code(text: str, *, in_table: bool = False) -> str:
    """A name as a Markdown code span, shown as written whatever it holds: fenced by
    more backticks than any run in it; in a table, its pipes escaped (GitHub's tables
    split a row at a pipe even inside a code span)."""
    shown = _one_line(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", shown)), default=0) + 1)
    if shown[:1] == "`" or shown[-1:] == "`" or (shown[:1] == " " and shown[-1:] == " "):
        shown = f" {shown} "  # CommonMark strips one space on each side
    if in_table:
        shown = shown.replace("|", "\\|")
    return f"{fence}{shown}{fence}"


def _cell(text: str) -> str:
    """A name in a table's cell."""
    return _code(text, in_table=True)


def render_markdown(data: ReportData, svg_name: str | None) -> str:
    out = [
        *_overview(data),
        *_figures_table(data),
        *_tiers_section(data),
        *_matrix_section(data, svg_name),
        *_must_fix_section(data),
        *_accepted_section(data),
        *_changes_section(data),
        *_migration_section(data),
        *_commands_section(data),
    ]
    return "\n".join(out).rstrip("\n") + "\n"


def _overview(data: ReportData) -> list[str]:
    moved = sum(len(t[3]) for t in data.tiers)
    return [
        f"# Restructuring plan {_code(data.plan_name)} for {_code(data.repo_name)}\n",
        f"Status: **{_text(data.status)}**{' (applied)' if data.applied else ''}. "
        f"{len(data.tiers)} tiers, {moved} units moved, {len(data.stays)} staying where "
        f"they are. Cross-tier edges: {len(data.accepted)} accepted, {len(data.must_fix)} "
        f"must-fix, {data.unreviewed} unreviewed.\n",
    ]


def _figures_table(data: ReportData) -> list[str]:
    rows = [
        ("cross-tier (cross-package) edges", data.before.cross_tier_edges,
         data.after.cross_tier_edges, 0),
        ("upward (layer-violating) edges", data.before.upward_edges, data.after.upward_edges, 0),
        ("tier cycles", data.before.tier_cycles, data.after.tier_cycles, 0),
        ("modularity", data.before.modularity, data.after.modularity, 4),
        ("TurboMQ", data.before.turbomq, data.after.turbomq, 4),
    ]
    return [
        "## Figures\n",
        "| | today (by current package) | after the plan (by tier) |",
        "|---|---:|---:|",
        *[f"| {label} | {_figure(before, digits)} | {_figure(after, digits)} |"
          for label, before, after, digits in rows],
        "",
        "Edges count (importer, imported) module pairs, as reviews judge them; "
        "modularity and TurboMQ are over the unit import graph (higher is better).\n",
    ]


def _tiers_section(data: ReportData) -> list[str]:
    out = ["## Tiers\n"]
    for name, package, layer, members in data.tiers:
        layer_text = f", layer {layer}" if layer is not None else ""
        out.append(f"### {_code(name)} ({_code(package)}{layer_text})\n")
        if not members:
            out.append("_no units yet_\n")
            continue
        out += ["| today | after |", "|---|---|"]
        out += [f"| {_cell(old)} | {_cell(new)} |" for old, new in members]
        out.append("")
    if data.stays:
        out.append("### Staying where they are\n")
        out.append(", ".join(_code(names.last(u)) for u in data.stays) + "\n")
    return out


CellKind = Literal["same tier", "empty", "upward", "in a cycle", "other"]


def _cell_kind(data: ReportData, a: str, b: str) -> CellKind:
    """How the matrix shows the cell of `a` importing `b` (Markdown and SVG alike)."""
    if a == b:
        return "same tier"
    if not data.cells.get((a, b), 0):
        return "empty"
    if data.directions.get((a, b)) == "up":
        return "upward"
    if a in data.cycle_tiers and b in data.cycle_tiers:
        return "in a cycle"
    return "other"


def _matrix_section(data: ReportData, svg_name: str | None) -> list[str]:
    out = ["## Tier matrix\n"]
    if svg_name:
        out.append(f"![Tier-by-tier matrix of cross-tier edges]({quote(svg_name)})\n")
    out.append("| from \\ to | " + " | ".join(_cell(t) for t in data.matrix_tiers) + " |")
    out.append("|---" * (len(data.matrix_tiers) + 1) + "|")
    for a in data.matrix_tiers:
        row = [f"**{_cell(a)}**", *(_markdown_cell(data, a, b) for b in data.matrix_tiers)]
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    out.append("Rows import columns. ↑ marks upward (layer-violating) cells, ⟳ cells inside a "
               "tier cycle.\n")
    return out


def _markdown_cell(data: ReportData, a: str, b: str) -> str:
    count = data.cells.get((a, b), 0)
    return {
        "same tier": "·", "empty": "", "upward": f"**{count}↑**", "in a cycle": f"{count}⟳",
        "other": str(count),
    }[_cell_kind(data, a, b)]


def _must_fix_section(data: ReportData) -> list[str]:
    out = [f"## Must-fix edges ({len(data.must_fix)})\n"]
    if not data.must_fix:
        return [*out, "None.\n"]
    out += ["| importer | imported | where | tiers | note |", "|---|---|---|---|---|"]
    for edge in data.must_fix:
        note = edge.review.note if edge.review else ""
        out.append(f"| {_edge_cells(edge)} | {_text(note)} |")
    return [*out, ""]


def _accepted_section(data: ReportData) -> list[str]:
    out = [f"## Accepted cross-tier edges ({len(data.accepted)})\n"]
    if data.accepted:
        out += ["| importer | imported | where | tiers | direction | note |",
                "|---|---|---|---|---|---|"]
        for edge, note in data.accepted:
            out.append(f"| {_edge_cells(edge)} | {edge.direction} | {_text(note)} |")
        out.append("")
    else:
        out.append("None.\n")
    if data.unreviewed:
        out.append(f"**{data.unreviewed} cross-tier edges are not reviewed yet**: the plan "
                   f"cannot be approved until they are.\n")
    return out


def _edge_cells(edge: CrossEdge) -> str:
    """Importer, imported, where and tiers: the cells every edge table starts with."""
    return (f"{_cell(edge.importer)} | {_cell(edge.imported)} | "
            f"{_cell(f'{edge.path}:{edge.line}')} | "
            f"{_cell(edge.importer_tier)} → {_cell(edge.imported_tier)}")


def _changes_section(data: ReportData) -> list[str]:
    s = data.summary
    if s is not None:
        return [
            "## Changes\n",
            f"- files moved: {s.files_moved}",
            f"- files rewritten: {s.files_rewritten}",
            f"- import statements changed: {s.imports_changed}",
            f"- dotted-path strings changed: {s.strings_changed}",
            f"- facades left at old paths: {s.facades}",
            f"- packages created: {s.packages_created}",
            f"- mentions in text to review by hand: {s.mentions}\n",
        ]
    if data.applied:
        return ["## Changes\n", "The plan is applied; `verify` checks it.\n"]
    return ["## Changes\n"]


def _migration_section(data: ReportData) -> list[str]:
    m = data.migration
    if m is None:
        return []
    out = ["## Migration in batches\n",
           f"{m.landed} of {m.total} moves landed.\n",
           "| batch | tiers | moves | state | commits |", "|---|---|---|---|---|"]
    out += [f"| {number if number is not None else '—'} | {_text(tiers)} | {moves} | "
            f"{state} | {_text(commits) or '—'} |"
            for number, tiers, moves, state, commits in m.batches]
    out.append("")
    if m.old_path_uses:
        total = sum(m.old_path_uses.values())
        out.append(f"Old paths still used through their facades: {total} "
                   f"use{'s' if total != 1 else ''} (`apply` on the landed moves rewrites "
                   f"them).\n")
        out += ["| old path | uses |", "|---|---|"]
        out += [f"| {_cell(old)} | {count} |"
                for old, count in sorted(m.old_path_uses.items(), key=lambda i: -i[1])[:30]]
        out.append("")
    else:
        out.append("No code uses an old path any more: `facades --remove` retires them.\n")
    if m.burndown:
        out += ["Over time, at each commit from the one before the first batch: the moves "
                "landed, and the lines of Python still naming one of their old paths (a "
                "whole dotted word; the old module, its facade after the move, left out).\n",
                "| commit | moves landed | old-path lines | |", "|---|---|---|---|"]
        peak = max(count for *_, count in m.burndown) or 1
        for commit, subject, moved, count in m.burndown:
            bar = "█" * round(20 * count / peak)
            out.append(f"| `{commit[:10]}` {_text(_one_line(subject))[:60]} | {moved} | "
                       f"{count} | {bar} |")
        out.append("")
    return out


def _commands_section(data: ReportData) -> list[str]:
    """The commands to run, the plan's name quoted for the shell, in a block fenced by
    more backticks than any run in it."""
    plan = shlex.quote(_one_line(data.plan_name))
    commands = [
        f"pyagent-workbench diff {plan}        # every change, nothing written",
        f"pyagent-workbench apply {plan}       # all or nothing, then verify",
        f"pyagent-workbench check {plan}       # CI: fail on a new cross-tier import",
    ]
    fence = "`" * max([3, *(len(run) + 1 for line in commands for run in re.findall("`+", line))])
    return [
        "## Commands\n",
        f"{fence}sh",
        *commands,
        f"{fence}\n",
        *[f"> {_text(note)}\n" for note in data.notes],
    ]


_SVG_FILLS: dict[CellKind, str] = {
    "same tier": "#e6e6e6", "empty": "#fafafa", "upward": "#f4a3a3", "in a cycle": "#ffd98a",
    "other": "#cfe3f7",
}


def matrix_svg(data: ReportData) -> str:
    """The tier matrix as a picture: counts, upward cells red, cycle cells amber."""
    tiers = [_visible(t) for t in data.matrix_tiers]
    cell, label = 56, max(90, 9 * max((len(t) for t in tiers), default=4) + 20)
    top = label
    width = label + cell * len(tiers) + 20
    height = top + cell * len(tiers) + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, '
        f'sans-serif" font-size="13">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        '<text x="10" y="20" font-size="15" font-weight="bold" fill="#222">'
        'Cross-tier edges: row imports column</text>',
    ]
    for index, tier in enumerate(tiers):
        x = label + index * cell + cell / 2
        parts.append(f'<text x="{x}" y="{top - 8}" transform="rotate(-45 {x} {top - 8})" '
                     f'fill="#222">{escape(tier)}</text>')
        y = top + index * cell + cell / 2 + 5
        parts.append(f'<text x="{label - 8}" y="{y}" text-anchor="end" fill="#222">'
                     f'{escape(tier)}</text>')
    for row, a in enumerate(data.matrix_tiers):
        for col, b in enumerate(data.matrix_tiers):
            x, y = label + col * cell, top + row * cell
            count = data.cells.get((a, b), 0)
            fill = _SVG_FILLS[_cell_kind(data, a, b)]
            parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" '
                         f'stroke="#bbbbbb"/>')
            if count and a != b:
                parts.append(f'<text x="{x + cell / 2}" y="{y + cell / 2 + 5}" '
                             f'text-anchor="middle" font-weight="bold" fill="#111">{count}</text>')
    legend_y = top + cell * len(tiers) + 25
    for offset, (fill, text) in enumerate((("#f4a3a3", "upward (layer violation)"),
                                           ("#ffd98a", "inside a tier cycle"),
                                           ("#cfe3f7", "downward or sideways"))):
        x = 10 + offset * 210
        parts.append(f'<rect x="{x}" y="{legend_y}" width="16" height="16" fill="{fill}" '
                     f'stroke="#bbbbbb"/>')
        parts.append(f'<text x="{x + 22}" y="{legend_y + 13}" fill="#222">{text}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_report(data: ReportData, output: Path) -> list[Path]:
    """Write the report and its matrix beside it, each whole through a fresh temporary
    file; `OutputError` (one line, neither written) when either path is a link, a folder
    or another special file, or cannot be written."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create the folder {output.parent}: "
                          f"{error.strerror or error}") from None
    svg_path = output.with_name(output.stem + "-matrix.svg")
    for path in (output, svg_path):
        safefiles.check_output(path)
    safefiles.write_output(svg_path, matrix_svg(data).encode("utf-8"))
    safefiles.write_output(output, render_markdown(data, svg_path.name).encode("utf-8"))
    return [output, svg_path]
