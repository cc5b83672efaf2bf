"""Name a suggested tier from its members.

Member names are split into words and matched against a small vocabulary of the
tiers codebases usually grow (engine, compute, storage, ...); the best-matching free
word names the tier. With no match the tier is named after its most connected member.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pyagent_workbench.model.names import is_identifier

VOCABULARY: dict[str, tuple[str, ...]] = {
    "engine": ("attention", "decoding", "decoder", "sampling", "sampler", "logprobs", "token",
               "tokenization", "tokenizer", "position", "structured", "speculative", "inference",
               "generation", "model", "models", "layers", "embedding", "transformer"),
    "compute": ("cuda", "gpu", "kernel", "kernels", "quantization", "compilation", "compiler",
                "tensorizer", "tensor", "lora", "moe", "ssm", "backend", "backends", "triton",
                "accelerator", "device", "ops"),
    "storage": ("memory", "cache", "caching", "kv", "transfer", "serialization", "db",
                "database", "store", "storage", "persistence", "orm", "migrations", "files",
                "sessions"),
    "swarm": ("fleet", "distributed", "parallel", "network", "worker", "workers",
              "orchestration", "voyager", "cluster", "scheduler", "scheduling", "rpc", "queue"),
    "services": ("logging", "log", "metrics", "api", "openai", "docker", "cloud", "mediaio",
                 "sandbox", "execution", "resilience", "plugins", "plugin", "telemetry",
                 "server", "http", "service"),
    "registry": ("registry", "mapper", "loader", "architecture", "discovery", "catalog"),
    "state": ("state", "history", "scratchpad", "context", "session", "snapshot"),
    "lifecycle": ("lifecycle", "shutdown", "update", "core", "startup", "graceful", "boot"),
    "execution": ("command", "handler", "delegator", "executor", "shell", "dispatch", "runner"),
    "common": ("defaults", "exceptions", "interfaces", "utilities", "utils", "util", "common",
               "config", "constants", "types", "helpers", "version", "errors"),
    "web": ("urls", "views", "templates", "template", "forms", "middleware", "handlers",
            "request", "response", "wsgi", "asgi", "templatetags"),
    "security": ("auth", "security", "crypto", "signing", "permissions", "csrf"),
    "io": ("io", "mediaio", "audio", "vision", "image", "images", "files", "parsing", "parser"),
    "printing": ("printing", "printer", "pretty", "latex", "repr", "format", "formatting"),
    "testing": ("testing", "test", "tests", "fixtures", "mock"),
}


def words(unit: str) -> list[str]:
    return [w for w in unit.rpartition(".")[2].lower().split("_") if w]


def name_tiers(groups: list[list[str]], centrality: dict[str, float],
               taken: Iterable[str]) -> list[str]:
    """One unique identifier per group; `taken` are names that must not be used (the
    container's existing children, other containers' tiers)."""
    used = set(taken)
    everyone = [m for members in groups for m in members]
    frequency = Counter(w for m in everyone for w in set(words(m)))
    # A word most units share (`agent_*`, `base_*`) says nothing about any one group.
    generic = {w for w, n in frequency.items() if n > max(2, len(everyone) // 2)}
    scores: list[tuple[float, int, str]] = []
    for index, members in enumerate(groups):
        counts: dict[str, float] = {}
        for member in members:
            member_words = set(words(member)) - generic
            for tier, vocabulary in VOCABULARY.items():
                hits = member_words & set(vocabulary)
                if hits:
                    counts[tier] = counts.get(tier, 0.0) + 1 + 0.001 * centrality.get(member, 0)
        for tier, score in counts.items():
            scores.append((score / max(1, len(members)) ** 0.5, index, tier))
    names: dict[int, str] = {}
    for _score, index, tier in sorted(scores, key=lambda s: (-s[0], s[1], s[2])):
        if index in names or tier in used:
            continue
        names[index] = tier
        used.add(tier)
    result = []
    for index, members in enumerate(groups):
        if index in names:
            result.append(names[index])
            continue
        central = max(sorted(members), key=lambda m: centrality.get(m, 0))
        base = f"{central.rpartition('.')[2]}_tier"
        candidate = base if is_identifier(base) else "tier"
        number = 2
        while candidate in used:
            candidate = f"{base}{number}"
            number += 1
        used.add(candidate)
        result.append(candidate)
    return result
