"""Repos for the use-case tests: a small package with a plan over it, and copies of the
sample repo with the proposal's plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.plans import write_plan
from support.repos import copy_sample, git_init, make_repo

SMALL: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/infra/__init__.py": "",
    "pkg/infra/db.py": "VALUE = 1\n",
    "pkg/infra/cache.py": "from pkg.infra import db\n\nCACHED = db.VALUE\n",
    "pkg/infra/api.py": "from pkg.infra.cache import CACHED\n\nSERVED = CACHED\n",
    "pkg/app.py": "import pkg.infra.db\n\nVALUE = pkg.infra.db.VALUE\n",
}
SMALL_MOVES = [("pkg.infra.db", "pkg.infra.storage.db"),
               ("pkg.infra.cache", "pkg.infra.storage.cache")]


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    """A git repo with an approved plan of two moves, `plan.toml`, committed."""
    repo = make_repo(tmp_path / "small", SMALL, git_repo=False)
    write_plan(repo / "plan.toml", SMALL_MOVES, packages=["pkg"])
    git_init(repo)
    return repo


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of sample_repo/ (the proposal's miniature) under git, with phase1.toml."""
    return copy_sample(tmp_path / "sample")
