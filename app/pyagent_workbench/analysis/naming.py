"""Name a suggested tier from its members, in the container's own words.

A tier takes the word its members share (`cache_store`, `cache_index` -> `cache`) when
the word says something about this group: most of its carriers are here and it is not
carried by most of the container (`agent_*`, `base_*`). A group whose members share no
word is named from its two most central members (`attention_decoding`): a name is never
a word none of its members carries, and no list of words written for one codebase
decides it. Names are identifiers, unique, and never the name of a module already in the
container (the tier's package would take its place).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pyagent_workbench.model.names import is_identifier

MIN_SHARE = 0.25
"""A word names a group only if at least this share of its members carry it: rich's
console, segment, control and a dozen more are not `windows` because `_windows` and
`_windows_renderer` are among them (the central members name such a group)."""


def words(unit: str) -> list[str]:
    return [w for w in unit.rpartition(".")[2].lower().split("_") if w]


def name_tiers(groups: list[list[str]], centrality: dict[str, float],
               taken: Iterable[str]) -> list[str]:
    """One unique identifier per group; `taken` are names that must not be used (the
    container's existing children, other containers' tiers)."""
    used = set(taken)
    everyone = [m for members in groups for m in members]
    carriers = Counter(w for m in everyone for w in set(words(m)))
    # A word most units share (`agent_*`, `base_*`) says nothing about any one group.
    generic = {w for w, n in carriers.items() if n > max(2, len(everyone) // 2)}

    shared: list[tuple[float, int, int, str]] = []
    for index, members in enumerate(groups):
        counts = Counter(w for m in members for w in set(words(m)) - generic)
        for word, count in counts.items():
            if count >= max(2, MIN_SHARE * len(members)) and is_identifier(word) and (
                    not word.isdigit()):
                # How much of the group carries it, times how much of its carriers are
                # here: `cache` on 3 of 4 members and nowhere else beats `util` on 2.
                score = (count / len(members)) * (count / carriers[word])
                shared.append((score, count, index, word))
    names: dict[int, str] = {}
    for _score, _count, index, word in sorted(shared, key=lambda s: (-s[0], -s[1], s[2], s[3])):
        if index not in names and word not in used:
            names[index] = word
            used.add(word)

    result = []
    for index, members in enumerate(groups):
        if index not in names:
            names[index] = _from_members(members, centrality, carriers, generic, used)
            used.add(names[index])
        result.append(names[index])
    return result


def _from_members(members: list[str], centrality: dict[str, float], carriers: Counter[str],
                  generic: set[str], used: set[str]) -> str:
    """The most central members' most telling words, joined: `attention_decoding`."""
    ranked = sorted(members, key=lambda m: (-centrality.get(m, 0.0), m))
    telling = []
    for member in ranked:
        member_words = [w for w in words(member) if is_identifier(w) and not w.isdigit()]
        if not member_words:
            continue
        own = [w for w in member_words if w not in generic] or member_words
        word = min(own, key=lambda w: (carriers[w], -len(w), w))  # its rarest word
        if word not in telling:
            telling.append(word)
    candidates = []
    if telling:
        candidates.append(telling[0])
    candidates += [f"{a}_{b}" for i, a in enumerate(telling) for b in telling[i + 1:]]
    for candidate in candidates:
        if candidate not in used and is_identifier(candidate):
            return candidate
    central = ranked[0].rpartition(".")[2]
    base = f"{central}_tier" if is_identifier(f"{central}_tier") else "tier"
    candidate, number = base, 2
    while candidate in used:
        candidate = f"{base}{number}"
        number += 1
    return candidate
