"""Generate Phase-I-shaped repos and plans over them, deterministically.

The repo is a top-level package named `src` holding `src/infrastructure/` (60 or more flat
packages, each with modules and an `impl/` subpackage) and a flat `src/core/base/`, plus
colocated `*_test.py` files and a `tests/` folder. Every import form the apply engine
rewrites appears: absolute `from a.b import f`, relative imports at depths one to three,
`import a.b as c`, `import a.b` with dotted uses in the body, `from pkg import submodule`,
star imports, imports inside functions and under `TYPE_CHECKING`, `__init__` re-exports,
and module paths in `mock.patch(...)` and `importlib.import_module(...)` strings.

Imports only go from a module to modules generated before it, so the graph is acyclic
and the repo is importable. Packages belong to hidden groups (their "true tiers"):
imports stay mostly inside a group, which gives the clustering something to find.

    python -m benchmarks.generate OUT --modules 2000 [--plan PLAN --moves 30]
"""

from __future__ import annotations

import argparse
import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from pyagent_workbench.model.plan import Plan

INFRA_TIERS = ("engine", "compute", "storage", "swarm", "services")
BASE_TIERS = ("registry", "state", "lifecycle")
_GROUPS = 6
_WORDS = (
    "attention", "cache", "router", "kv", "sampler", "tokens", "sched", "batch", "quant",
    "lora", "spec", "graph", "paged", "block", "prefix", "stream", "grammar", "tool", "agent",
    "swarm", "shard", "rpc", "auth", "audit", "trace", "metric", "config", "plugin", "sandbox",
    "eval", "retriever", "vector", "index", "store", "queue", "worker", "pool", "lease",
)


@dataclass
class Module:
    name: str
    """Dotted name."""
    path: str
    package: str
    """The package relative imports start from."""
    index: int
    """Global order: a module imports only modules with a lower index."""
    group: int
    functions: list[str] = field(default_factory=list)


@dataclass
class Layout:
    infra_packages: list[str]
    base_modules: list[str]
    modules: list[Module]


def _package_names(count: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    for i in range(count):
        word = _WORDS[i % len(_WORDS)]
        names.append(f"{word}_{i:03d}")
    return names


def plan_layout(total: int, seed: int = 0) -> Layout:
    """How `total` modules split into packages, and their order."""
    rng = random.Random(seed)
    base_count = max(12, total // 10)
    package_count = max(60, 60 + (total - 1000) // 90)
    # `total` counts every module grimp sees: colocated tests (one in seven modules) and
    # the two `__init__` files of each package included.
    infra_total = int(total * 6 / 7) - base_count
    per_package = max(4, infra_total // package_count)
    modules: list[Module] = []
    index = 0
    base_modules = [f"{_WORDS[i % len(_WORDS)]}_base_{i:03d}" for i in range(base_count)]
    # core/base comes first: the foundation every infrastructure package may import.
    for name in base_modules:
        dotted = f"src.core.base.{name}"
        modules.append(Module(dotted, f"src/core/base/{name}.py", "src.core.base", index,
                              group=-1))
        index += 1
    packages = _package_names(package_count, rng)
    for p, package in enumerate(packages):
        group = p * _GROUPS // package_count
        dotted_package = f"src.infrastructure.{package}"
        impl = max(1, per_package // 4)
        flat = per_package - impl - 2  # minus the two __init__ files
        for m in range(max(1, flat)):
            name = f"{dotted_package}.m{m:02d}"
            modules.append(Module(name, f"src/infrastructure/{package}/m{m:02d}.py",
                                  dotted_package, index, group))
            index += 1
        for m in range(impl):
            name = f"{dotted_package}.impl.k{m:02d}"
            modules.append(Module(name, f"src/infrastructure/{package}/impl/k{m:02d}.py",
                                  f"{dotted_package}.impl", index, group))
            index += 1
    for module in modules:
        short = module.name.rpartition(".")[2]
        module.functions = [f"{short}_f{j}" for j in range(3)]
    return Layout([f"src.infrastructure.{p}" for p in packages], base_modules, modules)


def _relative(importer: Module, target: Module) -> str | None:
    """`from <dots><rest> import` text for `target` seen from `importer`, if both share
    the top of the infrastructure package (depth one to three)."""
    a = importer.package.split(".")
    b = target.name.split(".")
    common = 0
    while common < min(len(a), len(b) - 1) and a[common] == b[common]:
        common += 1
    if common < 3:  # above src.infrastructure: keep absolute
        return None
    dots = len(a) - common + 1
    rest = ".".join(b[common:])
    return "." * dots + rest


def _choose_targets(module: Module, layout: Layout, rng: random.Random, count: int
                    ) -> list[Module]:
    earlier = layout.modules[: module.index]
    if not earlier:
        return []
    same_package = [m for m in earlier if m.package.startswith(module.package.rsplit(".impl")[0])
                    and m.group == module.group and m.group >= 0]
    same_group = [m for m in earlier[-600:] if m.group == module.group]
    base = [m for m in earlier if m.group == -1]
    chosen: list[Module] = []
    for _ in range(count):
        roll = rng.random()
        if same_package and roll < 0.45:
            pool = same_package
        elif same_group and roll < 0.8:
            pool = same_group
        elif base and roll < 0.95:
            pool = base
        else:
            pool = earlier
        target = pool[rng.randrange(len(pool))]
        if target not in chosen:
            chosen.append(target)
    return chosen


def module_source(module: Module, layout: Layout, rng: random.Random) -> str:
    targets = _choose_targets(module, layout, rng, rng.randint(3, 7))
    short_name = module.name.rpartition(".")[2]
    top: list[str] = [f'"""{short_name}: generated for the pyagent-workbench benchmarks."""',
                      "", "from __future__ import annotations", "", "import importlib",
                      "from typing import TYPE_CHECKING", ""]
    body_calls: list[str] = []
    late: list[str] = []
    typing_only: list[str] = []
    for i, target in enumerate(targets):
        func = target.functions[i % len(target.functions)]
        form = (module.index + i) % 9
        relative = _relative(module, target)
        parent, _, short = target.name.rpartition(".")
        if form in (0, 1) and relative is not None:
            top.append(f"from {relative} import {func}")
            body_calls.append(f"{func}()")
        elif form == 2:
            top.append(f"from {parent} import {short}")
            body_calls.append(f"{short}.{func}()")
        elif form == 3:
            alias = f"_{short}_{i}"
            top.append(f"import {target.name} as {alias}")
            body_calls.append(f"{alias}.{func}()")
        elif form == 4:
            top.append(f"import {target.name}")
            body_calls.append(f"{target.name}.{func}()")
        elif form == 5 and relative is not None and relative.startswith(".."):
            rel_parent, _, rel_short = relative.rpartition(".")
            top.append(f"from {rel_parent or '.'} import {rel_short}")
            body_calls.append(f"{rel_short}.{func}()")
        elif form == 6:
            late.append(f"    from {target.name} import {func}")
            late.append(f"    {func}()")
        elif form == 7:
            typing_only.append(f"    from {target.name} import {func}")
        else:
            top.append(f"from {target.name} import {func}")
            body_calls.append(f"{func}()")
    if module.group == -1 and module.index % 5 == 4 and module.index > 0:
        star = layout.modules[module.index - 1]
        top.append(f"from {star.name} import *  # noqa: F403")
    if typing_only:
        top += ["", "if TYPE_CHECKING:", *typing_only]
    lines = [*top, "", f"__all__ = {module.functions!r}", ""]
    for j, func in enumerate(module.functions):
        lines += ["", f"def {func}(value: int = {j}) -> int:",
                  f'    """Step {j} of {module.name.rpartition(".")[2]}."""',
                  f"    return value + {j}", ""]
    lines += ["", "def run() -> list[object]:", '    """Call what this module imports."""',
              "    results: list[object] = []"]
    lines += [f"    results.append({call})" for call in body_calls]
    if late:
        lines += ["    return results + [late()]", "", "", "def late() -> object:"]
        lines += late
        lines += ["    return None"]
    else:
        lines += ["    return results"]
    if targets and module.index % 4 == 0:
        target = targets[0]
        lines += ["", "", "def plugin() -> object:",
                  f'    return importlib.import_module("{target.name}")']
    lines += ["", "", f"class {module.name.rpartition('.')[2].title().replace('_', '')}:",
              '    """A class so that the module is not only functions."""', "",
              "    def __init__(self, size: int = 3) -> None:", "        self.size = size", "",
              "    def total(self) -> int:",
              "        return sum(range(self.size))", ""]
    return "\n".join(lines)


def test_source(module: Module) -> str:
    short = module.name.rpartition(".")[2]
    func = module.functions[0]
    return "\n".join([
        f'"""Colocated test of {short}."""', "", "from unittest import mock", "",
        f"from {module.name} import {func}", "", "",
        f"def test_{func}() -> None:",
        f"    assert {func}(1) == 1", "", "",
        f"def test_{short}_patched() -> None:",
        f'    with mock.patch("{module.name}.{module.functions[1]}", return_value=7) as fake:',
        "        assert fake() == 7", "",
    ])


def package_init(package: str, members: list[Module]) -> str:
    reexport = [m for m in members if m.package == package][:2]
    lines = [f'"""{package}."""', ""]
    for member in reexport:
        lines.append(f"from .{member.name.rpartition('.')[2]} import {member.functions[0]}")
    lines += ["", f"__all__ = {[m.functions[0] for m in reexport]!r}", ""]
    return "\n".join(lines)


def generate(out: Path, total: int, *, seed: int = 0, git: bool = True) -> Layout:
    """Write a repo of about `total` modules (test files and `__init__` files aside)."""
    rng = random.Random(seed)
    layout = plan_layout(total, seed)
    files: dict[str, str] = {
        "src/__init__.py": '"""The Phase I codebase (generated)."""\n',
        "src/core/__init__.py": "",
        "src/core/base/__init__.py": '"""Flat foundation modules."""\n',
        "src/infrastructure/__init__.py": '"""Flat infrastructure packages."""\n',
        "tests/__init__.py": "",
        "pyproject.toml": "[project]\nname = \"generated\"\nversion = \"0\"\n\n"
                          "[tool.pytest.ini_options]\ntestpaths = [\"tests\", \"src\"]\n",
        "README.md": "Generated for the pyagent-workbench benchmarks.\n",
    }
    by_package: dict[str, list[Module]] = {}
    for module in layout.modules:
        by_package.setdefault(module.package, []).append(module)
        files[module.path] = module_source(module, layout, rng)
        if module.index % 7 == 3:
            files[module.path.replace(".py", "_test.py")] = test_source(module)
    for package in layout.infra_packages:
        directory = package.replace(".", "/")
        files[f"{directory}/__init__.py"] = package_init(package, by_package.get(package, []))
        files[f"{directory}/impl/__init__.py"] = package_init(
            f"{package}.impl", by_package.get(f"{package}.impl", []))
        files[f"{directory}/data/defaults.json"] = '{"generated": true}\n'
    for i, package in enumerate(layout.infra_packages[::3]):
        target = by_package[package][0]
        files[f"tests/test_{package.rpartition('.')[2]}.py"] = "\n".join([
            "from unittest import mock", "",
            f"import {target.name}", "", "",
            f"def test_{i}() -> None:",
            f'    with mock.patch("{target.name}.{target.functions[0]}") as fake:',
            f"        {target.name}.{target.functions[0]}()",
            "        assert fake.called", ""])
    out.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if git:
        subprocess.run(["git", "init", "-q", str(out)], check=True)
        subprocess.run(["git", "-C", str(out), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(out), "-c", "user.name=bench", "-c",
                        "user.email=bench@localhost", "-c", "commit.gpgsign=false", "commit",
                        "-q", "-m", "generated"], check=True)
    return layout


FLAT_TOPICS = 30


def generate_flat(out: Path, total: int, *, seed: int = 0) -> None:
    """Write one package of `total` sibling modules (`flat.m0000`...): the worst case
    for a suggestion, a single container of thousands of units. Each module belongs to
    one of `FLAT_TOPICS` topics, whose word it carries in its docstring and function
    names; it imports three modules at random and two of its topic."""
    rng = random.Random(seed)
    files = {"flat/__init__.py": '"""One flat package (generated)."""\n',
             "pyproject.toml": "[project]\nname = \"flat\"\nversion = \"0\"\n"}
    for i in range(total):
        topic = i % FLAT_TOPICS
        others = rng.sample(range(total), 3) + [
            rng.randrange(topic, total, FLAT_TOPICS) for _ in range(2)]
        lines = [f"from flat import m{o:04d}" for o in sorted(set(others)) if o != i]
        lines += ["", "", f'"""Part {i} of the topic{topic} handling."""', "", "",
                  f"def topic{topic}_step_{i}(value: int) -> int:",
                  "    return value", ""]
        files[f"flat/m{i:04d}.py"] = "\n".join(lines)
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_plan(layout: Layout, moves: int, path: Path, *, seed: int = 0) -> Path:
    """An approved plan of `moves` moves: two thirds infrastructure packages into tier
    packages, one third core/base modules into tier subpackages."""
    rng = random.Random(seed + moves)
    plan = Plan.new(source_root=".", packages=["src"])
    plan.set_repo(containers=["src.infrastructure", "src.core.base"])
    for tier in INFRA_TIERS:
        plan.add_tier(tier, f"src.infrastructure.{tier}")
    for tier in BASE_TIERS:
        plan.add_tier(tier, f"src.core.base.{tier}")
    infra_moves = min(len(layout.infra_packages), moves - moves // 3)
    base_moves = moves - infra_moves
    infra = rng.sample(layout.infra_packages, infra_moves)
    base = rng.sample(layout.base_modules, min(base_moves, len(layout.base_modules)))
    for i, package in enumerate(sorted(infra)):
        tier = INFRA_TIERS[i % len(INFRA_TIERS)]
        plan.set_move(package, f"src.infrastructure.{tier}.{package.rpartition('.')[2]}", tier)
    for i, name in enumerate(sorted(base)):
        tier = BASE_TIERS[i % len(BASE_TIERS)]
        plan.set_move(f"src.core.base.{name}", f"src.core.base.{tier}.{name}", tier)
    plan.set_status("approved")
    plan.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--modules", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plan", type=Path)
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--no-git", action="store_true")
    args = parser.parse_args(argv)
    layout = generate(args.out, args.modules, seed=args.seed, git=not args.no_git)
    print(f"{args.out}: {len(layout.modules)} modules, {len(layout.infra_packages)} "
          f"infrastructure packages, {len(layout.base_modules)} core/base modules")
    if args.plan:
        write_plan(layout, args.moves, args.plan, seed=args.seed)
        print(f"{args.plan}: {args.moves} moves")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
