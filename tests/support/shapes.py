"""Repos of the shapes real projects have, for choosing what to restructure: many
sibling modules or packages, with or without imports between them."""

from __future__ import annotations

import random
from pathlib import Path

from support.repos import make_repo


def siblings(rng: random.Random, prefix: str, count: int, imports: int, *,
             packages: bool = False, others: list[str] | None = None) -> dict[str, str | bytes]:
    """`count` children of `prefix`, each importing `imports` random siblings."""
    names = [f"{prefix}.m{i:02d}" for i in range(count)]
    files: dict[str, str | bytes] = {prefix.replace(".", "/") + "/__init__.py": ""}
    for name in names:
        chosen = rng.sample([n for n in names if n != name], imports) if imports else []
        chosen += others or []
        body = "".join(f"import {c}\n" for c in chosen) + "X = 1\n"
        path = name.replace(".", "/")
        if packages:
            files[f"{path}/__init__.py"] = ""
            files[f"{path}/core.py"] = body
        else:
            files[f"{path}.py"] = body
    return files


def django_shaped(root: Path) -> Path:
    """A project like Django: a locale package of 40 translations (no imports between
    them), a flat `utils` of 30 modules, a `db.models` of 20 tightly knit modules, a
    `contrib` of 12 small apps, seven middling packages of 9 children that hardly import
    each other, and a vendored library of 30 modules: 13 packages with 8 or more
    children, proj itself included."""
    rng = random.Random(7)
    files: dict[str, str | bytes] = {"proj/__init__.py": "", "proj/db/__init__.py": ""}
    files |= siblings(rng, "proj.conf.locale", 40, 0, packages=True)
    files["proj/conf/__init__.py"] = ""
    files |= siblings(rng, "proj.utils", 30, 3)
    files |= siblings(rng, "proj.db.models", 20, 6)
    files |= siblings(rng, "proj.contrib", 12, 2, packages=True, others=["proj.utils.m00"])
    files |= siblings(rng, "proj._vendor.lib", 30, 8)
    files["proj/_vendor/__init__.py"] = ""
    for index in range(7):
        files |= siblings(rng, f"proj.part{index}", 9, 0,
                          others=[f"proj.part{index}.m00"] if index % 2 else [])
    return make_repo(root, files)
