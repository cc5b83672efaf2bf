"""Build small repos for tests from a dict of files, optionally as a git repo."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

from support.plans import review_and_approve

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_REPO = ROOT / "sample_repo"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str, check: bool = True) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(root)}
    result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                            env=env, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def git_init(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial", "--allow-empty")


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8", newline="")


def make_repo(root: Path, files: dict[str, str | bytes], *, git_repo: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_files(root, files)
    if git_repo:
        git_init(root)
    return root


def copy_sample(dest: Path, *, git_repo: bool = True, approved: bool = False) -> Path:
    """A copy of sample_repo/; `approved`: its `phase1.toml` (shipped as a draft) with
    every cross-tier edge accepted and approved, ready to apply."""
    shutil.copytree(SAMPLE_REPO, dest, ignore=shutil.ignore_patterns(
        "__pycache__", ".pytest_cache", ".pyagent-workbench", "*.pyc"))
    if approved:
        review_and_approve(dest / "phase1.toml", dest)
    if git_repo:
        git_init(dest)
    return dest


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root with its content hash, to compare before/after (the tool's
    own state in .pyagent-workbench/ and .git are left out)."""
    digest = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", ".pyagent-workbench")]
        for name in filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                digest[rel] = "symlink:" + os.readlink(path)
            else:
                digest[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest
