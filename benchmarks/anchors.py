"""The anchors: rope and LibCST, installed by the benchmark into their own virtualenv
under `benchmarks/.cache/` (they are not dependencies of pyagent-workbench).

    rope 1.15  `MoveModule` of one module into a new package
    LibCST 1.9 `python -m libcst.tool codemod rename.RenameCommand` for one module

`python -m benchmarks.anchors rope REPO MODULE_PATH DEST_PACKAGE_DIR [--ignore PATH...]`
is the rope script the runner measures (run with the anchors' interpreter).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".cache" / "anchors-venv"
ROPE = "rope==1.15.0"
LIBCST = "libcst==1.9.0"


def python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv() -> Path:
    """The anchors' interpreter, with rope and LibCST at the pinned versions."""
    interpreter = python()
    if not interpreter.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    wanted = {"rope": ROPE.split("==")[1], "libcst": LIBCST.split("==")[1]}
    probe = subprocess.run(
        [str(interpreter), "-c",
         "import importlib.metadata as m; print(m.version('rope'), m.version('libcst'))"],
        capture_output=True, text=True, check=False)
    if probe.returncode != 0 or probe.stdout.split() != [wanted["rope"], wanted["libcst"]]:
        subprocess.run([str(interpreter), "-m", "pip", "install", "--quiet", ROPE, LIBCST],
                       check=True)
    return interpreter


def versions() -> dict[str, str]:
    out = subprocess.run(
        [str(python()), "-c",
         "import importlib.metadata as m, sys; print(m.version('rope'), m.version('libcst'), "
         "sys.version.split()[0])"], capture_output=True, text=True, check=True).stdout.split()
    return {"rope": out[0], "libcst": out[1], "anchors_python": out[2]}


def rope_command(repo: Path, module_path: str, dest_package: str,
                 ignore: list[str]) -> list[str]:
    return [str(python()), str(Path(__file__).resolve()), "rope", str(repo), module_path,
            dest_package, *(arg for path in ignore for arg in ("--ignore", path))]


def libcst_command(old: str, new: str, jobs: int = 2) -> list[str]:
    """Run from the repo root."""
    return [str(python()), "-m", "libcst.tool", "codemod", "--no-format", f"--jobs={jobs}",
            "rename.RenameCommand", "--old_name", old, "--new_name", new, "."]


def _rope_move(repo: str, module_path: str, dest_package: str, ignore: list[str]) -> int:
    """Move one module into a new package with rope, the way an IDE does."""
    from rope.base.project import Project
    from rope.refactor.move import MoveModule

    destination = Path(repo) / dest_package
    destination.mkdir(parents=True, exist_ok=True)
    (destination / "__init__.py").touch()
    prefs = {"ignored_resources": [
        "*.pyc", "*~", ".ropeproject", ".hg", ".svn", "_svn", ".git", ".tox", ".venv",
        ".pyagent-workbench", *ignore]}
    project = Project(repo, ropefolder=None, **prefs)
    try:
        resource = project.get_resource(module_path)
        changes = MoveModule(project, resource).get_changes(project.get_resource(dest_package))
        project.do(changes)
        print(f"rope: {len(changes.get_changed_resources())} files changed")
    finally:
        project.close()
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] != ["rope"] or len(argv) < 4:
        print(__doc__)
        return 2
    ignore: list[str] = []
    rest = argv[4:]
    while rest[:1] == ["--ignore"] and len(rest) >= 2:
        ignore.append(rest[1])
        rest = rest[2:]
    return _rope_move(argv[1], argv[2], argv[3], ignore)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
