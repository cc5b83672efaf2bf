"""The plan: the one model the TUI, the CLI, CI and reviewers share.

A `Plan` wraps the tomlkit document it was read from, so that loading then saving
reproduces the file byte for byte, comments included. Typed views (`Tier`, `Move`,
`Review`) are read from the document on demand; every edit goes through a method
here that changes the document in place, touching only the entries it edits.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import tomlkit
import tomlkit.exceptions
from tomlkit.container import Container
from tomlkit.items import AoT, Comment, Table, Whitespace
from tomlkit.toml_document import TOMLDocument

from pyagent_workbench.errors import InvalidPlan, PlanError

SCHEMA = 1
STATUSES = ("draft", "approved")
VERDICTS = ("accepted", "must-fix")
DEFAULT_PLAN_NAME = "pyagent-plan.toml"

Status = Literal["draft", "approved"]
Verdict = Literal["accepted", "must-fix"]


@dataclass(frozen=True)
class Tier:
    name: str
    package: str
    layer: int | None = None
    """Higher layers may import lower ones; `None` when the plan does not order the tier."""


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    tier: str | None = None
    carry_tests: bool | None = None
    """Per-move override of `options.carry_tests`; `None` means "as the options say"."""


@dataclass(frozen=True)
class Review:
    importer: str
    imported: str
    verdict: Verdict
    note: str = ""

    @property
    def edge(self) -> tuple[str, str]:
        return (self.importer, self.imported)


_NEW_PLAN = """\
# pyagent-workbench plan (schema 1). Review it, then apply it with
#   pyagent-workbench diff pyagent-plan.toml     # what would change
#   pyagent-workbench apply pyagent-plan.toml    # do it (approved plans only)
schema = 1
status = "draft"              # "draft" | "approved"

[repo]
{source_root_line}# dir (relative to the repo) that is on sys.path
{packages_line}# top-level import packages analysed and rewritten

[options]
facades = true                # leave import-compatible aliases at every old path
"""


class Plan:
    """A restructuring plan backed by its TOML document."""

    def __init__(self, document: TOMLDocument, *, path: Path | None = None) -> None:
        self.document = document
        self.path = path
        self._moves: list[Move] | None = None
        """`moves`, read once: reading a thousand tomlkit tables takes tens of
        milliseconds, and the analysis asks often. The edits below that touch moves
        forget it (edit `document` directly only before reading `moves`)."""

    # -- reading and writing ---------------------------------------------------------

    @classmethod
    def parse(cls, text: str, *, path: Path | None = None) -> Plan:
        """Parse and validate the plan's own structure (not yet against a repo)."""
        from pyagent_workbench.model.validation import check_document, too_long

        where = str(path) if path else "<plan>"
        huge = too_long(text, where)
        if huge is not None:
            raise InvalidPlan([huge])
        try:
            document = tomlkit.parse(text)
        except tomlkit.exceptions.ParseError as error:
            raise InvalidPlan(
                [PlanError(f"invalid TOML: {error}", where=f"{where}:{error.line}")]
            ) from None
        problems = check_document(document, text, where)
        if problems:
            raise InvalidPlan(problems)
        return cls(document, path=path)

    @classmethod
    def load(cls, path: Path) -> Plan:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise InvalidPlan(
                [PlanError("plan file not found", where=str(path))]
            ) from None
        except OSError as error:
            raise InvalidPlan(
                [PlanError(f"cannot read plan: {error.strerror}", where=str(path))]
            ) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidPlan(
                [PlanError(f"plan is not UTF-8 text (byte {error.start})", where=str(path))]
            ) from None
        return cls.parse(text, path=path)

    @classmethod
    def new(cls, *, source_root: str = ".", packages: list[str] | None = None) -> Plan:
        source_line = f"source_root = {tomlkit.item(source_root).as_string()}"
        packages_line = f"packages = {tomlkit.item(packages or []).as_string()}"
        text = _NEW_PLAN.format(source_root_line=source_line.ljust(29) + " ",
                                packages_line=packages_line.ljust(29) + " ")
        return cls(tomlkit.parse(text))

    def dumps(self) -> str:
        return tomlkit.dumps(self.document)

    def save(self, path: Path | None = None) -> Path:
        """Write the plan atomically (a reader never sees half a file)."""
        target = path or self.path
        if target is None:
            raise ValueError("no path to save the plan to")
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(self.dumps(), encoding="utf-8", newline="")
        tmp.replace(target)
        self.path = target
        return target

    def copy(self) -> Plan:
        return Plan(copy.deepcopy(self.document), path=self.path)

    # -- typed views ------------------------------------------------------------------

    @property
    def schema(self) -> int:
        return cast(int, _plain(self.document.get("schema")))

    @property
    def status(self) -> Status:
        return cast(Status, _plain(self.document.get("status", "draft")))

    @property
    def source_root(self) -> str | None:
        return cast("str | None", _plain(self._table("repo").get("source_root")))

    @property
    def packages(self) -> list[str] | None:
        value = _plain(self._table("repo").get("packages"))
        return list(value) if value is not None else None

    @property
    def containers(self) -> list[str] | None:
        value = _plain(self._table("repo").get("containers"))
        return list(value) if value is not None else None

    @property
    def facades(self) -> bool:
        return bool(_plain(self._table("options").get("facades", True)))

    @property
    def carry_tests(self) -> bool:
        return bool(_plain(self._table("options").get("carry_tests", True)))

    @property
    def tiers(self) -> list[Tier]:
        return [
            Tier(
                name=_plain(t["name"]),
                package=_plain(t["package"]),
                layer=_plain(t.get("layer")),
            )
            for t in self._aot("tiers")
        ]

    @property
    def moves(self) -> list[Move]:
        if self._moves is None:
            self._moves = [
                Move(
                    source=_plain(m["source"]),
                    target=_plain(m["target"]),
                    tier=_plain(m.get("tier")),
                    carry_tests=_plain(m.get("carry_tests")),
                )
                for m in self._aot("moves")
            ]
        return list(self._moves)

    @property
    def reviews(self) -> list[Review]:
        return [
            Review(
                importer=_plain(r["importer"]),
                imported=_plain(r["imported"]),
                verdict=_plain(r["verdict"]),
                note=_plain(r.get("note", "")),
            )
            for r in self._aot("reviews")
        ]

    def tier(self, name: str) -> Tier | None:
        return next((t for t in self.tiers if t.name == name), None)

    def move_for(self, source: str) -> Move | None:
        return next((m for m in self.moves if m.source == source), None)

    def review_for(self, importer: str, imported: str) -> Review | None:
        return next(
            (r for r in self.reviews if r.importer == importer and r.imported == imported), None
        )

    def review_index(self) -> dict[tuple[str, str], Review]:
        return {r.edge: r for r in self.reviews}

    @property
    def figures(self) -> dict[str, Any]:
        """Quality figures recorded by `suggest` (empty when none were recorded)."""
        value = _plain(self.document.get("suggestion"))
        return dict(value) if isinstance(value, dict) else {}

    # -- edits ------------------------------------------------------------------------

    def set_status(self, status: Status) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        if "status" in self.document:
            self.document["status"] = status
        else:
            self.document.add("status", status)

    def set_repo(self, *, source_root: str | None = None, packages: list[str] | None = None,
                 containers: list[str] | None = None) -> None:
        repo = self._ensure_table("repo")
        if source_root is not None:
            repo["source_root"] = source_root
        if packages is not None:
            repo["packages"] = packages
        if containers is not None:
            repo["containers"] = containers

    def set_option(self, key: Literal["facades", "carry_tests"], value: bool) -> None:
        self._ensure_table("options")[key] = value

    def add_tier(self, name: str, package: str, layer: int | None = None) -> None:
        if self.tier(name) is not None:
            raise ValueError(f"a tier named {name!r} exists already")
        table = tomlkit.table()
        table["name"] = name
        table["package"] = package
        if layer is not None:
            table["layer"] = layer
        _append_table(self._ensure_aot("tiers"), table)

    def update_tier(self, name: str, *, new_name: str | None = None, package: str | None = None,
                    layer: int | None = None) -> None:
        """Rename a tier (moves naming it follow) or change its package or layer."""
        self._moves = None
        table = self._find(self._aot("tiers"), name=name)
        if new_name is not None and new_name != name:
            if self.tier(new_name) is not None:
                raise ValueError(f"a tier named {new_name!r} exists already")
            table["name"] = new_name
            for move in self._aot("moves"):
                if _plain(move.get("tier")) == name:
                    move["tier"] = new_name
        if package is not None:
            table["package"] = package
        if layer is not None:
            table["layer"] = layer

    def remove_tier(self, name: str) -> None:
        if any(m.tier == name for m in self.moves):
            raise ValueError(f"tier {name!r} still has moves; move them first")
        _remove_table(self.document, "tiers", self._find(self._aot("tiers"), name=name))

    def set_move(self, source: str, target: str, tier: str | None = None) -> None:
        """Add a move, or change the target (and tier) of the move of `source`."""
        self._moves = None
        moves = self._aot("moves")
        existing = next((m for m in moves if _plain(m["source"]) == source), None)
        if existing is not None:
            existing["target"] = target
            if tier is None:
                if "tier" in existing:
                    del existing["tier"]
            else:
                existing["tier"] = tier
            return
        table = tomlkit.table()
        table["source"] = source
        table["target"] = target
        if tier is not None:
            table["tier"] = tier
        _append_table(self._ensure_aot("moves"), table)

    def remove_move(self, source: str) -> None:
        self._moves = None
        _remove_table(self.document, "moves", self._find(self._aot("moves"), source=source))

    def set_review(self, importer: str, imported: str, verdict: Verdict, note: str = "") -> None:
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}")
        reviews = self._aot("reviews")
        existing = next(
            (r for r in reviews
             if _plain(r["importer"]) == importer and _plain(r["imported"]) == imported),
            None,
        )
        if existing is not None:
            existing["verdict"] = verdict
            existing["note"] = note
            return
        table = tomlkit.table()
        table["importer"] = importer
        table["imported"] = imported
        table["verdict"] = verdict
        table["note"] = note
        _append_table(self._ensure_aot("reviews"), table)

    def remove_review(self, importer: str, imported: str) -> None:
        _remove_table(
            self.document, "reviews",
            self._find(self._aot("reviews"), importer=importer, imported=imported),
        )

    def set_figures(self, figures: dict[str, Any]) -> None:
        """Record quality figures in `[suggestion]`, replacing what was there."""
        table = tomlkit.table()
        for key, value in figures.items():
            table[key] = value
        if "suggestion" in self.document:
            self.document["suggestion"] = table
        else:
            self.document.add(tomlkit.nl())
            self.document.add("suggestion", table)

    # -- document plumbing --------------------------------------------------------------

    def _table(self, key: str) -> dict[str, Any]:
        value = self.document.get(key)
        return cast(dict[str, Any], value) if isinstance(value, dict) else {}

    def _ensure_table(self, key: str) -> Table:
        if key not in self.document:
            self.document.add(tomlkit.nl())
            self.document.add(key, tomlkit.table())
        return cast(Table, self.document[key])

    def _aot(self, key: str) -> list[Table]:
        value = self.document.get(key)
        return cast(list[Table], value) if value is not None else []

    def _ensure_aot(self, key: str) -> AoT:
        if key not in self.document:
            self.document.add(tomlkit.nl())
            self.document.add(key, tomlkit.aot())
        return cast(AoT, self.document[key])

    @staticmethod
    def _find(tables: list[Table], **wanted: str) -> Table:
        for table in tables:
            if all(_plain(table.get(k)) == v for k, v in wanted.items()):
                return table
        raise KeyError(", ".join(f"{k}={v!r}" for k, v in wanted.items()))


def _plain(value: Any) -> Any:
    """A tomlkit item as a plain Python value."""
    return value.unwrap() if hasattr(value, "unwrap") else value


def _trailing_trivia(container: Container) -> list[tuple[None, Any]]:
    """Comment lines (and what follows them) at the end of a table: they introduce the next
    section, so a table appended after this one must take them along."""
    body = container.body
    start = len(body)
    while start > 0 and body[start - 1][0] is None and isinstance(
        body[start - 1][1], (Comment, Whitespace)
    ):
        start -= 1
    first_comment = next(
        (i for i in range(start, len(body)) if isinstance(body[i][1], Comment)), None
    )
    if first_comment is None:
        return []
    moved = body[first_comment:]
    del body[first_comment:]
    return cast(list[tuple[None, Any]], moved)


def _append_table(aot: AoT, table: Table) -> None:
    """Append a table after the last one, separated by one blank line as people write
    them; comments that introduced the next section stay in front of it."""
    if not len(aot):
        aot.append(table)
        return
    last = aot[-1]
    moved = _trailing_trivia(last.value)
    body = last.value.body

    def ends_blank() -> bool:
        return bool(body) and body[-1][0] is None and isinstance(body[-1][1], Whitespace)

    had_blank = ends_blank()
    aot.append(table)
    # tomlkit separates tables it created itself with a newline in their indent.
    if not had_blank and not ends_blank() and "\n" not in table.trivia.indent:
        last.value.append(None, tomlkit.ws("\n"))
    if moved:
        table.value.append(None, tomlkit.ws("\n"))
        for key, item in moved:
            table.value.append(key, item)


def _remove_table(document: TOMLDocument, key: str, table: Table) -> None:
    """Remove one table of an array of tables; comments that introduced the *next* entry
    stay in front of it, and a header comment passes on to the next entry."""
    aot = cast(AoT, document[key])
    index = next(i for i, t in enumerate(aot) if t is table)
    moved = _trailing_trivia(table.value)
    header_comment = table.trivia.comment
    del aot[index]
    if header_comment and index < len(aot) and not aot[index].trivia.comment:
        aot[index].trivia.comment = header_comment
        aot[index].trivia.comment_ws = table.trivia.comment_ws
    if not moved:
        return
    if index > 0:
        for item_key, item in moved:
            aot[index - 1].value.append(item_key, item)
        return
    # The first entry went: its trailing comments go before the array itself.
    body = document.body
    position = next(i for i, (k, _) in enumerate(body) if k is not None and k.key == key)
    previous = body[position - 1][1] if position > 0 else None
    if isinstance(previous, AoT) and len(previous):
        target = previous[-1].value
    elif isinstance(previous, Table):
        target = previous.value
    else:
        for offset, (_, item) in enumerate(moved):
            document._insert_at(position + offset, None, item)  # type: ignore[arg-type]
        return
    for item_key, item in moved:
        target.append(item_key, item)
