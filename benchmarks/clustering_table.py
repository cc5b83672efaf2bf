"""Issue 4's real-project table: our suggestion against plain Louvain and the project's
own structure.

Units are the modules inside the project's top-level subpackages (`django.db.models.
query`, `sympy.core.expr`), weighted by import statements; the expert grouping is the
top-level subpackage each module lives in (`django.db`, `sympy.core`). On the same unit
graph we run our clustering of the import graph alone (`analysis.clustering.cluster`
without words: the candidates it falls back on; `suggest` itself reads the words of
the code too, measured with names hidden by `benchmarks.expert_recovery`) and
plain `networkx.community.louvain_communities` (seed 0, resolution 1), and report each
one's MoJoFM against the expert grouping and its directed modularity (the figure
`suggest` reports), next to the expert grouping's own modularity.

    python -m benchmarks.clustering_table TREE PACKAGE    prints one JSON line
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

import networkx as nx
from pyagent_workbench.analysis.clustering import _directed_modularity, _undirected, cluster
from pyagent_workbench.analysis.compare import mojofm
from pyagent_workbench.analysis.graph import build_graph
from pyagent_workbench.analysis.units import Unit, UnitGraph
from pyagent_workbench.repo import Repo


def module_units(tree: Path, package: str) -> tuple[UnitGraph, dict[str, str]]:
    repo = Repo(tree, source_root=".", packages=[package])
    graph = build_graph(repo, use_cache=False)
    expert = {m: ".".join(m.split(".")[:2]) for m in graph.modules if m.count(".") >= 1}
    # Only modules inside a subpackage: a module directly under the top package has no
    # group in the expert grouping.
    expert = {m: g for m, g in expert.items()
              if any(o.startswith(g + ".") for o in graph.modules) and g in graph.modules}
    units = {m: Unit(m, package, (m,)) for m in sorted(expert)}
    weights: Counter[tuple[str, str]] = Counter()
    for record in graph.imports:
        if record.importer in units and record.imported in units and (
                record.importer != record.imported):
            weights[(record.importer, record.imported)] += 1
    return UnitGraph([package], units, dict(weights), {}, {m: m for m in units}), expert


def table_row(tree: Path, package: str, seed: int = 0) -> dict[str, object]:
    units, expert = module_units(tree, package)
    members = sorted(units.units)
    member_set = set(members)

    def figures(groups: list[list[str]] | tuple[tuple[str, ...], ...]) -> dict[str, object]:
        label = {u: i for i, group in enumerate(groups) for u in group}
        return {"groups": len(groups), "mojofm": round(mojofm(label, expert), 1),
                "modularity": round(_directed_modularity(groups, units.weights, member_set), 4)}

    by_expert: dict[str, list[str]] = {}
    for member in members:
        by_expert.setdefault(expert[member], []).append(member)
    start = time.perf_counter()
    ours = cluster(units, members, seed=seed)
    ours_time = time.perf_counter() - start
    graph = _undirected(members, units.weights)
    louvain = [sorted(p) for p in nx.community.louvain_communities(graph, weight="weight",
                                                                   seed=seed)]
    return {
        "package": package, "units": len(members), "edges": len(units.weights),
        "import_statements": sum(units.weights.values()),
        "expert": figures(list(by_expert.values())),
        "ours": {**figures(ours.groups), "method": ours.method, "seconds": round(ours_time, 2)},
        "louvain": figures(louvain),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    print(json.dumps(table_row(Path(argv[0]), argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
