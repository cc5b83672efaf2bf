"""Run every benchmark of issue 6 (and issue 4's clustering table) and write the results.

    .venv/bin/python -m benchmarks.run            # full: about 25 minutes on 2 cores
    .venv/bin/python -m benchmarks.run --quick    # a few minutes: fewer runs, no LibCST

Everything third-party (Django and sympy sdists, rope and LibCST in their own venv) is
fetched into `benchmarks/.cache/` (git-ignored). Each measurement runs in a fresh
process; see `benchmarks/README.md` for what each figure means. Writes
`benchmarks/RESULTS.md` and `benchmarks/results.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import anchors, generate, measure, projects

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".cache" / "work"
WORKBENCH = [sys.executable, "-m", "pyagent_workbench"]
BROKEN_DJANGO_TEST = "tests/test_runner_apps/tagged/tests_syntax_error.py"
ROPE_MODULE = "django/utils/text.py"
ROPE_DEST = "django/utils/textproc"


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def summarise(samples: list[measure.Measurement]) -> dict[str, Any]:
    walls = [s.wall for s in samples]
    peaks = [s.peak_mib for s in samples]
    return {"runs": len(samples), "wall_median": statistics.median(walls),
            "wall_min": min(walls), "wall_max": max(walls),
            "peak_mib_median": statistics.median(peaks), "peak_mib_max": max(peaks),
            "largest_mib_max": max(s.largest_mib for s in samples),
            "rss_peak_mib_max": max(s.rss_peak_mib for s in samples),
            "returncodes": sorted({s.returncode for s in samples})}


def repeat(runs: int, prepare: Callable[[], list[str]], cwd: Callable[[], Path] | None = None,
           check: bool = True, env: dict[str, str] | None = None
           ) -> tuple[dict[str, Any], list[measure.Measurement]]:
    samples = [once(prepare, cwd, check, env) for _ in range(runs)]
    return summarise(samples), samples


def once(prepare: Callable[[], list[str]], cwd: Callable[[], Path] | None = None,
         check: bool = True, env: dict[str, str] | None = None) -> measure.Measurement:
    command = prepare()
    sample = measure.run(command, cwd=cwd() if cwd else None, env=env)
    if check and sample.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{sample.stderr[-3000:]}")
    return sample


def interleaved(runs: int, prepare: Callable[[], list[str]], against: Baseline | None
                ) -> tuple[dict[str, Any], list[measure.Measurement]]:
    """`repeat`, and with a baseline the same command on the baseline's code run by
    turns with it (this, baseline, this, ...): its figures under the key `against`."""
    if against is None:
        return repeat(runs, prepare)
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(once(prepare))
        theirs.append(once(prepare, env=against.env))
    return {**summarise(ours), "against": summarise(theirs)}, ours


class Baseline:
    """An earlier commit's code (`--against REV`), checked out in a git worktree under
    the cache and compiled as `measure.compile_tool` compiles ours: commands run with its
    `app/` first on `PYTHONPATH` import that code instead of the installed package."""

    def __init__(self, revision: str) -> None:
        self.commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify",
                                      f"{revision}^{{commit}}"], capture_output=True,
                                     text=True, check=True).stdout.strip()
        self.label = self.commit[:7]
        self.tree = WORK / f"against-{self.commit[:12]}"
        if not (self.tree / "app" / "pyagent_workbench").is_dir():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach",
                            str(self.tree), self.commit], check=True, capture_output=True)
        import compileall

        compileall.compile_dir(str(self.tree / "app" / "pyagent_workbench"), quiet=1)
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(self.tree / "app"), *filter(None, [os.environ.get("PYTHONPATH", "")])])}


UNREVIEWED = ("--force",)
"""The benchmarks' plans are approved without reviewing their cross-tier edges (what is
measured is the apply, not the review): `apply` refuses such a plan unless forced."""


# -- Django: ours and the anchors -----------------------------------------------------------

def django_section(runs: int, rope_runs: int, libcst: bool, apply_runs: int,
                   against: Baseline | None = None) -> dict[str, Any]:
    tree = projects.fetch_sdist(projects.DJANGO)
    pristine = projects.git_snapshot(tree, WORK / "django-pristine")
    plan = projects.write_django_plan(WORK, "django-plan.toml")
    copy = WORK / "django-run"
    files = subprocess.run(["git", "-C", str(pristine), "ls-files", "*.py"], capture_output=True,
                           text=True, check=True).stdout.split()
    result: dict[str, Any] = {"python_files": len(files), "moves": len(projects.DJANGO_MOVES)}

    def fresh() -> Path:
        return projects.fresh_copy(pristine, copy)

    anchors.ensure_venv()

    def apply() -> list[str]:
        return [*WORKBENCH, "apply", str(plan), "--repo", str(fresh()), "--no-verify",
                *UNREVIEWED]

    def diff() -> list[str]:
        return [*WORKBENCH, "diff", str(plan), "--repo", str(fresh()), "--stat"]

    def rope() -> list[str]:
        return anchors.rope_command(fresh(), ROPE_MODULE, ROPE_DEST, [BROKEN_DJANGO_TEST])

    # By rounds (apply, diff, one-move preview, rope, and the baseline's apply and diff
    # when asked), so that a slower quarter of an hour weighs on every row alike.
    samples: dict[str, list[measure.Measurement]] = defaultdict(list)
    previews = []
    rounds = max(apply_runs, runs, rope_runs)
    log(f"django: {len(projects.DJANGO_MOVES)} moves: apply --no-verify x{apply_runs}, diff "
        f"x{runs}, preview of one move x{runs}, rope MoveModule of {ROPE_MODULE} (broken "
        f"test file ignored) x{rope_runs}" + (f", all but rope at {against.label} too"
                                              if against else "") + ", by rounds")
    for round_ in range(rounds):
        if round_ < apply_runs:
            samples["apply"].append(once(apply))
            if against:
                samples["apply against"].append(once(apply, env=against.env))
        if round_ < runs:
            samples["diff"].append(once(diff))
            if against:
                samples["diff against"].append(once(diff, env=against.env))
            sample = measure.run([sys.executable, "-m", "benchmarks.workload", "preview",
                                  str(fresh()), str(plan), projects.DJANGO_PREVIEW_SOURCE],
                                 cwd=ROOT)
            previews.append((sample, json.loads(sample.stdout.strip().splitlines()[-1])))
        if round_ < rope_runs:
            samples["rope"].append(once(rope))
        log(f"django: round {round_ + 1} of {rounds} done")
    result["by_rounds"] = True
    result["apply"] = summarise(samples["apply"])
    result["apply"]["summary"] = _summary_numbers(samples["apply"][-1].stdout)
    result["diff"] = summarise(samples["diff"])
    if against:
        result["apply"]["against"] = summarise(samples["apply against"])
        result["diff"]["against"] = summarise(samples["diff against"])
        result["against"] = against.commit
    calls = [p["preview"] for _, p in previews]
    result["preview_one"] = {
        "runs": len(calls), "call_median": statistics.median(calls), "call_min": min(calls),
        "call_max": max(calls), "setup_median": statistics.median(p["setup"] for _, p in previews),
        "process": summarise([s for s, _ in previews]), "details": previews[-1][1]}

    result["rope"] = summarise(samples["rope"])
    result["rope"]["stdout"] = samples["rope"][-1].stdout.strip()
    log("django: rope on the tree as shipped (until it aborts)")
    abort = measure.run(anchors.rope_command(fresh(), ROPE_MODULE, ROPE_DEST, []))
    result["rope_as_shipped"] = {
        "wall": abort.wall, "peak_mib": abort.peak_mib, "returncode": abort.returncode,
        "error": (abort.stderr.strip().splitlines() or [""])[-1][:300]}
    if libcst:
        log("django: LibCST RenameCommand --jobs=2 (one run: several minutes)")
        fresh()
        sample = measure.run(anchors.libcst_command("django.utils.text",
                                                    "django.utils.textproc.text"), cwd=copy)
        result["libcst"] = {**summarise([sample]),
                            "tail": sample.stderr.strip().splitlines()[-5:],
                            "measured_on": machine()["cpu"]}
    return result


# -- analysis on generated repos ------------------------------------------------------------

def generated(size: int) -> tuple[Path, generate.Layout]:
    pristine = WORK / f"gen-{size}"
    layout = generate.plan_layout(size)
    if not (pristine / ".git").is_dir():
        if pristine.exists():
            subprocess.run(["rm", "-rf", str(pristine)], check=True)
        log(f"generating a {size}-module repo")
        generate.generate(pristine, size)
    return pristine, layout


FLAT_MODULES = 5000


def _cold_and_warm(copy: Path, runs: int, against: Baseline | None = None) -> dict[str, Any]:
    """The analysis workload on `copy`, without the tool's caches then with them (and
    the same at the baseline's code, by turns with ours, under the key `against`)."""
    codes: list[tuple[str, dict[str, str] | None]] = [("this", None)]
    if against:
        codes.append(("against", against.env))
    buckets: dict[tuple[str, str], list[tuple[measure.Measurement, dict[str, Any]]]] = (
        defaultdict(list))
    for _ in range(runs):
        for code, env in codes:
            subprocess.run(["rm", "-rf", str(copy / ".pyagent-workbench")], check=True)
            for name in ("cold", "warm"):
                sample = measure.run([sys.executable, "-m", "benchmarks.workload",
                                      "analysis", str(copy)], cwd=ROOT, env=env)
                if sample.returncode != 0:
                    raise SystemExit(sample.stderr[-3000:])
                buckets[(code, name)].append(
                    (sample, json.loads(sample.stdout.strip().splitlines()[-1])))

    def figures(bucket: list[tuple[measure.Measurement, dict[str, Any]]]) -> dict[str, Any]:
        return {**summarise([s for s, _ in bucket]),
                "phases_median": {k: statistics.median(p[k] for _, p in bucket)
                                  for k in ("imports", "graph", "units", "suggest",
                                            "view_and_figures", "total")},
                "details": bucket[-1][1]}

    entry: dict[str, Any] = {name: figures(buckets[("this", name)]) for name in ("cold", "warm")}
    if against:
        entry["against"] = {name: figures(buckets[("against", name)])
                            for name in ("cold", "warm")}
    return entry


def _metric_move(copy: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    sample = measure.run([sys.executable, "-m", "benchmarks.workload", "metric-move",
                          str(copy)], cwd=ROOT, env=env)
    if sample.returncode != 0:
        raise SystemExit(sample.stderr[-3000:])
    return {**json.loads(sample.stdout.strip().splitlines()[-1]), "peak_mib": sample.peak_mib}


def analysis_section(runs: int, against: Baseline | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    flat = WORK / f"flat-{FLAT_MODULES}"
    if not (flat / "flat").is_dir():
        log(f"generating one flat package of {FLAT_MODULES} modules")
        generate.generate_flat(flat, FLAT_MODULES)
    also = f" (and at {against.label}, by turns)" if against else ""
    log(f"analysis on one container of {FLAT_MODULES} units: cold and warm x{runs}{also}")
    result["flat"] = _cold_and_warm(flat, runs, against)
    for size in (2000, 10000):
        pristine, _ = generated(size)
        copy = projects.fresh_copy(pristine, WORK / f"gen-{size}-analysis")
        entry: dict[str, Any] = {}
        if size == 10000:
            log(f"analysis on {size} modules: cold and warm x{runs}{also}")
            entry.update(_cold_and_warm(copy, runs, against))
        log(f"one unit's move, figures updated, at {size} modules{also}")
        entry["move"] = _metric_move(copy)
        if against:
            entry["move_against"] = _metric_move(copy, against.env)
        result[str(size)] = entry
    if against:
        result["against"] = against.commit
    return result


def scaling_section(sizes: tuple[int, ...], moves: tuple[int, ...], runs: int,
                    against: Baseline | None = None) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        pristine, layout = generated(size)
        for count in moves:
            plan = generate.write_plan(layout, count, WORK / f"gen-{size}-{count}.toml")
            log(f"scaling: apply {count} moves on {size} modules x{runs}"
                + (f" (and at {against.label}, by turns)" if against else ""))
            copy = WORK / "gen-run"
            stats, samples = interleaved(runs, lambda plan=plan, pristine=pristine, copy=copy: [
                *WORKBENCH, "apply", str(plan), "--repo",
                str(projects.fresh_copy(pristine, copy)), "--no-verify", *UNREVIEWED], against)
            summary = _summary_numbers(samples[-1].stdout)
            touched = summary.get("files_moved", 0) + summary.get("files_rewritten", 0)
            rows.append({"modules": size, "moves": count, **stats, **summary,
                         "touched": touched,
                         "ms_per_touched_file": 1000 * stats["wall_median"] / max(1, touched)})
    return rows


def _summary_numbers(text: str) -> dict[str, int]:
    """The counts in apply's summary (`N files moved`, ...)."""
    import re

    found = {}
    for key, pattern in (("files_moved", r"(\d+) files? moved"),
                         ("files_rewritten", r"(\d+) files? rewritten"),
                         ("imports_changed", r"(\d+) import statements? changed"),
                         ("strings_changed", r"(\d+) string references? changed")):
        match = re.search(pattern, text)
        if match:
            found[key] = int(match.group(1))
    return found


def clustering_section() -> list[dict[str, Any]]:
    rows = []
    for requirement, package in ((projects.SYMPY, "sympy"), (projects.DJANGO, "django")):
        tree = projects.fetch_sdist(requirement)
        log(f"clustering table: {package}")
        sample = measure.run([sys.executable, "-m", "benchmarks.clustering_table", str(tree),
                              package], cwd=ROOT)
        if sample.returncode != 0:
            raise SystemExit(sample.stderr[-3000:])
        row = json.loads(sample.stdout.strip().splitlines()[-1])
        row["requirement"] = requirement
        row["wall"] = sample.wall
        rows.append(row)
    return rows


# -- facts and the report -------------------------------------------------------------------

def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        first = Path("/proc/meminfo").read_text().splitlines()[0]
        memory = f"{int(first.split()[1]) / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import importlib.metadata as metadata

    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "app"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyagent_workbench": f"{metadata.version('pyagent-workbench')} ({commit}"
                             f"{' + uncommitted engine changes' if dirty else ''})",
        "grimp": metadata.version("grimp"), "libcst": metadata.version("libcst"),
        "networkx": metadata.version("networkx"), "numpy": metadata.version("numpy"),
        "scipy": metadata.version("scipy"),
        "date": time.strftime("%Y-%m-%d"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pyagent-workbench benchmarks (issue 6)")
    parser.add_argument("--quick", action="store_true",
                        help="one run each, scaling at 1k and 2k only, no LibCST run")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 5, quick 1)")
    parser.add_argument("--only", nargs="+",
                        choices=["django", "analysis", "scaling", "clustering"],
                        help="run only these sections")
    parser.add_argument("--no-libcst", action="store_true", help="skip the LibCST anchor")
    parser.add_argument("--sizes", type=int, nargs="+",
                        help="generated repo sizes for the scaling table "
                             "(default 1000 2000 5000 10000; quick 1000 2000)")
    parser.add_argument("--apply-runs", type=int,
                        help="runs of the Django apply (default: --runs)")
    parser.add_argument("--against", metavar="REV",
                        help="run the Django apply and diff, the analysis and the scaling "
                             "measurements at this commit's code too, by turns with ours "
                             "(the tables then compare the two)")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 5)
    sections = set(args.only or ["django", "analysis", "scaling", "clustering"])
    WORK.mkdir(parents=True, exist_ok=True)
    measure.compile_tool()
    against = Baseline(args.against) if args.against else None
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "mode": "quick" if args.quick else "full",
                               "runs": runs}
    if "django" in sections:
        results["django"] = django_section(runs, rope_runs=1 if args.quick else 3,
                                           libcst=not (args.quick or args.no_libcst),
                                           apply_runs=args.apply_runs or runs,
                                           against=against)
        results["anchors"] = anchors.versions()
    if "analysis" in sections:
        results["analysis"] = analysis_section(min(runs, 3), against)
    if "scaling" in sections:
        sizes = tuple(args.sizes or ((1000, 2000) if args.quick else (1000, 2000, 5000, 10000)))
        results["scaling"] = scaling_section(sizes, (10, 30, 60), 1 if args.quick else runs,
                                             against)
        results["scaling_against"] = against.commit if against else None
    if "clustering" in sections:
        results["clustering"] = clustering_section()
    results["elapsed"] = time.perf_counter() - started
    this_run = {"command": " ".join(["benchmarks.run", *(argv if argv is not None
                                                          else sys.argv[1:])]),
                "sections": sorted(sections), "runs": runs, "mode": results["mode"],
                "elapsed": results["elapsed"], "version": results["machine"]["pyagent_workbench"],
                "against": against.commit if against else None,
                "date": results["machine"]["date"]}
    results["history"] = [this_run]
    json_path = args.out.with_name("results.json")
    if args.only and json_path.exists():
        # A partial run adds its sections to the results of the runs before it (and keeps
        # an earlier LibCST figure when this run skipped LibCST).
        previous = json.loads(json_path.read_text())
        for key, value in previous.items():
            if key not in results:
                results[key] = value
        earlier_libcst = previous.get("django", {}).get("libcst")
        if "django" in sections and "libcst" not in results["django"] and earlier_libcst:
            results["django"]["libcst"] = {
                **earlier_libcst, "earlier_run": True,
                "measured_on": earlier_libcst.get("measured_on",
                                                  previous.get("machine", {}).get("cpu"))}
        kept = []
        for earlier in previous.get("history", []):
            still = sorted(set(earlier["sections"]) - sections)
            if still:
                kept.append({**earlier, "sections": still})
        results["history"] = [*kept, this_run]
        results["elapsed"] = sum(h["elapsed"] for h in results["history"])
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    from benchmarks.report import render

    args.out.write_text(render(results))
    runs_behind = (f" (with the earlier runs it keeps: {results['elapsed'] / 60:.1f} min)"
                   if len(results["history"]) > 1 else "")
    log(f"wrote {args.out} and {json_path}: this run took {this_run['elapsed'] / 60:.1f} min"
        f"{runs_behind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
