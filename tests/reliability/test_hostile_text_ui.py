"""Issue 15, category 7 (the workbench and the report): text from the repository or the
plan is shown as text. Comments, docstrings, a file name, a syntax error's line, review
notes, the plan's file name, the repository's folder name and import errors carry Textual
markup (`[/]` raised, `[link=...]` made a live link, `[@click=app.quit]` an action run by
a click), escape sequences and bidirectional overrides (raw, they reach the terminal).

The real workbench is driven with Pilot through every tab and dialog, and what the
terminal would get is read from the screen as drawn: each view shows the text as
written (control characters escaped), no segment carries a link or a click action, and
no raw control character is drawn. The report is written by the console script: its
Markdown, parsed, has no live HTML, link or broken table; its SVG parses as XML."""

from __future__ import annotations

import html
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from markdown_it import MarkdownIt
from pyagent_workbench.analysis.planview import CrossEdge
from pyagent_workbench.display import printable
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.model.schema import Review
from pyagent_workbench.report import Figures, ReportData, matrix_svg, render_markdown
from pyagent_workbench.tui.app import WorkbenchApp
from pyagent_workbench.tui.dialogs import (
    Confirm,
    MessageScreen,
    SourceScreen,
    TextPrompt,
    TierPicker,
)
from pyagent_workbench.tui.panes.board import UnitSearch
from pyagent_workbench.tui.screens.applied import AppliedScreen
from pyagent_workbench.tui.screens.error import ErrorScreen
from pyagent_workbench.tui.screens.help import HelpScreen
from pyagent_workbench.tui.screens.loading import LoadingScreen
from pyagent_workbench.tui.screens.workbench import WorkbenchScreen
from pyagent_workbench.tui.widgets.diff_view import FileFilter
from support.plans import review_and_approve, write_plan
from support.repos import make_repo
from textual.pilot import Pilot
from textual.widgets import Input
from tui.harness import make_app, wait_for_screen

from . import stats
from .processes import SCRIPT, cli

HOSTILE = ("\x1b[31mred\x1b[0m [b]bold[/b] [/] \u202eevil\x07 "
           "[link=https://evil.example]x[/link] [@click=app.quit]x[/]")
"""Escape sequences, a bell and a bidirectional override, then Textual markup: a tag
closing nothing (an error), bold, a hyperlink and an action run by a click."""

ESCAPED = "\\x1b[31mred"
"""How the workbench shows the start of `HOSTILE` (as `display.printable` does)."""

IN_A_CELL = "·[31mred"
"""The same in a fixed-width cell of the review table (`display.one_cell`)."""

MARKUP = ("[b]bold[/b]", "[link=https://evil.example]x[/link]", "[@click=app.quit]x[/]")

DATA_FILE = "notes[b]\x1b[31m\u202etxt.md"
"""A data file the moved package carries: the diff lists it by name."""

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def files() -> dict[str, str | bytes]:
    return {
        "app/__init__.py": "",
        "app/core/__init__.py": f'"""Core. {HOSTILE}"""\n',
        "app/core/base.py": "BASE = 1\n",
        "app/infra/__init__.py": "",
        "app/infra/db.py": f'"""Db. {HOSTILE}"""\nfrom app.core import base  # {HOSTILE}\n\n'
                           f"X = base.BASE\n",
        "app/infra/cache.py": f"from app.core.base import BASE  # {HOSTILE}\n\nC = BASE\n",
        "app/infra/broken.py": f"def f(:  # {HOSTILE}\n",
        f"app/infra/{DATA_FILE}": f"{HOSTILE}\n",
    }


MOVES = [("app.infra", "app.storage.infra"), ("app.core", "app.common.core")]
TIERS = [("storage", "app.storage"), ("common", "app.common")]


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    """A repo in a folder named with markup and an escape sequence, and a draft plan
    (named alike) whose one review carries the hostile note."""
    repo = make_repo(tmp_path / "re[b]po\x1b[7m", files())
    plan = write_plan(tmp_path / "plan[b]\x1b[7m.toml", MOVES, packages=["app"], tiers=TIERS,
                      status="draft")
    document = Plan.load(plan)
    document.set_review("app.infra.db", "app.core.base", "accepted", HOSTILE)
    document.save(plan)
    return repo, plan


def on_screen(app: WorkbenchApp) -> str:
    """The screen on top as the terminal would get it (Textual's compositor), after
    checking that no segment is a link or runs an action when clicked and that no raw
    control character is drawn."""
    strips = app.screen._compositor.render_strips()
    for strip in strips:
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            assert not style.link, (segment.text, style.link)
            assert "@click" not in style.meta, (segment.text, style.meta)
    text = "\n".join(strip.text for strip in strips)
    assert not RAW.search(text), [line for line in text.splitlines() if RAW.search(line)]
    return text


def shows(text: str, *pieces: str) -> None:
    for piece in pieces:
        assert piece in text, f"{piece!r} is not on screen:\n{text}"


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause(0.1)


async def typed_into(pilot: Pilot[None], box: Input, text: str) -> None:
    """Text typed or pasted into a box, its start in view."""
    box.value = text
    box.cursor_position = 0
    await settle(pilot)


async def test_every_view_of_the_workbench_shows_the_text_as_written(
        world: tuple[Path, Path]) -> None:
    repo, plan = world
    stats.bump("bad inputs tried")
    app = make_app(repo, plan, autoload=False)
    async with app.run_test(size=(200, 60), notifications=True, tooltips=True) as pilot:
        await wait_for_screen(pilot, LoadingScreen)
        await settle(pilot)
        shows(on_screen(app), "Opening re[b]po\\x1b[7m")
        app.load()
        await wait_for_screen(pilot, WorkbenchScreen)
        await settle(pilot)
        # The header (the repo's folder, the plan's file) and the syntax error's toast.
        shows(on_screen(app), "re[b]po\\x1b[7m", "plan[b]\\x1b[7m.toml", ESCAPED,
              "[b]bold[/b]")
        app.clear_notifications()

        await pilot.press("2")  # the review: the table, then the reviewed edge's note
        await settle(pilot)
        shows(on_screen(app), IN_A_CELL, *MARKUP)
        await pilot.press("down", "space")
        await settle(pilot)
        shows(on_screen(app), "■", "note: " + IN_A_CELL)
        await pilot.press("space")
        await pilot.press("slash")  # a filter typed with the same text: the comments match
        await typed_into(pilot, app.screen.query_one("#edge-filter", Input), HOSTILE)
        shows(on_screen(app), IN_A_CELL + "·[0m [b]bold[/b]")
        await pilot.press("enter")
        await settle(pilot)
        shows(on_screen(app), f'2 imports shown ("{IN_A_CELL}·[0m [b]bold[/b]')
        await pilot.press("c")

        await pilot.press("N")  # a note typed (or pasted) with the same text
        prompt = await wait_for_screen(pilot, TextPrompt)
        await typed_into(pilot, prompt.query_one(Input), HOSTILE)
        shows(on_screen(app), IN_A_CELL + "·[0m [b]bold[/b]")
        await pilot.press("enter")
        await wait_for_screen(pilot, WorkbenchScreen)
        await settle(pilot)
        shows(on_screen(app), IN_A_CELL)

        await pilot.press("o")  # the source around the import
        await wait_for_screen(pilot, SourceScreen)
        await settle(pilot)
        shows(on_screen(app), ESCAPED, *MARKUP)
        await pilot.press("escape")

        await pilot.press("3")  # the diff: the files (one named with markup), then db.py
        await wait_for_screen(pilot, WorkbenchScreen)
        for _ in range(200):
            await pilot.pause(0.05)
            if "R db.py" in on_screen(app):
                break
        shows(on_screen(app), printable(DATA_FILE))
        await pilot.press("slash")
        await typed_into(pilot, app.screen.query_one(FileFilter), HOSTILE)
        shows(on_screen(app), IN_A_CELL + "·[0m [b]bold[/b]",
              f"No file's path contains '{ESCAPED}")
        await typed_into(pilot, app.screen.query_one(FileFilter), "infra/db.py")
        await pilot.press("enter")
        await settle(pilot)
        shows(on_screen(app), f'"""Db. {ESCAPED}', "[b]bold[/b]")

        await pilot.press("4")  # the actions: the file left out and its line
        await settle(pilot)
        shows(on_screen(app), "broken.py:1: syntax error", ESCAPED, *MARKUP)

        await pilot.press("question_mark")
        await wait_for_screen(pilot, HelpScreen)
        on_screen(app)
        await pilot.press("escape")

        await pilot.press("1")  # the board, its search, the move and rename pickers
        await settle(pilot)
        on_screen(app)
        await pilot.press("slash")
        await typed_into(pilot, app.screen.query_one(UnitSearch), HOSTILE)
        shows(on_screen(app), IN_A_CELL + "·[0m [b]bold[/b]")
        await pilot.press("enter")
        await settle(pilot)
        shows(on_screen(app), f"No unit named like '{ESCAPED}")
        app.clear_notifications()
        for key in ("m", "r"):
            await pilot.press(key)
            await wait_for_screen(pilot, TierPicker)
            await settle(pilot)
            on_screen(app)
            await pilot.press("escape")
            await wait_for_screen(pilot, WorkbenchScreen)

        await pilot.press("ctrl+o")  # the prompt starts from the plan's file name
        await wait_for_screen(pilot, TextPrompt)
        await settle(pilot)
        shows(on_screen(app), "plan[b]·[7m.toml")
        await pilot.press("escape")
        await wait_for_screen(pilot, WorkbenchScreen)

        await pilot.press("s")  # saved: the notification names the file
        await settle(pilot)
        shows(on_screen(app), "plan[b]\\x1b[7m.toml")
        app.clear_notifications()

        await pilot.press("ctrl+s")  # refused: an edge is not reviewed
        await wait_for_screen(pilot, MessageScreen)
        await settle(pilot)
        on_screen(app)
        await pilot.press("escape")
        await pilot.press("ctrl+q")


async def test_a_plan_refused_at_opening_is_shown_as_written(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files())
    plan = tmp_path / "bad.toml"
    plan.write_text('schema = 1\nstatus = "draft"\n\n[repo]\nsource_root = "."\n'
                    'packages = ["app"]\n\n[[tiers]]\nname = "x\\u001b[2J[b]y[/b][/]"\n'
                    'package = "app.x"\n', encoding="utf-8")
    stats.bump("bad inputs tried")
    app = make_app(repo, plan)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_for_screen(pilot, ErrorScreen)
        await settle(pilot)
        shows(on_screen(app), "x\\x1b[2J[b]y[/b][/]")
        await pilot.press("q")


async def test_an_apply_shows_import_errors_and_moves_as_written(tmp_path: Path) -> None:
    """A module that fails once moved (its error message is hostile): the apply's
    message, then the applied plan's screen (its moves and verify's report)."""
    boom = (f"if __name__.startswith('app.storage'):\n"
            f"    raise RuntimeError({HOSTILE!r})\n")
    repo = make_repo(tmp_path / "re[b]po\x1b[7m", {
        **{name: text for name, text in files().items() if "broken" not in name},
        "app/infra/boom.py": boom})
    plan = write_plan(tmp_path / "plan[b]\x1b[7m.toml", MOVES, packages=["app"], tiers=TIERS,
                      status="draft")
    review_and_approve(plan, repo, note=HOSTILE)
    stats.bump("bad inputs tried")
    app = make_app(repo, plan)
    async with app.run_test(size=(200, 60), notifications=True) as pilot:
        await wait_for_screen(pilot, WorkbenchScreen)
        await settle(pilot)
        await pilot.press("ctrl+r")
        await wait_for_screen(pilot, Confirm)
        await pilot.press("y")
        message = await wait_for_screen(pilot, MessageScreen, timeout=180)
        await settle(pilot)
        assert message.title_text == "Applied, but verify found problems"
        shows(on_screen(app), "no longer imports", ESCAPED, *MARKUP)
        await pilot.press("enter")
        await wait_for_screen(pilot, AppliedScreen)
        await settle(pilot)
        shows(on_screen(app), "app.storage.infra", ESCAPED, "re[b]po\\x1b[7m")
        await pilot.press("q")


# -- the report ------------------------------------------------------------------------------

NOTE = ("<script>alert(1)</script> [x](javascript:alert(1)) ![t](https://evil.example/t.png) "
        "a|b `tick` **bold** <b>html</b> &amp;\n# heading \x1b[31mred \u202eevil")
"""A review note that would be live Markdown or HTML, break the table it sits in (a
pipe, a newline), or reach a terminal showing the file (escape sequences)."""

PLAN_NAME = "p`l|a*n<i>\x1b[7m.toml"
"""A plan's file name with a backtick (it would end a code span), a pipe, emphasis, an
HTML tag and an escape sequence: the report names the plan in its title and commands."""


def markdown_html(text: str) -> str:
    """The Markdown as a renderer that passes HTML through would show it."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


TAG = re.compile(r"<([a-z0-9]+)([^>]*)>")
REPORT_TAGS = {"h1", "h2", "h3", "p", "strong", "em", "code", "pre", "table", "thead", "tbody",
               "tr", "th", "td", "img", "ul", "li", "blockquote"}
"""The HTML elements the report's own Markdown makes."""
REPORT_ATTRIBUTES = {"", ' style="text-align:right"', ' class="language-sh"'}
"""Their attributes, but the matrix's image's."""


def assert_inert(page: str) -> None:
    """No element, attribute or link of the repository's or the plan's making in the
    rendered page (their text shows as text: `&lt;script&gt;`)."""
    tags = TAG.findall(page)
    assert {name for name, _ in tags} <= REPORT_TAGS, {name for name, _ in tags}
    assert [name for name, _ in tags].count("img") == 1  # the matrix, nothing a note asks for
    assert [name for name, _ in tags].count("h1") == 1
    odd = [(name, attributes) for name, attributes in tags if attributes not in REPORT_ATTRIBUTES
           and not (name == "img" and attributes.startswith(' src="report-matrix.svg"'))]
    assert not odd, odd


def assert_columns(page: str, header: str, width: int) -> None:
    """Every row of the tables whose header starts with `header` has `width` cells."""
    tables = page.split(f"<th>{header}</th>")[1:]
    assert tables, header
    for table in tables:
        for row in table.split("</table>")[0].split("<tr>")[2:]:
            assert row.count("<td") == width, row


def test_the_report_shows_notes_and_names_as_written(world: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    if not SCRIPT.exists():
        pytest.skip("the console script is not installed")
    repo, plan = world
    named = plan.rename(plan.with_name(PLAN_NAME))
    document = Plan.load(named)
    document.set_review("app.infra.cache", "app.core.base", "accepted", NOTE)
    document.set_review("app.infra.db", "app.core.base", "must-fix", NOTE)
    document.save(named)
    out = tmp_path / "out" / "report.md"
    done = cli(repo, "report", named, "--repo", ".", "-o", out)
    stats.bump("bad inputs tried")
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert not RAW.search(text)
    page = markdown_html(text)
    assert_inert(page)
    must_fix, accepted = page.split("Accepted cross-tier edges")
    assert_columns(must_fix, "importer", 5)
    assert_columns(accepted, "importer", 6)
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert printable(NOTE).replace("\n", " ") in shown
    assert printable(PLAN_NAME) in shown and "re[b]po\\x1b[7m" in shown
    ElementTree.parse(out.with_name("report-matrix.svg"))


def test_the_report_renders_any_name_as_text() -> None:
    """Names a valid plan cannot hold (the plan's checks refuse them) still come out as
    text: the renderer does not rely on those checks."""
    tiers = ['<a href="javascript:x">t</a>', "a&b]]>c|d`e", "ctl\x01\x1b[2J\u202e\ufffe"]
    edge = CrossEdge(importer="m<i>", imported="n|`x`", path="p\n|q.py", line=3,
                     text="import n", importer_tier=tiers[0], imported_tier=tiers[1],
                     direction="up", in_cycle=False,
                     review=Review("m<i>", "n|`x`", "must-fix", NOTE))
    figures = Figures(1, 1, 0, 0.5, 0.5)
    data = ReportData(
        plan_name=PLAN_NAME, repo_name="<b>repo</b>", status="draft",
        tiers=[(t, f"pkg.{i}", i, [(f"old{i}<x>", f"new|{i}")]) for i, t in enumerate(tiers)],
        stays=["a.`b`"], before=figures, after=figures, matrix_tiers=tiers,
        cells={(tiers[0], tiers[1]): 1, (tiers[2], tiers[0]): 2},
        directions={(tiers[0], tiers[1]): "up"}, cycle_tiers=set(), accepted=[],
        must_fix=[edge], unreviewed=0)
    svg = ElementTree.fromstring(matrix_svg(data))
    texts = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {printable(t).replace("\ufffe", "\\ufffe") for t in tiers} <= texts
    page = markdown_html(render_markdown(data, "report-matrix.svg"))
    stats.bump("bad inputs tried")
    assert_inert(page)
    assert_columns(page, "importer", 5)
    assert_columns(page, "from \\ to", len(tiers) + 1)
    assert_columns(page, "today", 2)
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))
    for tier in tiers[:2]:
        assert tier in shown
