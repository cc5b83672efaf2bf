"""Real projects for the benchmarks: Django and sympy sdists, fetched from PyPI with pip
into `benchmarks/.cache/` (git-ignored, never committed), and the plans used on them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from pyagent_workbench.model.plan import Plan

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"

DJANGO = "Django==5.2.19"
SYMPY = "sympy==1.14.0"


def fetch_sdist(requirement: str) -> Path:
    """The extracted sdist tree (`pip download --no-deps --no-binary :all:`), once."""
    name, version = requirement.split("==")
    extracted = CACHE / "src" / f"{name.lower()}-{version}"
    if extracted.is_dir():
        return extracted
    downloads = CACHE / "sdists"
    downloads.mkdir(parents=True, exist_ok=True)
    archives = sorted(downloads.glob(f"{name.lower()}-{version}.tar.gz"))
    if not archives:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
             ":all:", requirement, "-d", str(downloads)], check=True)
        archives = sorted(downloads.glob(f"{name.lower()}-{version}.tar.gz"))
    if not archives:
        raise SystemExit(f"pip download {requirement} left no sdist in {downloads}")
    extracted.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archives[0]) as archive:
        archive.extractall(extracted.parent, filter="data")
    return extracted


def git_snapshot(tree: Path, destination: Path) -> Path:
    """A git work tree of `tree` with everything committed: the pristine copy every run
    starts from (apply refuses a dirty tree, and a user's repo is a git repo)."""
    if (destination / ".git").is_dir():
        return destination
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(tree, destination, symlinks=True)
    env_args = ["-c", "user.name=bench", "-c", "user.email=bench@localhost",
                "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(destination)], check=True)
    subprocess.run(["git", "-C", str(destination), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(destination), *env_args, "commit", "-q", "-m", "pristine"],
                   check=True)
    return destination


def fresh_copy(pristine: Path, destination: Path) -> Path:
    """A copy of a pristine snapshot (git metadata included) for one destructive run."""
    if destination.exists():
        subprocess.run(["rm", "-rf", str(destination)], check=True)
    subprocess.run(["cp", "-a", str(pristine), str(destination)], check=True)
    # A copy's git index has stale stat data (new inodes): refresh it, as it is in the
    # user's own checkout, so that `git status` inside the measurement is not a re-hash.
    subprocess.run(["git", "-C", str(destination), "update-index", "-q", "--refresh"],
                   check=False, capture_output=True)
    return destination


# -- Django: the 30-move plan ------------------------------------------------------------

DJANGO_MOVES: list[tuple[str, str, str]] = [
    # django.utils: module moves into three new subpackages (hot modules included).
    ("django.utils.text", "django.utils.strings.text", "strings"),
    ("django.utils.html", "django.utils.strings.html", "strings"),
    ("django.utils.encoding", "django.utils.strings.encoding", "strings"),
    ("django.utils.safestring", "django.utils.strings.safestring", "strings"),
    ("django.utils.dateparse", "django.utils.time.dateparse", "time"),
    ("django.utils.dateformat", "django.utils.time.dateformat", "time"),
    ("django.utils.timezone", "django.utils.time.timezone", "time"),
    ("django.utils.functional", "django.utils.meta.functional", "meta"),
    ("django.utils.module_loading", "django.utils.meta.module_loading", "meta"),
    ("django.utils.deconstruct", "django.utils.meta.deconstruct", "meta"),
    ("django.utils.datastructures", "django.utils.meta.datastructures", "meta"),
    ("django.utils.crypto", "django.utils.meta.crypto", "meta"),
    # django.core: package moves and module moves.
    ("django.core.cache", "django.core.services.cache", "services"),
    ("django.core.mail", "django.core.services.mail", "services"),
    ("django.core.serializers", "django.core.services.serializers", "services"),
    ("django.core.files", "django.core.services.files", "services"),
    ("django.core.checks", "django.core.services.checks", "services"),
    ("django.core.signing", "django.core.services.signing", "services"),
    ("django.core.paginator", "django.core.services.paginator", "services"),
    ("django.core.validators", "django.core.services.validators", "services"),
    # django.contrib: whole apps (packages) into two new subpackages.
    ("django.contrib.humanize", "django.contrib.extras.humanize", "extras"),
    ("django.contrib.sitemaps", "django.contrib.extras.sitemaps", "extras"),
    ("django.contrib.redirects", "django.contrib.extras.redirects", "extras"),
    ("django.contrib.flatpages", "django.contrib.extras.flatpages", "extras"),
    ("django.contrib.syndication", "django.contrib.extras.syndication", "extras"),
    ("django.contrib.admindocs", "django.contrib.extras.admindocs", "extras"),
    ("django.contrib.sessions", "django.contrib.web.sessions", "web"),
    ("django.contrib.messages", "django.contrib.web.messages", "web"),
    ("django.contrib.sites", "django.contrib.web.sites", "web"),
    ("django.contrib.postgres", "django.contrib.web.postgres", "web"),
]

DJANGO_TIERS = {
    "strings": "django.utils.strings",
    "time": "django.utils.time",
    "meta": "django.utils.meta",
    "services": "django.core.services",
    "extras": "django.contrib.extras",
    "web": "django.contrib.web",
}

DJANGO_PREVIEW_SOURCE = "django.utils.text"
"""The one move previewed (the TUI's diff pane): the module rope moves too."""


def write_django_plan(repo: Path, name: str = "bench-plan.toml") -> Path:
    plan = Plan.new(source_root=".", packages=["django"])
    for tier, package in DJANGO_TIERS.items():
        plan.add_tier(tier, package)
    for source, target, tier in DJANGO_MOVES:
        plan.set_move(source, target, tier)
    plan.set_status("approved")
    path = repo / name
    plan.save(path)
    return path
