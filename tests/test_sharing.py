"""Sharing a migration: the report for the pull request, the workbench in a browser,
the pre-commit hook and facade retirement."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from pyagent_workbench.analysis.graph import build_graph
from pyagent_workbench.analysis.planview import PlanView
from pyagent_workbench.model.plan import Plan
from pyagent_workbench.workspace import Workspace
from support.cli import run
from support.repos import ROOT, SAMPLE_REPO, copy_sample, git, tree_digest


def accept_all(plan_path: Path, must_fix: int = 0) -> list[tuple[str, str]]:
    edges = json.loads(run("edges", plan_path, "--json").out)["edges"]
    pairs = sorted({(e["importer"], e["imported"]) for e in edges})
    plan = Plan.load(plan_path)
    for index, (importer, imported) in enumerate(pairs):
        verdict = "must-fix" if index < must_fix else "accepted"
        plan.set_review(importer, imported, verdict, f"note {index}")
    plan.save()
    return pairs


# -- report ----------------------------------------------------------------------------------


def test_report_figures_match_the_analysis_core(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path / "sample", git_repo=False)
    plan_path = repo / "phase1.toml"
    pairs = accept_all(plan_path, must_fix=2)
    result = run("report", plan_path, "-o", tmp_path / "out/report.md")
    assert result.code == 0, result.err
    text = (tmp_path / "out/report.md").read_text()
    svg = tmp_path / "out/report-matrix.svg"

    workspace = Workspace.open(repo, plan_path)
    view = PlanView(workspace.repo, build_graph(workspace.repo), workspace.plan)
    figures = view.metrics.figures()
    assert f"| {figures.cross_tier_edges} |" in text.split("| cross-tier")[1].split("\n")[0]
    row = next(line for line in text.splitlines() if line.startswith("| modularity"))
    assert row.endswith(f"| {figures.modularity:.4f} |")
    row = next(line for line in text.splitlines() if line.startswith("| TurboMQ"))
    assert row.endswith(f"| {figures.turbomq:.4f} |")
    row = next(line for line in text.splitlines() if line.startswith("| upward"))
    assert row.endswith(f"| {figures.upward_edges} |")
    row = next(line for line in text.splitlines() if line.startswith("| tier cycles"))
    assert row.endswith(f"| {len(view.tier_cycles())} |")
    assert "## Must-fix edges (2)" in text
    assert f"## Accepted cross-tier edges ({len(pairs) - 2})" in text
    assert "| `src.infrastructure.tokenizer` | `src.infrastructure.engine.tokenization` |" in text
    assert "- files moved: 163" in text
    assert "pyagent-workbench check phase1.toml" in text
    assert "![Tier-by-tier matrix of cross-tier edges](report-matrix.svg)" in text

    tree = ElementTree.parse(svg)
    counts = [int(t.text) for t in tree.iter("{http://www.w3.org/2000/svg}text")
              if t.text and t.text.isdigit()]
    assert sum(counts) == len(pairs)
    assert tree_digest(repo)  # nothing else asserted: report writes outside the repo here


# -- browser mode ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_on_loopback_with_the_app_page(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pyagent_workbench", "serve", str(SAMPLE_REPO), "--port",
         str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path)
    try:
        assert server.stderr is not None
        printed = server.stderr.readline()  # serving the workbench on URL (ctrl+c stops it)
        url = next((word for word in printed.split() if word.startswith("http://")), "")
        assert url.startswith(f"http://127.0.0.1:{port}/?token="), printed
        page = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=2) as reply:
                    page = reply.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert "pyagent-workbench" in page
        assert "textual" in page.lower()
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True,
                                   text=True, check=False).stdout
        for line in listening.splitlines():
            local_address = line.split()[3]
            assert local_address.startswith("127.0.0.1:"), line
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- pre-commit ------------------------------------------------------------------------------


@pytest.mark.slow
def test_pre_commit_hook_fails_on_a_new_cross_tier_import(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path / "sample")
    shutil.copy(repo / "phase1.toml", repo / "pyagent-plan.toml")
    accept_all(repo / "pyagent-plan.toml")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "plan with reviews")
    env = {**os.environ, "PRE_COMMIT_HOME": str(ROOT / ".pyagent-workbench" / "pre-commit"),
           "HOME": str(tmp_path)}
    pre_commit = str(Path(sys.executable).with_name("pre-commit"))

    def hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(ROOT), "pyagent-workbench-check", "--all-files"],
            cwd=repo, capture_output=True, text=True, env=env, check=False, timeout=900)

    passing = hook()
    assert passing.returncode == 0, passing.stdout[-3000:] + passing.stderr[-2000:]
    target = repo / "src/infrastructure/cuda/device.py"
    target.write_text(target.read_text() + "\nfrom src.infrastructure.fleet import health\n")
    git(repo, "add", "-A")
    failing = hook()
    assert failing.returncode == 1, failing.stdout[-3000:]
    assert "src.infrastructure.cuda.device -> src.infrastructure.fleet.health" in failing.stdout


# -- facades ---------------------------------------------------------------------------------


def test_facades_remove_only_the_unused_ones(tmp_path: Path) -> None:
    repo = copy_sample(tmp_path / "sample", approved=True)
    (repo / "tests/test_legacy_paths.py").write_text(
        "from unittest import mock\n\n"
        "from src.infrastructure.attention import paged\n\n\n"
        "def test_old_path_still_works():\n"
        "    with mock.patch(\"src.core.base.agent_core.AgentCore.shutdown\", return_value=[]):\n"
        "        assert paged is not None\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a legacy user")
    assert run("apply", repo / "phase1.toml", "--no-verify").code == 0
    legacy = (repo / "tests/test_legacy_paths.py").read_text()
    # apply rewrote the legacy test too; put the old paths back, as a team that has not
    # migrated yet would have them
    legacy = legacy.replace("src.infrastructure.engine.attention", "src.infrastructure.attention")
    legacy = legacy.replace("src.core.base.lifecycle.agent_core", "src.core.base.agent_core")
    (repo / "tests/test_legacy_paths.py").write_text(legacy)
    git(repo, "add", "-A")  # --remove, like apply, refuses uncommitted changes
    git(repo, "commit", "-q", "-m", "phase 1 applied; the legacy test keeps the old paths")

    listing = run("facades", repo / "phase1.toml", "--list", "--json")
    facades = {f["old"]: f for f in json.loads(listing.out)["facades"]}
    used = {old for old, f in facades.items() if f["used"]}
    # sample_repo/README.md shows `python -m src.infrastructure.api.cli` in a code block
    assert used == {"src.infrastructure.attention", "src.infrastructure.attention.paged",
                    "src.core.base.agent_core", "src.infrastructure.api",
                    "src.infrastructure.api.cli"}
    assert {u["path"] for u in facades["src.infrastructure.attention.paged"]["uses"]} == {
        "tests/test_legacy_paths.py"}

    removed = run("facades", repo / "phase1.toml", "--remove")
    assert removed.code == 0, removed.err
    remaining = {f["old"] for f in json.loads(
        run("facades", repo / "phase1.toml", "--list", "--json").out)["facades"]}
    assert remaining == used
    assert not (repo / "src/infrastructure/tokenizer").exists()
    assert (repo / "src/infrastructure/attention/__init__.py").exists()
    assert (repo / "src/infrastructure/attention/paged.py").exists()
    assert not (repo / "src/infrastructure/attention/backend_select.py").exists()
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=repo, capture_output=True, text=True, check=False)
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert "88 passed" in tests.stdout
