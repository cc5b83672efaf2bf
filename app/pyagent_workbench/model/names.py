"""Dotted module names: validation and prefix arithmetic on a dotted-name boundary."""

from __future__ import annotations

import keyword
import unicodedata


def is_identifier(part: str) -> bool:
    """A name Python imports by this very spelling: an identifier, not a keyword, and in
    NFKC form (Python normalises `ｂ` to `b` when it imports, so a file named `ｂ.py` is
    never found as `ｂ`)."""
    return (part.isidentifier() and not keyword.iskeyword(part)
            and unicodedata.normalize("NFKC", part) == part)


def is_dotted_name(name: str) -> bool:
    """True for `a.b.c` where every part is a Python identifier that is not a keyword."""
    return bool(name) and all(is_identifier(part) for part in name.split("."))


def is_graph_module_name(name: str) -> bool:
    """True for a module's dotted name as the import graph finds it: each part an
    identifier, or a file stem that `importlib` loads though no import statement can
    spell it (Django's `migrations.0001_initial`). Reviews name such modules: an edge
    from a migration is as real as any other."""
    return bool(name) and all(
        ("_" + part).isidentifier() and unicodedata.normalize("NFKC", part) == part
        for part in name.split("."))


def is_within(name: str, ancestor: str) -> bool:
    """True when `name` is `ancestor` or lies below it (`a.b.c` within `a.b`, not `a.bc`)."""
    return name == ancestor or name.startswith(ancestor + ".")


def is_strictly_within(name: str, ancestor: str) -> bool:
    return name.startswith(ancestor + ".")


def parent(name: str) -> str:
    return name.rpartition(".")[0]


def last(name: str) -> str:
    return name.rpartition(".")[2]


def rebase(name: str, old_prefix: str, new_prefix: str) -> str:
    """`rebase("a.b.c", "a.b", "x.y") == "x.y.c"`; `name` must lie within `old_prefix`."""
    assert is_within(name, old_prefix), (name, old_prefix)
    return new_prefix + name[len(old_prefix) :]


def ancestors(name: str) -> list[str]:
    """`ancestors("a.b.c") == ["a.b", "a"]`, nearest first."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


def common_prefix(a: str, b: str) -> str:
    result: list[str] = []
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x != y:
            break
        result.append(x)
    return ".".join(result)


def resolve_relative(package: str, level: int, module: str | None) -> str | None:
    """The module `from <level dots><module> import ...` reads when written in `package`
    (the importing module's package: the module itself for an `__init__`); `None` when
    the dots climb above the top-level package."""
    parts = package.split(".") if package else []
    if level - 1 >= len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])
