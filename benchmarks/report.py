"""Render `results.json` (written by `benchmarks.run`) as the Markdown of RESULTS.md.

    python -m benchmarks.report [benchmarks/results.json]   re-renders RESULTS.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

WHERE_THE_TIME_GOES = """\
## Where the time goes

**`diff` (the rewrite engine)** on Django (30 moves; 2,823 Python files, of which about
660 can change), about 6.5 CPU-s on 2 cores:

* **`ast.parse` of the files that can change: about a third.** Only the files whose
  text names a moved module (one compiled regex), imports a moved module's parent, or
  has a relative import whose meaning changes are parsed; Django's test modules are
  large, so these ~660 files take ~2 CPU-s.
* **libcst on the statements that change: about a fifth.** The same transformers as
  the whole-file rewrite, run once per file on a small module holding only the
  statements (or compound-statement headers) that can change; a transformer that cannot
  change anything there is not run (no import statement: no import rewriter; nothing but
  imports: no string rewriter).
* **Syntax sweep of the other files: about a seventh** (the ~1,600 files outside the
  analysed packages; grimp has parsed the package's own): CPython's compiler, which
  builds no Python objects (a quarter cheaper than `ast.parse`), in the workers while the
  parent assembles the changes. Cached by size and mtime, so a second `diff` skips it.
* Finding the statements that can change (~0.5 CPU-s), and in the parent: reading every
  file once with the regex prefilter (~0.3 s), assembling the changes, facades and the
  mention scan (~0.5 s), interpreter and imports (~0.5 s).

Before this work the engine ran libcst over every candidate file, whole (about 100 ms a
file: three full-tree passes plus code generation), and parsed every moved file and
every relative importer whether or not it could change: `diff` of the same plan took
66 s wall (116 CPU-s) on this machine. The output is byte-identical
(`python -m benchmarks.crosscheck` compares both rewrites on every file of the tree: 0
differences on Django's 2,823 files; the diff text of the whole plan is identical).

**`apply`** is `diff` plus the journal and the writes. Phases of one apply of the Django
plan (wall): the changes as for `diff` plus a compile of every changed Python text
(1,135 files, in the worker that computed it) ~4.9 s; the journal's backups ~0.8 s
(2,022 copies; allocating page-cache pages is slow on this VM); the writes ~0.6 s
(1,135 rewritten files written, 1,316 files that move unchanged renamed, 1,351
directories created); staging the moves in git ~0.1 s; two durability barriers and
removing the journal ~0.3 s; checking the plan ~0.3 s; interpreter and imports ~0.5 s.
What the last session changed: one fsync per file (about 4,200: 1.7 s) became two
`syncfs` barriers (backups durable before the manifest, writes durable before the commit
point; ~0.02 s); a file that moves unchanged is renamed, not rewritten; `git add` of
3,000 pathspecs (0.5 s) became `git update-index` of paths (0.05 s); the compile check
moved into the workers. The journal used to rewrite and fsync its whole manifest once per
directory the apply creates (quadratic: 255 s of a 287 s profile, two sessions ago); it
records every planned directory when it starts.

**Analysis on 10k modules**: cold, grimp builds the graph in about 1.1 s (the scan, its
package finder listing 10k files, our conversion) and `suggest` takes about 1.9 s, most
of it a dozen seeded networkx Louvain runs, the rest writing and re-reading the draft
plan through tomlkit. Warm, the graph comes from the tool's graph cache (0.4 s, most of it
grimp's package finder, whose file list and mtimes are the cache key) and the clustering
from its cache, so `suggest` is the draft plan alone (0.5 s). The board starts from the
suggestion's own view (no second one is built).
"""


GAPS = """\
### The gaps, what limits them, what would close them

* **Django apply and diff against rope's one move (issue 6: 10x; issue 18: apply at least
  6x, diff at least 10x)**: both are bound by the CPU of 2 cores: a `diff` of about
  2.4 s keeps them busy for 3.9 of its 4.6 core-seconds (measured from `/proc/stat` at
  b89c821 on an Intel Xeon). Its course: interpreter and imports 0.15 s, the plan's checks
  and the file listing 0.1 s, the graph 0.2 s, the preview's set-up and the candidate
  scan 0.2 s (ruff's syntax check of every file and the workers' fork server run beside
  them); the workers 0.9 s (0.85 CPU-s each, balanced to 0.01 s; in one process the 659
  candidates take 1.4 s, libcst on the statements that change about 40% of it); assembling
  the changes 0.14 s; the conform step 0.75 s (laying out the copies 0.05 s, ruff sorting
  the 819 touched files 0.15 s, formatting them 0.16 s, checking the 188 it changed as
  they were before 0.16 s, each pass on both cores; the mentions beside it). `apply` adds
  the writes, the journal and the staging (about 0.9 s). This benchmark's memory sampler
  adds 8-16% to our wall times and 7% to rope's (`benchmarks/README.md`). Tried and not
  kept: the mentions run while ruff runs rather than beside the copies' lay-out (the
  lay-out 0.12 -> 0.05 s, ruff's passes slower by as much). What is left to take: libcst
  on the statements that change (the string rewriter visits every node of a statement
  such as a URL list), the conform step's passes over every touched file (a file whose
  import lines and path did not change could skip the sorter, were ruff's first-party
  test shown to depend on nothing else), the workers' whole-tree walks for `exec` and
  plain-import uses.
"""


def _s(value: float) -> str:
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def _ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def _range(entry: dict[str, Any]) -> str:
    if entry.get("runs", 1) == 1:
        return _s(entry["wall_median"])
    return f"{_s(entry['wall_median'])} ({entry['wall_min']:.2f}–{entry['wall_max']:.2f})"


def _mark(ok: bool) -> str:
    return "met" if ok else "**not met**"


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    quick = " --quick" if results["mode"] == "quick" else ""
    history = results.get("history", [])
    if len(history) > 1:
        made = "Produced by {} runs of the benchmark: {}".format(len(history), "; ".join(
            f"`python -m {h['command']}` ({h['mode']} mode, {h['runs']} runs per figure, "
            f"{h['elapsed'] / 60:.1f} min, {h['version']}) for the "
            f"{', '.join(h['sections'])} section{'s' if len(h['sections']) > 1 else ''}"
            for h in history))
    else:
        made = (f"Produced by `.venv/bin/python -m benchmarks.run{quick}` ({results['mode']} "
                f"mode, {results['runs']} runs per figure unless noted; took "
                f"{results['elapsed'] / 60:.1f} min)")
    out = ["# Benchmark results", "",
           f"{made}. Wall times are medians (min–max); memory is "
           "the peak proportional set size (PSS) of the whole process tree (workers "
           "included; a page shared by n processes counts 1/n in each), the same measure "
           "for every tool; the Django table also gives the summed resident sets (RSS), "
           "which count a forked worker's shared pages once per process.", "",
           "| machine | |", "|---|---|",
           f"| CPU | {m['cpu']} ({m['cores']} cores) |", f"| memory | {m['memory']} |",
           f"| OS | {m['os']} |", f"| Python | {m['python']} |",
           f"| pyagent-workbench | {m['pyagent_workbench']} |",
           f"| grimp / libcst / networkx | {m['grimp']} / {m['libcst']} / {m['networkx']} |"]
    if "anchors" in results:
        a = results["anchors"]
        out.append(f"| anchors (own venv) | rope {a['rope']}, LibCST {a['libcst']} |")
    out.append(f"| date | {m['date']} |")
    targets: list[tuple[str, str, bool]] = []
    if "django" in results:
        out += _django(results["django"], targets, results["machine"])
    if "analysis" in results:
        out += _analysis(results["analysis"], targets)
    if "scaling" in results:
        out += _scaling(results["scaling"], targets, results.get("scaling_against"))
    if "clustering" in results:
        out += _clustering(results["clustering"], targets)
    out += ["", "## Targets", "", "| target | measured | |", "|---|---|---|"]
    out += [f"| {t} | {v} | {_mark(ok)} |" for t, v, ok in targets]
    out += ["", GAPS, "", WHERE_THE_TIME_GOES]
    return "\n".join(out) + "\n"


def _elsewhere(entry: dict[str, Any], machine: dict[str, Any]) -> bool:
    """Whether a figure kept from an earlier run was measured on another machine."""
    return entry.get("measured_on") not in (None, machine.get("cpu"))


def _django(d: dict[str, Any], targets: list[tuple[str, str, bool]],
            machine: dict[str, Any]) -> list[str]:
    rope = d["rope"]
    rows = [
        ("ours: `apply --no-verify`, 30 moves", d["apply"]),
        ("ours: `diff --stat`, same plan", d["diff"]),
        ("ours: preview of one move (process)", d["preview_one"]["process"]),
        ("rope 1.15 `MoveModule`, one module", rope),
    ]
    if "libcst" in d:
        rows.append(("LibCST 1.9 `RenameCommand`, one module, `--jobs=2`", d["libcst"]))
    out = ["", "## Django 5.2.19 with its tests", "",
           f"{d['python_files']:,} Python files. The plan: {d['moves']} moves (12 module moves "
           "in `django.utils`, 5 package and 3 module moves in `django.core`, 10 app packages "
           "in `django.contrib`); `benchmarks/projects.py` lists them. Each run starts from a "
           "fresh copy of the same git tree.", "",
           *(["Measured by rounds (apply, diff, preview, rope; again), so that a slower "
              "stretch of the machine weighs on every row alike.", ""]
             if d.get("by_rounds") else []),
           "| what | wall | peak memory (PSS) | summed RSS | vs rope (time) | "
           "vs rope (memory) |", "|---|---|---|---|---|---|"]
    for name, entry in rows:
        ratio_t = rope["wall_median"] / entry["wall_median"]
        ratio_m = entry["peak_mib_max"] / rope["peak_mib_max"]
        rss = entry.get("rss_peak_mib_max")
        rss_text = f"{rss:.0f} MiB" if rss is not None else "?"
        if entry is rope:
            ratios = "1 | 1"
        elif _elsewhere(entry, machine):
            ratios = "— | —"  # times of another machine: no ratio to this one's
        else:
            ratios = f"{ratio_t:.1f}x faster | {ratio_m:.2f} of rope's"
        out.append(f"| {name} | {_range(entry)} | {entry['peak_mib_max']:.0f} MiB | "
                   f"{rss_text} | {ratios} |")
    if d.get("against"):
        out += ["", f"In the same rounds, the same apply and diff at {d['against'][:7]}'s "
                f"code: apply {_range(d['apply']['against'])}, diff "
                f"{_range(d['diff']['against'])} (ours over its medians: "
                f"{d['apply']['wall_median'] / d['apply']['against']['wall_median']:.2f} and "
                f"{d['diff']['wall_median'] / d['diff']['against']['wall_median']:.2f})."]
    p = d["preview_one"]
    out += ["", f"Preview of one move (`engine.preview(workspace, graph, only=['"
            f"django.utils.text'], jobs=1, sweep=False)`, the TUI's diff pane as the "
            f"workbench calls it, graph already built): "
            f"{_ms(p['call_median'])} median ({_ms(p['call_min'])}–{_ms(p['call_max'])}); "
            f"{p['details']['files_rewritten']} files rewritten."]
    summary = d["apply"].get("summary", {})
    if summary:
        out.append(f"The apply moves {summary.get('files_moved', '?')} files, rewrites "
                   f"{summary.get('files_rewritten', '?')}, changes "
                   f"{summary.get('imports_changed', '?')} import statements and "
                   f"{summary.get('strings_changed', '?')} string references.")
    shipped = d["rope_as_shipped"]
    out += ["", f"rope on the tree as shipped aborts after {_s(shipped['wall'])} "
            f"({shipped['peak_mib']:.0f} MiB, exit {shipped['returncode']}): "
            f"`{shipped['error'][:160]}` — Django ships a deliberately broken test file "
            f"(`tests/test_runner_apps/tagged/tests_syntax_error.py`). The rope figures above "
            f"are with that one file in rope's `ignored_resources` (for rope only); ours "
            f"reports it as unparsable and goes on."]
    if "libcst" in d and _elsewhere(d["libcst"], machine):
        out += ["", f"LibCST ran once, in an earlier run of the Django section, on another "
                f"machine ({d['libcst']['measured_on']}): it takes minutes; its time does "
                f"not compare with this machine's, so its row has no ratio."]
    elif "libcst" in d:
        libcst = d["libcst"]["wall_median"]
        earlier = (", in an earlier run of the Django section than the other rows (the "
                   "later one skipped it)" if d["libcst"].get("earlier_run") else "")
        out += ["", f"LibCST ran once{earlier}: it takes minutes. Against it: our apply of "
                f"the whole plan is "
                f"{libcst / d['apply']['wall_median']:.0f}x faster than its rename of one "
                f"module, our diff {libcst / d['diff']['wall_median']:.0f}x."]
    apply_ratio = rope["wall_median"] / d["apply"]["wall_median"]
    diff_ratio = rope["wall_median"] / d["diff"]["wall_median"]
    memory = max(d["apply"]["peak_mib_max"], d["diff"]["peak_mib_max"])
    targets += [
        ("Django apply ≥10x faster than rope's single move",
         f"{apply_ratio:.1f}x ({_s(d['apply']['wall_median'])} vs {_s(rope['wall_median'])})",
         apply_ratio >= 10),
        ("... issue 18's floor for the apply: ≥6x", f"{apply_ratio:.1f}x", apply_ratio >= 6),
        ("Django diff within the same bound (issue 18: ≥10x)", f"{diff_ratio:.1f}x",
         diff_ratio >= 10),
        ("Django apply/diff ≤ ¼ of rope's peak memory",
         f"{memory / rope['peak_mib_max']:.2f} ({memory:.0f} vs {rope['peak_mib_max']:.0f} MiB)",
         memory <= rope["peak_mib_max"] / 4),
        ("preview of one move on Django < 1 s", _ms(p["call_median"]), p["call_median"] < 1),
        ("peak memory < 500 MiB on Django", f"{memory:.0f} MiB", memory < 500),
    ]
    return out


SLOWER_BY_NOISE = 1.05
"""A median this much above the baseline's, in the same run, still counts as not slower:
the spread of one command's medians between runs on this machine."""


def _phase_table(entry: dict[str, Any], against: str | None = None) -> list[str]:
    """Cold and warm runs of the analysis workload, phase by phase (and at the baseline's
    code, measured by turns with ours, when the run had one)."""
    rows = ["| | wall (process) | graph | units | suggest | view + figures | peak memory |",
            "|---|---|---|---|---|---|---|"]
    lines = [(name, entry[name]) for name in ("cold", "warm")]
    if against and "against" in entry:
        lines += [(f"{name} at {against[:7]}", entry["against"][name])
                  for name in ("cold", "warm")]
    for name, e in lines:
        ph = e["phases_median"]
        rows.append(f"| {name} | {_range(e)} | {_s(ph['graph'])} | {_s(ph['units'])} | "
                    f"{_s(ph['suggest'])} | {_s(ph['view_and_figures'])} | "
                    f"{e['peak_mib_max']:.0f} MiB |")
    return rows


def _not_slower(pairs: list[tuple[str, float, float]], against: str
                ) -> tuple[str, str, bool]:
    """A "not slower than the baseline" target from (what, ours, its) medians: the worst
    ratio must be within `SLOWER_BY_NOISE`."""
    worst = max(pairs, key=lambda p: p[1] / p[2])
    ratio = worst[1] / worst[2]
    return (f"not slower than {against[:7]} (same run, by turns; median within "
            f"{SLOWER_BY_NOISE:.2f}x of its)",
            f"{len(pairs)} figures; the worst ratio {ratio:.2f}x ({worst[0]}: "
            f"{_seconds(worst[1])} vs {_seconds(worst[2])})", ratio <= SLOWER_BY_NOISE)


def _seconds(value: float) -> str:
    return _ms(value) if value < 1 else _s(value)


def _analysis(a: dict[str, Any], targets: list[tuple[str, str, bool]]) -> list[str]:
    big = a["10000"]
    out = ["", "## Analysis on generated Phase-I-shaped repos", "",
           "`benchmarks/generate.py` writes the repo (a `src` package, 60+ flat packages in "
           "`src/infrastructure/`, a flat `src/core/base/`, colocated tests). Opening the "
           "workbench minus the UI: `build_graph` + units + `suggest` + `PlanView` and its "
           "figures, each in a fresh process (interpreter start and imports included). Cold: "
           "no `.pyagent-workbench/`; warm: the caches the run before left there (grimp's, "
           "the import graph's, keyed by every module file's mtime, and the clustering's, "
           "keyed by the units, their weights and the options).", ""]
    d = big["cold"]["details"]
    against = a.get("against")
    out += [f"10k repo: {d['modules']:,} modules, {d['import_statements']:,} import statements, "
            f"{d['units_count']} units, {d['tiers']} suggested tiers.", "",
            *_phase_table(big, against)]
    flat = a.get("flat")
    if flat:
        d = flat["cold"]["details"]
        out += ["", f"One flat package of {d['modules']:,} modules ({d['units_count']} units in "
                "one container, the worst case for the clustering: `generate.generate_flat`), "
                f"{d['tiers']} suggested tiers:", "", *_phase_table(flat, against)]
    out += ["", "One unit moved to another tier (`PlanView.move_unit`: plan edit, tier map, "
            "incremental figures, then `figures()`), and the metric update alone "
            "(`PlanMetrics.move` + `figures()`):", "",
            "| modules | units | move_unit median (max) | PlanMetrics.move median (max) |",
            "|---|---|---|---|"]
    for size in ("2000", "10000"):
        for key, code in (("move", ""), ("move_against", f" at {str(against)[:7]}")):
            if key not in a[size]:
                continue
            mv = a[size][key]
            out.append(f"| {mv['modules']:,}{code} | {mv['units_count']} | "
                       f"{_ms(mv['move_unit_median'])} ({_ms(mv['move_unit_max'])}) | "
                       f"{_ms(mv['metrics_move_median'])} ({_ms(mv['metrics_move_max'])}) |")
    cold, warm = big["cold"]["wall_median"], big["warm"]["wall_median"]
    memory = max(big["cold"]["peak_mib_max"], big["warm"]["peak_mib_max"])
    m2, m10 = a["2000"]["move"], a["10000"]["move"]
    targets += [
        ("10k modules: graph + units + suggestion + figures < 5 s cold", _s(cold), cold < 5),
        ("... < 2 s warm", _s(warm), warm < 2),
        ("one move's metric update < 50 ms at 2k modules (median; max in the table)",
         _ms(m2["move_unit_median"]), m2["move_unit_median"] < 0.05),
        ("... < 200 ms at 10k modules (median; max in the table)",
         _ms(m10["move_unit_median"]), m10["move_unit_median"] < 0.2),
        ("peak memory < 500 MiB on the 10k repo", f"{memory:.0f} MiB", memory < 500),
    ]
    if flat:
        flat_cold, flat_warm = flat["cold"]["wall_median"], flat["warm"]["wall_median"]
        flat_memory = max(flat["cold"]["peak_mib_max"], flat["warm"]["peak_mib_max"])
        targets += [
            (f"one container of {flat['cold']['details']['units_count']} units: within the "
             "10k repo's bounds (5 s cold, 2 s warm, 500 MiB)",
             f"{_s(flat_cold)} / {_s(flat_warm)} / {flat_memory:.0f} MiB",
             flat_cold < 5 and flat_warm < 2 and flat_memory < 500),
        ]
    if against:
        pairs = [(f"{label} {name}", entry[name]["wall_median"],
                  entry["against"][name]["wall_median"])
                 for label, entry in (("10k", big), ("flat", flat))
                 if entry and "against" in entry for name in ("cold", "warm")]
        pairs += [(f"move at {size}", a[size]["move"]["move_unit_median"],
                   a[size]["move_against"]["move_unit_median"])
                  for size in ("2000", "10000") if "move_against" in a[size]]
        what, measured, ok = _not_slower(pairs, against)
        targets.append((f"analysis: {what}", measured, ok))
    return out


def _scaling(rows: list[dict[str, Any]], targets: list[tuple[str, str, bool]],
             against: str | None = None) -> list[str]:
    against = against if against and all("against" in r for r in rows) else None
    extra = f" at {against[:7]} | ratio |" if against else ""
    out = ["", "## Scaling: apply on generated repos", "",
           "`apply --no-verify` of plans of 10, 30 and 60 moves (two thirds infrastructure "
           "packages into tier packages, one third core/base modules), fresh copy each run."
           + (f" The `{against[:7]}` column: the same applies at that commit's code, run by "
              "turns with ours (ours, its, ours...), and ours over its medians." if against
              else ""),
           "", f"| modules | moves | files moved | files rewritten | touched | wall | "
           f"ms per touched file | peak memory |{extra}",
           "|---|---|---|---|---|---|---|---|" + ("---|---|" if against else "")]
    for r in rows:
        compared = (f" {_range(r['against'])} | "
                    f"{r['wall_median'] / r['against']['wall_median']:.2f} |" if against else "")
        out.append(f"| {r['modules']:,} | {r['moves']} | {r.get('files_moved', '?')} | "
                   f"{r.get('files_rewritten', '?')} | {r['touched']} | {_range(r)} | "
                   f"{r['ms_per_touched_file']:.2f} | {r['peak_mib_max']:.0f} MiB |{compared}")
    if against:
        what, measured, ok = _not_slower(
            [(f"{r['modules']:,} modules, {r['moves']} moves", r["wall_median"],
              r["against"]["wall_median"]) for r in rows], against)
        targets.append((f"scaling: {what}", measured, ok))
    per_file = [r["ms_per_touched_file"] for r in rows if r["touched"] >= 200]
    if per_file:
        spread = max(per_file) / min(per_file)
        targets.append((
            "apply grows linearly with files touched (ms per touched file, ≥200 touched)",
            f"{min(per_file):.2f}–{max(per_file):.2f} ms", spread < 3))
    return out


def _clustering(rows: list[dict[str, Any]], targets: list[tuple[str, str, bool]]) -> list[str]:
    out = ["", "## Suggested tiers on real projects (issue 4)", "",
           "Units: the modules inside each project's top-level subpackages, weighted by import "
           "statements; expert grouping: the top-level subpackage (`django.db`, "
           "`sympy.core`). MoJoFM against the expert grouping (100 = identical) and directed "
           "modularity (as `suggest` reports it).", "",
           "| project | units | grouping | groups | MoJoFM | modularity |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        name = f"{r['requirement']}"
        for label, key in (("expert (own subpackages)", "expert"), ("ours (`suggest`)", "ours"),
                           ("plain `louvain_communities`", "louvain")):
            e = r[key]
            out.append(f"| {name} | {r['units']} | {label} | {e['groups']} | {e['mojofm']} | "
                       f"{e['modularity']} |")
        ours, louvain, expert = r["ours"], r["louvain"], r["expert"]
        targets.append((f"{r['package']}: MoJoFM above plain Louvain, modularity ≥ expert's",
                        f"{ours['mojofm']} vs {louvain['mojofm']}; {ours['modularity']} vs "
                        f"{expert['modularity']}",
                        ours["mojofm"] > louvain["mojofm"]
                        and ours["modularity"] >= expert["modularity"]))
    return out


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else HERE / "results.json"
    results = json.loads(source.read_text())
    (HERE / "RESULTS.md").write_text(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
