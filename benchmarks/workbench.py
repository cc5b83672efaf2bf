"""The workbench's own benchmarks (issue 13): how fast the TUI answers a key, how soon
its first screen is up, and its whole-plan diff against the CLI's `diff`.

    .venv/bin/python -m benchmarks.workbench                 # Django and the 10k repo
    .venv/bin/python -m benchmarks.workbench --only django   # or --only 10k
    .venv/bin/python -m benchmarks.workbench --quick         # fewer presses and runs

Targets, on Django 5.2.19 and on the generated 10k-module repo, each opened on its own
suggestion (`pyagent-workbench suggest REPO -o REPO/pyagent-plan.toml`), warm caches, a
200x60 terminal: every key press in the flows below answered within 100 ms at the 95th
percentile; the first screen under 3 s warm and 6 s cold (Django); the whole-plan diff
in the workbench within 1.5x the CLI's `diff --stat` of the same plan.

Every measurement runs in a fresh process (a child command of this module). A key's
latency is measured by `Probe`: from the moment the key event is queued on the app, as
the terminal driver queues it, until every message it caused has been handled and the
last frame it caused has been rendered (Textual renders a frame at most every 1/60 s).
The same flows are also driven the plain Pilot way (`await pilot.press(key)` then
`await pilot.pause()`), whose round trip includes Pilot's own idle waits (sleeps of
1/50 s until the process looks idle): an upper bound, reported beside it with the
round trip of a key bound to nothing.

Also: the garbage collector's share of each press, the first screen's steps, what-if
runs (changes the app could make, tried from the benchmark: `--what-if`), and
`python -m benchmarks.workbench profile REPO PLAN N flow_NAME...` (cProfile of flows).

Writes `benchmarks/WORKBENCH.md` (its figures also as JSON at its end) and every sample
to `benchmarks/.cache/workbench.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".cache" / "work"
RESULTS = HERE / ".cache" / "workbench.json"
"""Every sample of the last runs (WORKBENCH.md ends with their summary)."""
SIZE = (200, 60)
PLAN_NAME = "pyagent-plan.toml"
KEY_TARGET_MS = 100.0
FIRST_SCREEN_TARGETS = {"warm": 3.0, "cold": 6.0}
DIFF_RATIO_TARGET = 1.5
TARGETS = ("django", "10k")
FLOW_BUDGET = 120.0
"""Seconds of presses a flow may take (each mode); past it, the flow stops early."""
SETTLE_TIMEOUT = 600.0
NOOP = "no-op key (f12)"
"""A key bound to nothing: a baseline, left out of the figures over all presses."""


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True, file=sys.stderr)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def peak_rss_mib() -> dict[str, float]:
    """This process's peak resident set, and its largest child's (the diff's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self": round(own, 1), "largest_child": round(children, 1)}


# -- the repos ------------------------------------------------------------------------------

def prepare(target: str) -> tuple[Path, Path]:
    """A fresh git copy of the target's pristine tree, with its suggestion as the plan."""
    from benchmarks import projects

    if target == "django":
        tree = projects.fetch_sdist(projects.DJANGO)
        pristine = projects.git_snapshot(tree, WORK / "django-pristine")
    else:
        from benchmarks.run import generated

        pristine, _ = generated(10000)
    repo = projects.fresh_copy(pristine, WORK / f"workbench-{target}")
    plan = repo / PLAN_NAME
    subprocess.run([sys.executable, "-m", "pyagent_workbench", "suggest", str(repo), "-o",
                    str(plan)], check=True, capture_output=True)
    return repo, plan


# -- timing a key ---------------------------------------------------------------------------

class Probe:
    """Knows when the app has finished with a key: no message queued or being handled
    anywhere on the screens, no refresh pending, and the frame it caused rendered.

    Textual renders through `App._display` (a no-op when headless, called after the
    frame's lines are rendered): wrapping it gives the time of each frame. Handling a
    message is `MessagePump._dispatch_message`: counting the calls under way tells a
    handler awaiting something from an idle app."""

    POLL = 0.002

    def __init__(self, app: Any) -> None:
        from textual.message_pump import MessagePump

        self.app = app
        self.last_frame = 0.0
        self.handling = 0
        self.gc_seconds = 0.0
        """Time spent in Python's cyclic garbage collector so far (it stops the app)."""
        self._gc_start = 0.0

        def gc_timer(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                self._gc_start = time.monotonic()
            else:
                self.gc_seconds += time.monotonic() - self._gc_start

        gc.callbacks.append(gc_timer)
        display = app._display

        def timed_display(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None:
                self.last_frame = time.monotonic()

        app._display = timed_display
        dispatch = MessagePump._dispatch_message
        probe = self

        async def counted(pump: Any, message: Any) -> None:
            probe.handling += 1
            try:
                await dispatch(pump, message)
            finally:
                probe.handling -= 1

        MessagePump._dispatch_message = counted  # type: ignore[method-assign]

    def busy(self) -> bool:
        """A message queued or being handled anywhere, or a frame the top screen owes
        (a widget's refresh queues a message on it: its queue says so)."""
        if self.handling:
            return True
        app = self.app
        screen = app.screen
        if (screen._layout_required or screen._repaint_required or screen._scroll_required
                or screen._dirty_widgets or screen._callbacks):
            return True
        return any(node._message_queue.qsize() or node._pending_message
                   or node._next_callbacks
                   for nodes in ([app], *(s.walk_children(with_self=True)
                                          for s in app.screen_stack))
                   for node in nodes)

    async def settle(self, since: float, timeout: float = SETTLE_TIMEOUT) -> float:
        """Seconds from `since` to the last frame rendered once the app is idle (to the
        moment it was seen idle if no frame was rendered)."""
        idle_since: float | None = None
        while True:
            await asyncio.sleep(self.POLL)
            now = time.monotonic()
            if self.busy():
                idle_since = None
            elif idle_since is None:
                idle_since = now
            else:  # idle on two polls in a row
                end = self.last_frame if self.last_frame > since else idle_since
                return end - since
            if now - since > timeout:
                raise TimeoutError(f"the app is still busy after {timeout} s")

    async def press(self, key: str) -> float:
        """Queue one key event on the app, as the driver does; seconds to settle."""
        from textual import events
        from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        original = REPLACED_KEYS.get(key, key)
        try:
            import unicodedata

            char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(self.app)
        start = time.monotonic()
        self.app.post_message(event)
        return await self.settle(start)


class Keys:
    """Presses keys one way (`probe` or `pilot`) and files each latency under a flow."""

    def __init__(self, pilot: Any, probe: Probe, mode: str) -> None:
        self.pilot = pilot
        self.probe = probe
        self.mode = mode
        self.samples: dict[str, list[float]] = {}
        self.gc: dict[str, list[float]] = {}
        """Milliseconds of garbage collection during each press, by flow."""
        self.cut: set[str] = set()
        """The flows stopped before their count (over the time budget)."""

    async def press(self, key: str, flow: str | None) -> None:
        """`flow=None`: a key that only sets the scene (not recorded)."""
        collected = self.probe.gc_seconds
        if self.mode == "probe" or flow is None:
            seconds = await self.probe.press(key)
        else:
            start = time.monotonic()
            await self.pilot.press(key)
            await self.pilot.pause()
            seconds = time.monotonic() - start
        if flow is not None:
            self.samples.setdefault(flow, []).append(seconds * 1000)
            self.gc.setdefault(flow, []).append((self.probe.gc_seconds - collected) * 1000)

    def presses(self, flow: str, count: int) -> Iterator[int]:
        """0 to count - 1, or fewer once the flow's presses have taken `FLOW_BUDGET`
        seconds (a key that freezes the app for a minute is measured a few times)."""
        for index in range(count):
            if sum(self.samples.get(flow, [])) > FLOW_BUDGET * 1000:
                self.cut.add(flow)
                return
            yield index

    async def quiet(self) -> None:
        """Let the app finish anything under way (not timed)."""
        await self.probe.settle(time.monotonic())


# -- the flows: each presses about `count` keys ---------------------------------------------

def _screen(keys: Keys) -> Any:
    return keys.pilot.app.screen


def _board(keys: Keys) -> Any:
    from pyagent_workbench.tui.widgets.board import Board

    return _screen(keys).query_one(Board)


def _edge_table(keys: Keys) -> Any:
    from pyagent_workbench.tui.widgets.edges import EdgeTable

    return _screen(keys).query_one(EdgeTable)


def _diff_status(keys: Keys) -> str:
    from pyagent_workbench.tui.panes.diff import DiffPane
    from textual.widgets import Label

    pane = _screen(keys).query_one(DiffPane)
    return str(pane.query_one("#diff-status", Label).render())


class DiffFailed(Exception):
    """The workbench reported that the whole-plan diff failed."""


async def wait_for_diff(keys: Keys, timeout: float = 600.0) -> float:
    """Seconds until the Diff pane's status line gives the summary ("N moved, ...")."""
    start = time.monotonic()
    while " moved, " not in _diff_status(keys):
        failures = [n.message for n in keys.pilot.app._notifications
                    if n.title == "The plan cannot be previewed"]
        if failures or "cannot be previewed" in _diff_status(keys):
            raise DiffFailed(failures[0] if failures else _diff_status(keys))
        await asyncio.sleep(0.01)
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"no diff after {timeout} s: {_diff_status(keys)!r}")
    await keys.quiet()
    return max(keys.probe.last_frame, start) - start


async def long_column(keys: Keys) -> Any:
    """Focus the first unit of the longest column of the board (any container)."""
    board = _board(keys)
    column = max((c for cs in board._all.values() for c in cs.values()),
                 key=lambda c: len(c.units))
    board.focus_unit(column.units[0])
    await keys.quiet()
    return column


async def flow_noop(keys: Keys, count: int) -> None:
    """A key bound to nothing: what a press costs the harness and the app's dispatch."""
    for _ in keys.presses(NOOP, count):
        await keys.press("f12", NOOP)


async def flow_tabs(keys: Keys, count: int) -> None:
    """1, 2, 3 in turn, the diff already computed (a stale diff would be recomputed)."""
    await keys.press("3", None)
    await wait_for_diff(keys)
    await keys.press("1", None)
    flow = "tab switch 1/2/3"
    for index in keys.presses(flow, count):
        await keys.press("231"[index % 3], flow)
    await keys.press("1", None)


async def flow_board_rows(keys: Keys, count: int) -> None:
    await keys.press("1", None)
    column = await long_column(keys)
    steps = min(count // 2, len(column.units) - 1)
    flow = "board ↓/↑ in the longest column"
    for index in keys.presses(flow, count):
        await keys.press("down" if index < steps else "up", flow)


async def flow_board_columns(keys: Keys, count: int) -> None:
    """← and → across the columns, turning back at either end."""
    await keys.press("1", None)
    await long_column(keys)
    direction = "right"
    flow = "board ←/→ across columns"
    for _ in keys.presses(flow, count):
        before = _board(keys).focused_column()
        await keys.press(direction, flow)
        if _board(keys).focused_column() is before:
            direction = "left" if direction == "right" else "right"


async def flow_containers(keys: Keys, count: int) -> None:
    await keys.press("1", None)
    flow = "container ] / ["
    for index in keys.presses(flow, count):
        await keys.press("right_square_bracket" if index < count // 2
                         else "left_square_bracket", flow)


async def flow_zoom(keys: Keys, count: int) -> None:
    await keys.press("1", None)
    await long_column(keys)
    flow = "zoom z"
    for _ in keys.presses(flow, count):
        await keys.press("z", flow)
    if _board(keys).compact:
        await keys.press("z", None)


async def flow_picker(keys: Keys, count: int) -> None:
    """m opens the tier picker (the impact of a move to each tier computed), ↓ chooses,
    esc closes it."""
    await keys.press("1", None)
    await long_column(keys)
    for _ in keys.presses("picker open m", count):
        await keys.press("m", "picker open m")
        await keys.press("down", "picker choose ↓")
        await keys.press("escape", "picker close esc")


async def flow_moves(keys: Keys, count: int) -> None:
    """m, ↓, enter: the unit moves to the next tier in the picker, a toast gives the
    impact, every view refreshes and the draft is saved; enter is the timed key."""
    await keys.press("1", None)
    await long_column(keys)
    flow = "move: enter in the picker"
    for _ in keys.presses(flow, count):
        await keys.press("m", None)
        await keys.press("down", None)
        await keys.press("enter", flow)


async def flow_verdicts(keys: Keys, count: int) -> None:
    await keys.press("2", "first Review tab after edits")
    for key, flow in (("a", "review verdict a"), ("x", "review verdict x")):
        for _ in keys.presses(flow, count):
            await keys.press(key, flow)


async def flow_filters(keys: Keys, count: int) -> None:
    """w, y, t each pressed twice in a row (on, then off); c clears what is left on."""
    await keys.press("2", None)
    flow = "review filter w/y/t"
    for index in keys.presses(flow, count):
        await keys.press("wyt"[(index // 2) % 3], flow)
    await keys.press("c", None)


async def flow_sort(keys: Keys, count: int) -> None:
    """S cycles through the orders; back to file order at the end."""
    await keys.press("2", None)
    flow = "review sort S"
    for _ in keys.presses(flow, count):
        await keys.press("S", flow)
    while _edge_table(keys).order != "file":
        await keys.press("S", None)


async def flow_group(keys: Keys, count: int) -> None:
    await keys.press("2", None)
    flow = "review group g"
    for _ in keys.presses(flow, count):
        await keys.press("g", flow)
    if _edge_table(keys).grouped:
        await keys.press("g", None)


FLOWS: list[Callable[[Keys, int], Awaitable[None]]] = [
    flow_noop, flow_tabs, flow_board_rows, flow_board_columns, flow_containers, flow_zoom,
    flow_picker, flow_moves, flow_verdicts, flow_filters, flow_sort, flow_group]
"""In this order: the tab switches come before any edit (an edit makes the diff stale,
and showing the Diff tab would compute it again)."""


# -- the child processes --------------------------------------------------------------------

async def _open(repo: Path, plan: Path, *, tracker: bool = True) -> tuple[Any, Any]:
    """The app and its `run_test` context. `tracker`: start multiprocessing's resource
    tracker first, as the app does since 3c70a3d (`prepare_for_threads`). Before that the
    whole-plan diff of a large plan failed in the app: Textual replaces `sys.stderr` by
    an object whose `fileno()` is -1 while the app runs, and the tracker, started with
    the first worker pool, passed that to its process (`ValueError: bad value(s) in
    fds_to_keep`). The diff section runs once without it, to tell."""
    from pyagent_workbench.tui.app import WorkbenchApp

    if tracker:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    app = WorkbenchApp(repo, plan=plan)
    app.animation_level = "none"
    return app, app.run_test(size=SIZE)


async def _wait_for_board(app: Any, probe: Probe, started: float) -> float:
    """Seconds from `started` to the board's first frame (loading done, board drawn)."""
    from pyagent_workbench.tui.screens.error import ErrorScreen
    from pyagent_workbench.tui.screens.workbench import WorkbenchScreen

    while not isinstance(app.screen, WorkbenchScreen):
        if isinstance(app.screen, ErrorScreen):
            raise RuntimeError(f"the workbench could not open the repo: {app.screen.message}")
        if time.monotonic() - started > 300:
            raise TimeoutError(f"no board after 300 s: {app.screen}")
        await asyncio.sleep(0.005)
    return await probe.settle(started)


def child_first_screen(repo: Path, plan: Path) -> dict[str, Any]:
    """Open the workbench headless; report when each step was done (monotonic clock,
    which the parent shares: imports, the session loaded, the workbench screen on top,
    the board's first frame) and the process's peak memory."""
    from pyagent_workbench.session import Session
    from pyagent_workbench.tui.app import WorkbenchApp  # noqa: F401 (timed: the imports)

    steps = {"imports": time.monotonic()}
    session_open = Session.open

    def timed_open(*args: Any, **kwargs: Any) -> Session:
        session = session_open(*args, **kwargs)
        steps["session"] = time.monotonic()
        return session

    Session.open = timed_open  # type: ignore[method-assign]

    async def run() -> dict[str, Any]:
        from pyagent_workbench.tui.screens.workbench import WorkbenchScreen

        app, context = await _open(repo, plan, tracker=False)
        async with context:
            probe = Probe(app)
            started = time.monotonic()
            while not isinstance(app.screen, WorkbenchScreen) and (
                    time.monotonic() - started < 300):
                await asyncio.sleep(0.002)
            steps["screen"] = time.monotonic()
            await _wait_for_board(app, probe, started)
            steps["board"] = probe.last_frame
            result = {"ready_at": probe.last_frame, "steps": steps,
                      "peak_rss_mib": peak_rss_mib()}
            app.exit()
        return result

    return asyncio.run(run())


def _default_gc() -> None:
    """Python's collector left as it is by default: no idle-time full collections, nothing
    frozen (what the app did before tui/collector.py)."""
    from pyagent_workbench.tui.collector import IdleCollector

    IdleCollector.start = lambda self: None  # type: ignore[method-assign]


WHAT_IFS: dict[str, tuple[str, Callable[[], None] | None]] = {
    "default-gc": (" ".join((_default_gc.__doc__ or "").split()), _default_gc),
}
"""Changes the app could make, tried from the benchmark (the app's code is untouched);
`--what-if` takes several, tried together."""

EARLIER_WHAT_IF = "a change tried at an earlier commit (its code is in the git history)"


def child_keys(repo: Path, plan: Path, count: int, what_if: str = "") -> dict[str, Any]:
    """Every flow, first timed by the probe, then again the Pilot way (a what-if: the
    probe only)."""

    tried = what_if.split("+") if what_if else []
    for name in tried:
        patch = WHAT_IFS[name][1]
        if patch is not None:
            patch()

    async def run() -> dict[str, Any]:
        app, context = await _open(repo, plan)
        samples: dict[str, dict[str, list[float]]] = {}
        collections: dict[str, dict[str, list[float]]] = {}
        cut: dict[str, list[str]] = {}
        async with context as pilot:
            probe = Probe(app)
            await _wait_for_board(app, probe, time.monotonic())
            session = app.session
            facts = {"units": len(session.units()), "containers": len(session.containers),
                     "tiers": len(session.plan.tiers), "cross_tier_edges": len(session.edges())}
            for mode in ("probe",) if what_if else ("probe", "pilot"):
                keys = Keys(pilot, probe, mode)
                for flow in FLOWS:
                    log(f"  {mode}{' ' + what_if if what_if else ''}: {flow.__name__}")
                    await flow(keys, count)
                samples[mode] = keys.samples
                collections[mode] = keys.gc
                cut[mode] = sorted(keys.cut)
            session.discard_draft()
            app.exit()
        return {"facts": facts, "samples": samples, "gc": collections, "cut": cut,
                "peak_rss_mib": peak_rss_mib()}

    return asyncio.run(run())


def child_app_diff(repo: Path, plan: Path, tracker: int = 1) -> dict[str, Any]:
    """D on the board: seconds until the Diff pane shows the whole plan's summary."""

    async def run() -> dict[str, Any]:
        app, context = await _open(repo, plan, tracker=bool(tracker))
        async with context as pilot:
            probe = Probe(app)
            await _wait_for_board(app, probe, time.monotonic())
            keys = Keys(pilot, probe, "probe")
            start = time.monotonic()
            await keys.press("D", None)
            try:
                await wait_for_diff(keys)
            except DiffFailed as error:
                app.exit()
                return {"error": str(error)}
            seconds = max(probe.last_frame, start) - start
            status = _diff_status(keys)
            app.exit()
        return {"seconds": seconds, "status": status, "peak_rss_mib": peak_rss_mib()}

    return asyncio.run(run())


def child_profile(repo: Path, plan: Path, count: int, *flows: str) -> dict[str, Any]:
    """The named flows (function names, `flow_verdicts`) under cProfile, the key presses
    only (the flow's scene setting and the probe's own polling are in the profile too,
    but small); prints the hottest functions to stderr, writes `workbench.prof`."""
    import cProfile
    import pstats

    chosen = [f for f in FLOWS if f.__name__ in flows]

    async def run() -> dict[str, Any]:
        app, context = await _open(repo, plan)
        async with context as pilot:
            probe = Probe(app)
            await _wait_for_board(app, probe, time.monotonic())
            keys = Keys(pilot, probe, "probe")
            profiler = cProfile.Profile()
            profiler.enable()
            for flow in chosen:
                await flow(keys, count)
            profiler.disable()
            app.session.discard_draft()
            app.exit()
        profiler.dump_stats(HERE / ".cache" / "workbench.prof")
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(60)
        return {"samples": {k: spread(v) for k, v in keys.samples.items()}}

    return asyncio.run(run())


CHILDREN = {"first-screen": child_first_screen, "keys": child_keys, "app-diff": child_app_diff,
            "profile": child_profile}


def run_child(name: str, repo: Path, plan: Path, *extra: str) -> tuple[dict[str, Any], float]:
    """Run a child command in a fresh process; its JSON and when it was started."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "benchmarks.workbench", name, str(repo),
                           str(plan), *extra], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), started


# -- the measurements -----------------------------------------------------------------------

def spread(values: list[float]) -> dict[str, float]:
    """p50, p95 (inclusive method: p95 of 30 samples lies between the 28th and 29th) and
    max."""
    ordered = sorted(values)
    p95 = (statistics.quantiles(ordered, n=20, method="inclusive")[18] if len(ordered) > 1
           else ordered[0])
    return {"n": len(ordered), "p50": round(statistics.median(ordered), 1),
            "p95": round(p95, 1), "max": round(ordered[-1], 1)}


def measure_first_screen(repo: Path, plan: Path, runs: int) -> dict[str, Any]:
    """Process start to the board's first frame: cold (no `.pyagent-workbench/` in the
    repo) then warm (the caches the cold run left), `runs` times each."""
    seconds: dict[str, list[float]] = {"cold": [], "warm": []}
    steps: dict[str, dict[str, list[float]]] = {"cold": {}, "warm": {}}
    peaks: list[dict[str, float]] = []
    for _ in range(runs):
        subprocess.run(["rm", "-rf", str(repo / ".pyagent-workbench")], check=True)
        for kind in ("cold", "warm"):
            result, started = run_child("first-screen", repo, plan)
            seconds[kind].append(result["ready_at"] - started)
            for step, at in result["steps"].items():
                steps[kind].setdefault(step, []).append(at - started)
            peaks.append(result["peak_rss_mib"])
            log(f"  first screen {kind}: {seconds[kind][-1]:.2f} s")
    return {kind: {"median": round(statistics.median(v), 2), "min": round(min(v), 2),
                   "max": round(max(v), 2), "runs": [round(x, 2) for x in v],
                   "target": FIRST_SCREEN_TARGETS[kind],
                   "steps_median": {step: round(statistics.median(at), 2)
                                    for step, at in steps[kind].items()}}
            for kind, v in seconds.items()} | {
        "peak_rss_mib": max(p["self"] for p in peaks), "load_average": load_average()}


def measure_keys(repo: Path, plan: Path, count: int, what_if: str = "") -> dict[str, Any]:
    before = load_average()
    result, _ = run_child("keys", repo, plan, str(count), *([what_if] if what_if else []))
    return {"facts": result["facts"], **key_figures(result["samples"], result["gc"]),
            "samples": result["samples"], "gc": result["gc"], "cut": result["cut"],
            "peak_rss_mib": result["peak_rss_mib"],
            "load_average": {"before": before, "after": load_average()}}


def key_figures(samples: dict[str, dict[str, list[float]]],
                collections: dict[str, dict[str, list[float]]]) -> dict[str, Any]:
    """Per flow and over all presses (the no-op key apart): the spread of each mode, the
    mean time in the
    garbage collector, and the spread of the probe's latencies less their GC pauses
    (what the keys would cost if the collector did not run during them)."""
    flows: dict[str, dict[str, Any]] = {}
    for mode, by_flow in samples.items():
        for flow, values in by_flow.items():
            flows.setdefault(flow, {})[mode] = spread(values)
    less_gc: dict[str, list[float]] = {
        flow: [max(0.0, v - g) for v, g in zip(values, collections["probe"][flow], strict=True)]
        for flow, values in samples["probe"].items()}
    for flow, values in collections["probe"].items():
        flows[flow]["gc_ms_mean"] = round(statistics.fmean(values), 1)
        flows[flow]["probe_less_gc"] = spread(less_gc[flow])
    def pooled(by_flow: dict[str, list[float]]) -> list[float]:
        return [v for flow, values in by_flow.items() if flow != NOOP for v in values]

    overall: dict[str, Any] = {mode: spread(pooled(by_flow))
                               for mode, by_flow in samples.items()}
    overall["gc_ms_mean"] = round(statistics.fmean(pooled(collections["probe"])), 1)
    overall["probe_less_gc"] = spread(pooled(less_gc))
    return {"flows": flows, "overall": overall}


def measure_diff(repo: Path, plan: Path, runs: int) -> dict[str, Any]:
    """The workbench's whole-plan diff (D, until the summary is on screen; the app
    already open) against `pyagent-workbench diff PLAN --stat` (a process: interpreter,
    graph from its cache, the preview), alternately, after one untimed CLI diff (the
    syntax sweep's cache is then warm for both)."""
    from benchmarks import measure

    cli = [sys.executable, "-m", "pyagent_workbench", "diff", str(plan), "--repo", str(repo),
           "--stat"]
    subprocess.run(cli, check=True, capture_output=True)
    as_shipped, _ = run_child("app-diff", repo, plan, "0")
    app_times: list[float] = []
    cli_times: list[float] = []
    cli_peaks: list[float] = []
    app_peak = 0.0
    status = ""
    for _ in range(runs):
        result, _ = run_child("app-diff", repo, plan)
        app_times.append(result["seconds"])
        app_peak = max(app_peak, result["peak_rss_mib"]["self"])
        status = result["status"]
        sample = measure.run(cli)
        if sample.returncode != 0:
            raise SystemExit(sample.stderr[-3000:])
        cli_times.append(sample.wall)
        cli_peaks.append(sample.peak_mib)
        log(f"  diff: workbench {app_times[-1]:.2f} s, CLI {cli_times[-1]:.2f} s")
    app_median, cli_median = statistics.median(app_times), statistics.median(cli_times)
    return {"workbench": {"median": round(app_median, 2), "runs": [round(x, 2) for x in app_times],
                          "peak_rss_mib": app_peak, "status": status},
            "cli": {"median": round(cli_median, 2), "runs": [round(x, 2) for x in cli_times],
                    "peak_pss_mib": round(max(cli_peaks), 1)},
            "ratio": round(app_median / cli_median, 2), "target": DIFF_RATIO_TARGET,
            "as_shipped": as_shipped.get("error") or "works",
            "load_average": load_average()}


SECTIONS = ("first-screen", "keys", "diff")


def measure_target(target: str, count: int, runs: int, sections: list[str],
                   previous: dict[str, Any] | None) -> dict[str, Any]:
    """The sections asked for; the others are kept from `previous` (the last run)."""
    started = app_version()
    log(f"{target}: preparing a fresh copy and its suggestion ({started})")
    repo, plan = prepare(target)
    result = dict(previous or {})
    code = dict(result.get("code", {}))
    if "first-screen" in sections:
        log(f"{target}: first screen, cold and warm x{runs}")
        result["first_screen"] = measure_first_screen(repo, plan, runs)
        code["first_screen"] = started
    if "keys" in sections:
        log(f"{target}: key presses, {count} a flow")
        result["keys"] = measure_keys(repo, plan, count)
        code["keys"] = started
    if "diff" in sections:
        log(f"{target}: whole-plan diff, workbench and CLI x{runs}")
        result["diff"] = measure_diff(repo, plan, runs)
        code["diff"] = started
    ended = app_version()
    if ended != started:
        code["changed_during_the_run"] = ended
    return {**result, "repo": str(repo.relative_to(ROOT)), "code": code}


def _lacking(previous: dict[str, Any], measured: set[str]) -> list[str]:
    """What a run of only the `measured` sections could not take from `previous` to
    write the whole report (every target it holds is rendered, each with all sections)."""
    targets = previous.get("targets", {})
    return [f"{target} {section}" for target in (targets or TARGETS) for section in SECTIONS
            if section not in measured
            and section.replace("-", "_") not in targets.get(target, {})]


def app_version() -> str:
    """The commit measured, and whether the app's code differed from it (other work goes
    on in the same tree meanwhile)."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "app"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return commit + (" + uncommitted changes in app/" if dirty else "")


# -- the report -----------------------------------------------------------------------------

TITLES = {"django": "Django 5.2.19", "10k": "The generated 10k-module repo"}


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _over(value: float, target: float, unit: str) -> str:
    return _mark(True) if value <= target else (
        f"{_mark(False)} by {value - target:.{0 if unit == 'ms' else 2}f} {unit} "
        f"({value / target:.1f}x)")


def render_summary(results: dict[str, Any]) -> list[str]:
    names = [t for t in TARGETS if t in results["targets"]]
    lines = ["| target | " + " | ".join(TITLES[t] for t in names) + " |",
             "|---|" + "---|" * len(names)]

    def row(label: str, cell: Callable[[dict[str, Any]], str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(results["targets"][t]) for t in names)
                     + " |")

    def key_cell(r: dict[str, Any]) -> str:
        p95 = r["keys"]["overall"]["probe"]["p95"]
        return f"{p95:.0f} ms: {_over(p95, KEY_TARGET_MS, 'ms')}"

    def flows_cell(r: dict[str, Any]) -> str:
        flows = {k: f for k, f in r["keys"]["flows"].items() if k != NOOP}
        ok = [k for k, f in flows.items() if f["probe"]["p95"] <= KEY_TARGET_MS]
        return f"{len(ok)} of {len(flows)}" + (f" ({', '.join(ok)})" if ok else "")

    def first_cell(kind: str) -> Callable[[dict[str, Any]], str]:
        def cell(r: dict[str, Any]) -> str:
            value = r["first_screen"][kind]["median"]
            return f"{value:.2f} s: {_over(value, FIRST_SCREEN_TARGETS[kind], 's')}"
        return cell

    def diff_cell(r: dict[str, Any]) -> str:
        d = r["diff"]
        return (f"{d['workbench']['median']:.2f} s vs {d['cli']['median']:.2f} s = "
                f"{d['ratio']:.2f}x: {_over(d['ratio'], DIFF_RATIO_TARGET, 'x')}")

    row(f"every key, p95 ≤ {KEY_TARGET_MS:.0f} ms (all presses of the flows)", key_cell)
    row("flows whose p95 is within the target", flows_cell)
    row(f"first screen warm ≤ {FIRST_SCREEN_TARGETS['warm']:.0f} s (median)",
        first_cell("warm"))
    row(f"first screen cold ≤ {FIRST_SCREEN_TARGETS['cold']:.0f} s (median)",
        first_cell("cold"))
    row(f"whole-plan diff ≤ {DIFF_RATIO_TARGET}x the CLI's (medians)", diff_cell)
    return lines


def render_target(name: str, r: dict[str, Any]) -> list[str]:
    facts = r["keys"]["facts"]
    first, diff, keys = r["first_screen"], r["diff"], r["keys"]
    lines = [f"## {TITLES[name]}", "",
             f"`{r['repo']}`, opened on its own suggestion: {facts['units']} units in "
             f"{facts['containers']} containers, {facts['tiers']} tiers, "
             f"{facts['cross_tier_edges']} cross-tier imports.", "",
             "### Key presses", "",
             "Milliseconds. *handled*: the key queued on the app until its last frame is "
             "rendered (the target); *GC*: the part of it spent in Python's cyclic garbage "
             "collector (which stops the app); *p95 less GC*: the 95th percentile of each "
             "press's latency less its GC time; *Pilot*: `press` + `pause`, the same flow "
             "driven again (includes Pilot's idle waits: compare with the no-op key).", "",
             "| flow | presses | handled p50 | handled p95 | handled max | GC a press "
             "(mean) | p95 less GC | Pilot p50 | Pilot p95 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for flow, modes in keys["flows"].items():
        probe, pilot = modes["probe"], modes.get("pilot", {})
        slow = "**" if probe["p95"] > KEY_TARGET_MS and flow != NOOP else ""
        lines.append(f"| {flow} | {probe['n']} | {probe['p50']:.0f} | {slow}{probe['p95']:.0f}"
                     f"{slow} | {probe['max']:.0f} | {modes['gc_ms_mean']:.0f} | "
                     f"{modes['probe_less_gc']['p95']:.0f} | {pilot.get('p50', 0):.0f} | "
                     f"{pilot.get('p95', 0):.0f} |")
    overall = keys["overall"]
    lines.append(f"| **all presses** | {overall['probe']['n']} | {overall['probe']['p50']:.0f} "
                 f"| {overall['probe']['p95']:.0f} | {overall['probe']['max']:.0f} | "
                 f"{overall['gc_ms_mean']:.0f} | {overall['probe_less_gc']['p95']:.0f} | "
                 f"{overall['pilot']['p50']:.0f} | {overall['pilot']['p95']:.0f} |")
    cut = keys.get("cut", {}).get("probe", [])
    if cut:
        lines += ["", f"Stopped before {keys['flows'][NOOP]['probe']['n']} "
                  f"presses, their presses having taken the {FLOW_BUDGET:.0f} s a flow may "
                  f"take: {', '.join(cut)}."]
    lines += render_what_ifs(keys)
    load = keys["load_average"]
    lines += ["", f"Peak memory of the workbench process over every flow: "
              f"{keys['peak_rss_mib']['self']:.0f} MiB (`ru_maxrss`). Load average "
              f"(1, 5, 15 min) before: {load['before']}, after: {load['after']}.", "",
              "### First screen", "",
              "Seconds from the process's start to the board's first frame (a headless "
              "run of `WorkbenchApp(repo, plan=...)`, 200x60), and when each step was done "
              "(medians): the imports, `Session.open` returned (in the loading worker), the "
              "workbench screen on top (composed and mounted). Cold: no "
              "`.pyagent-workbench/` in the repo (no tool cache; the OS page cache is warm); "
              "warm: the next process.", "",
              "| | median | min | max | runs | imports done | session loaded | "
              "workbench screen up |", "|---|---|---|---|---|---|---|---|"]
    for kind in ("cold", "warm"):
        f = first[kind]
        at = f.get("steps_median", {})
        lines.append(f"| {kind} | {f['median']:.2f} | {f['min']:.2f} | {f['max']:.2f} | "
                     f"{', '.join(f'{x:.2f}' for x in f['runs'])} | "
                     + " | ".join(f"{at[s]:.2f}" if s in at else "" for s in
                                  ("imports", "session", "screen")) + " |")
    lines += ["", f"Peak memory at the first screen: {first['peak_rss_mib']:.0f} MiB. Load "
              f"average after: {first['load_average']}.", "",
              "### Whole-plan diff", "",
              "The workbench: `D` on the board until the Diff pane's summary is on screen "
              "(the app already open). The CLI: `pyagent-workbench diff PLAN --stat`, a "
              "process (interpreter, imports, the graph from its cache, the preview). "
              "Alternately, after one untimed CLI diff.", "",
              "| | median | runs | peak memory |", "|---|---|---|---|",
              f"| workbench | {diff['workbench']['median']:.2f} s | "
              f"{', '.join(f'{x:.2f}' for x in diff['workbench']['runs'])} | "
              f"{diff['workbench']['peak_rss_mib']:.0f} MiB (RSS, workers apart) |",
              f"| CLI `diff --stat` | {diff['cli']['median']:.2f} s | "
              f"{', '.join(f'{x:.2f}' for x in diff['cli']['runs'])} | "
              f"{diff['cli']['peak_pss_mib']:.0f} MiB (PSS, workers included) |",
              "", f"Ratio {diff['ratio']:.2f}x. Status line: `{diff['workbench']['status']}`.",
              "", f"As shipped (one more run without the benchmark starting the resource "
              f"tracker first): {diff['as_shipped']}.", "",
              render_code(r.get("code", {})), ""]
    return lines


def render_code(code: dict[str, str]) -> str:
    """Which commit each section measured (other work lands in the tree meanwhile)."""
    by_commit: dict[str, list[str]] = {}
    for section in ("first_screen", "keys", "diff"):
        if section in code:
            by_commit.setdefault(code[section], []).append(section.replace("_", " "))
    text = "; ".join(f"{', '.join(sections)}: `{commit}`"
                     for commit, sections in by_commit.items())
    if "changed_during_the_run" in code:
        text += f" (at the end of the run: `{code['changed_during_the_run']}`)"
    return f"Code measured: {text}."


def render_what_ifs(keys: dict[str, Any]) -> list[str]:
    lines = []
    for name, tried in keys.get("what_if", {}).items():
        described = "; ".join(
            f"*{n}*: {WHAT_IFS[n][0].rstrip('.') if n in WHAT_IFS else EARLIER_WHAT_IF}"
            for n in name.split("+"))
        lines += ["", f"**What if: {name}.** {described}. The same flows, handled "
                  "latency in ms, as shipped → with the change:", "",
                  "| flow | p50 | p95 | max | GC a press (mean) | p95 less GC |",
                  "|---|---|---|---|---|---|"]
        rows = [*keys["flows"].items(), ("**all presses**", keys["overall"])]
        changed = {**tried["flows"], "**all presses**": tried["overall"]}
        for flow, before in rows:
            after = changed.get(flow)
            if after is None:
                continue
            b, a = before["probe"], after["probe"]
            lines.append(f"| {flow} | {b['p50']:.0f} → {a['p50']:.0f} | {b['p95']:.0f} → "
                         f"{a['p95']:.0f} | {b['max']:.0f} → {a['max']:.0f} | "
                         f"{before['gc_ms_mean']:.0f} → {after['gc_ms_mean']:.0f} | "
                         f"{before['probe_less_gc']['p95']:.0f} → "
                         f"{after['probe_less_gc']['p95']:.0f} |")
        load = tried["load_average"]
        lines += ["", f"Load average before: {load['before']}, after: {load['after']}. Code "
                  f"measured: `{tried.get('code', '?')}`."]
    return lines


def summary(results: dict[str, Any]) -> dict[str, Any]:
    """The results without the samples (those stay in `benchmarks/.cache/`)."""

    def keys_summary(keys: dict[str, Any]) -> dict[str, Any]:
        return {k: keys[k] for k in ("flows", "overall", "cut", "peak_rss_mib",
                                     "load_average", "code") if k in keys}

    targets = {}
    for name, r in results["targets"].items():
        targets[name] = {"repo": r["repo"], "code": r.get("code"),
                         "facts": r["keys"]["facts"],
                         "first_screen": r["first_screen"], "diff": r["diff"],
                         "keys": keys_summary(r["keys"]),
                         "what_if": {w: keys_summary(k) for w, k in
                                     r["keys"].get("what_if", {}).items()}}
    return {k: results[k] for k in ("machine", "mode", "presses", "runs")} | {
        "targets": targets}


def compact_json(value: Any, depth: int = 0) -> str:
    """JSON with every dict or list that fits on a line written on one."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + depth <= 92 or not isinstance(value, dict | list) or not value:
        return flat
    pad = " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {compact_json(v, depth + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    items = [pad + compact_json(v, depth + 1) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = ["# Workbench benchmarks (issue 13)", "",
             f"`python -m benchmarks.workbench` ({results['mode']} mode: {results['presses']} "
             f"presses a flow, {results['runs']} runs of the first screen and of the diff), "
             f"{m['date']}. `benchmarks/workbench.py` says how each figure is taken; "
             "the figures are also at the end, as JSON.", "",
             "Other work ran on the same 2 cores meanwhile (the load averages are given "
             "with each figure): the tails are those of a shared machine.", "",
             "| machine | |", "|---|---|",
             f"| CPU | {m['cpu']} ({m['cores']} cores) |", f"| memory | {m['memory']} |",
             f"| OS | {m['os']} |", f"| Python | {m['python']} |",
             f"| pyagent-workbench | {m['pyagent_workbench']} |",
             f"| Textual / grimp / libcst | {m['textual']} / {m['grimp']} / {m['libcst']} |",
             "", "## Targets", "", *render_summary(results), ""]
    for name in TARGETS:
        if name in results["targets"]:
            lines += render_target(name, results["targets"][name])
    lines += [NOTES, "## The figures as JSON", "",
              "Every sample is in `benchmarks/.cache/workbench.json` after a run.", "",
              "```json", compact_json(summary(results)), "```",
              ""]
    return "\n".join(lines)


NOTES = """## Where the time goes

**Since a99d5f7 each repo opens on a different suggestion** (issue 14: containers
ranked, spectral clustering on the imports and the words): Django's is 89 units in 4
containers, 18 tiers, 258 cross-tier imports, where the runs below it (ff8ad36 and
before) opened 414 units in 26 containers, 64 tiers, 776 imports; its figures are not
comparable with theirs. The 10k repo's has 20 tiers (16 before) and 11,240 cross-tier
imports (9,552): its board has more, fuller columns, and its zoom (435 ms at p95, about
100 before) and container switch (268 ms) cost more for it. Hiding the columns' vertical
scrollbars (each one repainted in a frame of its own after a zoom) was tried: ←/→ 64 ->
31 ms p50, zoom p95 about 150 ms, still over; not kept (a column would lose its only
sign of being longer than the screen).

From cProfile over 10 presses of a flow (`python -m benchmarks.workbench profile REPO PLAN
10 flow_NAME`: the figures under the profiler are about 1.5x the ones above), from
timing the phases of one press (our handlers, Textual's style updates, layouts and
renders), and from the *what if* run above.

**What brought Django's p95 from 726 ms (b18de38) to 136 ms.**

* Python's collector (*default-gc* above: p95 over all presses 340 → 136 ms). A full
  collection walks every object of the process, 100-350 ms on Django, and with the
  default thresholds one came every few dozen keys. `tui/collector.py` freezes the
  session once loaded (out of every later walk), never lets a full collection start by
  itself, and runs the due one when no key or mouse event has come for 1 s, or at once
  when it is ten times overdue (memory stays bounded). The flows here press their keys
  back to back, so the forced ones are the collections they meet (*GC a press*).
* The review table is virtual (a `ScrollView` drawing the rows in sight) instead of a
  `DataTable` that added, measured and indexed every row: sort, grouping and filters
  went from 160-300 ms p50 on Django (2.2 s on the 10k repo's 9,552 edges) to 14-61 ms.
  A verdict no longer recounts the edge pairs, matrix, cycles and touched files.
* One widget for the footer instead of a container of a widget per key (Textual's
  footer mounted, styled and laid out some twenty widgets at each change of the keys
  shown: each tab switch and dialog).
* One frame a key where there were two: a column's virtual size no longer carries its
  width (a new width asked for a layout of the whole screen after the zoom, a container
  switch or a tab switch), a column's width is set only when it changes, the zoom
  restyles the columns in sight only (all 90 of Django's were restyled: 60 ms).

**What brought Django's p95 from 136 ms (209c51c) to 75 ms, the 10k repo's from 326 to
166 ms (ff8ad36).** Frames of the whole screen that nothing required, found by listing
what each frame repaints (`Compositor.update_widgets`, `render_update`):

* `Screen.focused`, `title`, `sub_title` and our `focused_unit` are reactives that
  repaint their owner: every focus change repainted the whole screen (a full frame, 25-57
  ms on the 10k board). They are bound without repaint; what shows them repaints itself.
  The columns' and the table's cursors repaint their two rows only.
* Textual repaints a widget whenever its border title is set, even to the same text: each
  move repainted the board (most of the screen) and every column. Titles are set when
  they change (Django move p50 110 -> 66 ms).
* The move picker is kept between moves (an installed screen, filled again) and is
  opaque: a new dialog each time was composed, the screen beneath painted three times
  under its backdrop, and pruned on closing (a second full frame); the dialogs' sheet is
  read at start (read at the first dialog, it restyled every widget). Open 122 -> 47 ms,
  close 90 -> 12 ms on the 10k repo.
* A pane shown again at its size is drawn once: the tree's and the table's resize
  handlers drew it a second time (the tree also asked for a layout).
* The board's horizontal scrollbar is always there: one that came and went with the zoom
  or a container switch changed the columns' height, a second layout and frame.

**What brought the 10k repo's p95 from 169 ms (a99d5f7) to 65-71 ms, Django's from 82 to
65 ms (cbddc15, 0db6575).** The frame of the whole board, and work no key needed:

* The board is one widget (`tui/widgets/board.py`): it draws every column of the shown
  container itself, the columns being plain state (units, cursor, selection, the first
  row in sight). A frame of the board is one widget's lines, where a widget a column made
  the compositor cut a strip per column per line, and a zoom or a container switch
  restyled and laid out every column. On the 10k repo: zoom p95 435 -> 46 ms, container
  switch 268 -> 70 ms, a move 112 -> 92 ms, ←/→ 70 -> 52 ms. Its look is the same cell
  for cell (captured in tmux before and after; the snapshots' text is unchanged).
* The diff's file list (an `OptionList`) measured all its options again at every resize,
  and a tab shown again is resized: 140 ms for the 9,851 files at each switch to the Diff
  tab. At the width it measured them for, it keeps the measures (tab switch p95 179 ->
  100 ms).
* `Plan.dumps` (the undo history keeps the plan's text around each edit) rendered the
  whole plan at every verdict: 50 ms for the 10k plan's 9,851 moves. Each array of
  tables is kept as rendered until an edit changes it (byte-identical to
  `tomlkit.dumps`, a hypothesis test over random edits).
* The edge table measured its 11,240 rows again at every sort; widths depend on which
  rows are shown, not on their order, and are reused.
* The tier matrix coloured its cycle cells from `tier_cycles()`, which also finds each
  cycle's breakers by an exact ordering of its tiers (about 100 ms on the 10k plan); it
  asks only which tiers are in a cycle (`PlanView.cycle_tiers`): the first Review tab
  after 30 moves 182 -> 132 ms (0db6575).

**What is left.** On the 10k repo the review keys are the slowest (verdicts 65-80 ms
p50: the verdict's figures and review counts are read again over every edge, and the
pane's frame), then a move (60 ms p50: the board's rows, the figures, the draft). The
first Review tab after 30 moves (one press, 132 ms) measures the table's 11,240 rows
again and rebuilds the tier matrix, a `DataTable` whose 400 cells Rich renders one by
one (about 40 ms): a matrix drawn by its own lines, as the table is, would be next.

**First screen.** Django, warm: 1.66 s to the board's first frame (imports, then
`Session.open`, then composing the workbench). The 10k repo is over the 3 s (a target
set for Django): `Session.open` alone returns at about 2.4 s warm (the analysis is 1.2
s warm in `RESULTS.md`, interpreter included), then about 1 s to the first frame.

**Since 677bf0d the whole-plan diff does more, and this machine was slower.** The same
Django plan now rewrites the dotted names in the documentation's text files too (903
files rewritten, 650 strings, where a99d5f7 gave 788 and 93): one CLI `diff --stat` of it
took 5.5 s with a99d5f7's code and 10.6 s with 677bf0d's, run one after the other here,
so the diff figures above are not comparable with a99d5f7's 3.86 s and 22 s. The first
screens were also slower on the day (10k warm 3.50 s, 2.60 s at a99d5f7) with the
same steps before and after this commit's changes (the session loaded 1.6-2.0 s after
the imports, the board drawn 0.6-0.7 s later, both measured alternately).

**Whole-plan diff.** Faster in the workbench than from the CLI (0.77x, 0.85x): the same
preview on every core, without the CLI's interpreter start and graph load. Before
3c70a3d it failed in the workbench on Django (`ValueError: bad value(s) in
fds_to_keep`: Textual's stand-in `sys.stderr` has `fileno()` -1, and the resource
tracker, started with the first worker pool, passed it to its process).

**Pilot.** A key bound to nothing takes 3 ms to handle and about 100 ms through `await
pilot.press(key); await pilot.pause()` (Pilot waits for the process to look idle in
steps of 1/50 s): a Pilot test timing a key measures mostly Pilot.
"""


# -- the command ----------------------------------------------------------------------------

def child_main(argv: list[str]) -> int:
    name, repo, plan, *extra = argv
    function = CHILDREN[name]
    arguments = [int(x) if x.isdigit() else x for x in extra]
    result = function(Path(repo), Path(plan), *arguments)
    print(json.dumps(result))
    return 0


def machine() -> dict[str, Any]:
    import importlib.metadata as metadata

    from benchmarks.run import machine as run_machine

    return {**run_machine(), "textual": metadata.version("textual")}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] and argv[0] in CHILDREN:
        return child_main(argv)
    parser = argparse.ArgumentParser(description="pyagent-workbench: the workbench's "
                                     "benchmarks (issue 13)")
    parser.add_argument("--only", choices=TARGETS, nargs="+", help="these repos only")
    parser.add_argument("--quick", action="store_true",
                        help="10 presses a flow, one run of the first screen and the diff")
    parser.add_argument("--presses", type=int, help="presses a flow (default 30)")
    parser.add_argument("--runs", type=int, help="runs of the first screen and of the diff "
                        "(default 3)")
    parser.add_argument("--what-if", choices=sorted(WHAT_IFS), nargs="+",
                        help="only the key presses, with these changes tried together "
                             "from the benchmark (kept beside the figures as shipped)")
    parser.add_argument("--sections", choices=SECTIONS, nargs="+",
                        help="measure these again, keep the others from the last run")
    parser.add_argument("--render", action="store_true",
                        help="only write the Markdown again from the last runs' samples")
    parser.add_argument("--out", type=Path, default=HERE / "WORKBENCH.md")
    args = parser.parse_args(argv)
    if args.render:
        results = json.loads(RESULTS.read_text())
        for entry in results["targets"].values():
            for keys in [entry["keys"], *entry["keys"].get("what_if", {}).values()]:
                keys.update(key_figures(keys["samples"], keys["gc"]))
        save(results, args.out)
        return 0
    presses = args.presses or (10 if args.quick else 30)
    runs = args.runs or (1 if args.quick else 3)
    WORK.mkdir(parents=True, exist_ok=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    from benchmarks import measure
    measure.compile_tool()
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.sections:
        lacking = _lacking(previous, set(args.sections))
        if lacking:
            parser.error(f"--sections keeps the other sections from the last run "
                         f"({RESULTS}), which lacks {', '.join(lacking)}: run them too "
                         f"(or without --sections) first")
    if args.what_if:
        results = previous
        what_if = "+".join(sorted(set(args.what_if)))
        for target in args.only or TARGETS:
            log(f"{target}: key presses, what if: {what_if}")
            repo, plan = prepare(target)
            entry = results["targets"][target]["keys"]
            entry.setdefault("what_if", {})[what_if] = {
                **measure_keys(repo, plan, presses, what_if), "code": app_version()}
            save(results, args.out)
        return 0
    results = {"machine": machine(), "mode": "quick" if args.quick else "full",
               "presses": presses, "runs": runs,
               "targets": dict(previous.get("targets", {})) if args.only or args.sections
               else {}}
    sections = args.sections or list(SECTIONS)
    for target in args.only or TARGETS:
        earlier = previous.get("targets", {}).get(target) if args.sections else None
        results["targets"][target] = measure_target(target, presses, runs, sections, earlier)
        save(results, args.out)
    return 0


def save(results: dict[str, Any], out: Path) -> None:
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    out.write_text(render(results))
    log(f"wrote {out} and {RESULTS}")

if __name__ == "__main__":
    sys.exit(main())
