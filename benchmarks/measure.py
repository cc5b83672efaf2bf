"""Run one command in a fresh process and measure its wall time and peak memory.

Peak memory is sampled every 10 ms over the process and all its descendants (a process
pool's workers included), from /proc, two ways:

* `peak_mib`, the figure the tables report: the proportional set size (PSS) of the
  tree, each page shared by n processes counted 1/n in each (`/proc/PID/smaps_rollup`).
  Pages a forked worker shares with its parent are counted once, as the machine holds
  them once: the memory the command costs the machine, for a single process and for a
  process tree alike.
* `rss_peak_mib`: the sum of the resident sets (RSS) of the tree, which counts a page
  shared by n processes n times (errs high for a forking tool), with `largest_mib`, the
  largest single process's `ru_maxrss` (from `getrusage(RUSAGE_CHILDREN)`, exact).

    python -m benchmarks.measure -- COMMAND...   prints one JSON line
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measurement:
    wall: float
    """Seconds."""
    peak_mib: float
    """Peak proportional set size (PSS) of the process tree, MiB."""
    rss_peak_mib: float
    """Peak of the summed resident sets of the process tree, MiB (errs high)."""
    largest_mib: float
    """Peak resident memory of the largest single process, MiB (exact)."""
    returncode: int
    stdout: str
    stderr: str

    def as_dict(self) -> dict[str, object]:
        return {"wall": self.wall, "peak_mib": self.peak_mib,
                "rss_peak_mib": self.rss_peak_mib, "largest_mib": self.largest_mib,
                "returncode": self.returncode}


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(x) for x in handle.read().split())
        except OSError:
            continue
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """The process and its descendants, less any child that shares its parent's memory
    (a `vfork` child between its start and its `exec`, which `subprocess` uses: its
    smaps are its parent's, and counted again they would double the parent's figure)."""
    found = []
    stack = [(pid, 0)]
    seen: set[int] = set()
    while stack:
        current, parent = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if not (parent and _same_memory(parent, current)):
            found.append(current)
        stack.extend((child, current) for child in _children(current))
    return found


_KCMP = {"x86_64": 312, "aarch64": 272}
"""`kcmp`'s system call number; `KCMP_VM` (1) asks whether two processes share memory."""
_KCMP_VM = 1


def _same_memory(one: int, other: int) -> bool:
    number = _KCMP.get(os.uname().machine)
    if number is None:
        return False
    answer: int = _libc().syscall(number, one, other, _KCMP_VM, 0, 0)
    return answer == 0


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def tree_rss(pid: int) -> int:
    return sum(_rss(p) for p in _tree(pid))


def tree_pss(pid: int) -> int:
    return sum(_pss(p) for p in _tree(pid))


def compile_tool() -> None:
    """Write the bytecode of the tool's own modules, as an installed package has it (pip
    compiles at install). An editable install run where `PYTHONDONTWRITEBYTECODE` is set
    (this machine's shells set it) compiles its modules from source at every start:
    about 0.25 s of every measured command, which the anchors, installed by pip into
    their own venv, never pay."""
    import compileall

    import pyagent_workbench

    compileall.compile_dir(str(Path(pyagent_workbench.__file__).parent), quiet=1)


def run(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float | None = None) -> Measurement:
    """Run `command` in a fresh measuring process (so that `RUSAGE_CHILDREN` counts only
    this command) and return what it measured."""
    wrapper = [sys.executable, "-m", "benchmarks.measure", "--"]
    here = Path(__file__).resolve().parent.parent
    wrapper_env = dict(env if env is not None else os.environ)
    wrapper_env["PYTHONPATH"] = os.pathsep.join(
        [str(here), *filter(None, [wrapper_env.get("PYTHONPATH", "")])])
    result = subprocess.run([*wrapper, *command], cwd=cwd, env=wrapper_env,
                            capture_output=True, text=True, timeout=timeout, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"measure failed: {result.stderr[-2000:]}")
    data = json.loads(lines[-1])
    return Measurement(data["wall"], data["peak_mib"], data["rss_peak_mib"],
                       data["largest_mib"], data["returncode"], data["stdout"], data["stderr"])


def _measure_here(command: list[str]) -> dict[str, object]:
    peak = pss_peak = 0
    done = threading.Event()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def sample() -> None:
        nonlocal peak, pss_peak
        while not done.is_set():
            pids = _tree(process.pid)
            peak = max(peak, sum(_rss(p) for p in pids))
            pss_peak = max(pss_peak, sum(_pss(p) for p in pids))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {
        "wall": wall,
        "peak_mib": pss_peak / 2**20,
        "rss_peak_mib": max(peak, largest) / 2**20,
        "largest_mib": largest / 2**20,
        "returncode": process.returncode,
        "stdout": stdout.decode(errors="replace")[-20000:],
        "stderr": stderr.decode(errors="replace")[-20000:],
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__)
        return 2
    print(json.dumps(_measure_here(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
