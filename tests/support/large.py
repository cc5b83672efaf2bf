"""A generated repo of Django's shape for the workbench at scale: several containers of
many sibling packages, a plan with many tiers, a long "stays" column and hundreds of
cross-tier imports. Seeded, so every run draws the same repo."""

from __future__ import annotations

import random
from pathlib import Path

from pyagent_workbench.model.plan import Plan

from support.repos import make_repo

CONTAINERS = {"big.apps": 120, "big.contrib": 80, "big.core": 40}
"""Container -> how many sibling units it holds."""
TIERS_PER_CONTAINER = {"big.apps": 12, "big.contrib": 8, "big.core": 4}


def unit_names(container: str) -> list[str]:
    short = container.rsplit(".", 1)[1]
    return [f"{container}.{short}_{i:03d}" for i in range(CONTAINERS[container])]


def large_files(seed: int = 13) -> dict[str, str | bytes]:
    """Every unit a package with two modules; each unit imports six others at random
    (within its container mostly), so the plan below crosses tiers several hundred times."""
    rng = random.Random(seed)
    everything = [u for c in CONTAINERS for u in unit_names(c)]
    files: dict[str, str | bytes] = {"big/__init__.py": ""}
    for container in CONTAINERS:
        files[container.replace(".", "/") + "/__init__.py"] = ""
        units = unit_names(container)
        for unit in units:
            path = unit.replace(".", "/")
            others = rng.sample(units, 5) + rng.sample(everything, 1)
            imports = "".join(f"import {o}.models\n" for o in others if o != unit)
            files[f"{path}/__init__.py"] = ""
            files[f"{path}/models.py"] = f'"""{unit}."""\n\nVALUE = 1\n'
            files[f"{path}/views.py"] = f"{imports}\nfrom {unit} import models\n"
    return files


def large_plan(repo: Path, seed: int = 13) -> Plan:
    """Tiers in every container; two thirds of the units placed, the rest stay."""
    rng = random.Random(seed)
    plan = Plan.new(source_root=".", packages=["big"])
    plan.set_repo(containers=list(CONTAINERS))
    for container, count in TIERS_PER_CONTAINER.items():
        short = container.rsplit(".", 1)[1]
        tiers = [f"{short}_tier{i}" for i in range(count)]
        for layer, tier in enumerate(tiers, start=1):
            plan.add_tier(tier, f"{container}.{tier}", layer)
        for unit in unit_names(container):
            if rng.random() < 2 / 3:
                tier = rng.choice(tiers)
                plan.set_move(unit, f"{container}.{tier}.{unit.rsplit('.', 1)[1]}", tier)
    plan.path = repo / "plan.toml"
    return plan


def make_large_repo(root: Path, seed: int = 13) -> Path:
    """The repo under git, with its plan saved as `plan.toml` (a draft)."""
    repo = make_repo(root, large_files(seed))
    large_plan(repo, seed).save(repo / "plan.toml")
    return repo
