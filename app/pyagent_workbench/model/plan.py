"""The plan: the one model the TUI, the CLI, CI and reviewers share.

A `Plan` wraps the tomlkit document it was read from, so that loading then saving
reproduces the file byte for byte, comments included. Every edit goes through a method
here that changes the document in place, touching only the entries it edits, and keeps
the plan's indexes of tiers, moves and reviews (and its text) in step.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar, cast

import tomlkit
import tomlkit.exceptions
from tomlkit.container import (  # the renderer's parts (tomlkit pinned; see `_render`)
    Container,
    _header_less_aots,
    _is_empty_aot,
    _render_empty_aot,
)
from tomlkit.items import AoT, Comment, Table, Whitespace
from tomlkit.toml_document import TOMLDocument

from pyagent_workbench import safefiles
from pyagent_workbench.errors import InvalidPlan, PlanError
from pyagent_workbench.model.schema import (
    DEFAULT_PLAN_NAME,
    SCHEMA,
    STATUSES,
    VERDICTS,
    Move,
    Review,
    Status,
    Tier,
    Verdict,
    plain,
)
from pyagent_workbench.model.validation import check_document, too_long

__all__ = [
    "DEFAULT_PLAN_NAME", "SCHEMA", "STATUSES", "VERDICTS", "Move", "Plan", "Review", "Status",
    "Tier", "Verdict",
]

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

Key = TypeVar("Key", bound=Hashable)
Entry = TypeVar("Entry")


class _Entries(Generic[Key, Entry]):
    """One array of tables (`[[moves]]`, ...) read once: each entry's typed view and the
    table it was read from, by key, in document order.

    Reading tomlkit tables is slow (tens of milliseconds for a thousand) and the analysis
    asks often, so the plan reads them once and every edit keeps this index in step. Keys
    are unique: validation refuses a plan that names an entry twice, and no edit adds a
    second one.
    """

    def __init__(self, tables: Iterable[Table], read: Callable[[Table], Entry],
                 key: Callable[[Entry], Key]) -> None:
        self._read = read
        self._key = key
        self.views: dict[Key, Entry] = {}
        self.tables: dict[Key, Table] = {}
        for table in tables:
            self.reread(table)

    def reread(self, table: Table) -> Entry:
        """Index a table added, or read one again after an edit (it keeps its place)."""
        view = self._read(table)
        key = self._key(view)
        self.views[key] = view
        self.tables[key] = table
        return view

    def rekey(self, old: Key, table: Table) -> None:
        """Read again a table whose key changed, keeping its place in document order."""
        view = self._read(table)
        new = self._key(view)
        self.views = {(new if k == old else k): (view if k == old else v)
                      for k, v in self.views.items()}
        self.tables = {(new if k == old else k): t for k, t in self.tables.items()}

    def forget(self, key: Key) -> Table:
        """Drop an entry from the index (`KeyError` when there is none); its table is
        returned for removal from the document."""
        del self.views[key]
        return self.tables.pop(key)


def _read_tier(table: Table) -> Tier:
    return Tier(name=plain(table["name"]), package=plain(table["package"]),
                layer=plain(table.get("layer")))


def _read_move(table: Table) -> Move:
    return Move(source=plain(table["source"]), target=plain(table["target"]),
                tier=plain(table.get("tier")), carry_tests=plain(table.get("carry_tests")),
                batch=plain(table.get("batch")), landed=plain(table.get("landed")),
                commit=plain(table.get("commit")))


def _read_review(table: Table) -> Review:
    return Review(importer=plain(table["importer"]), imported=plain(table["imported"]),
                  verdict=plain(table["verdict"]), note=plain(table.get("note", "")))


class Plan:
    """A restructuring plan backed by its TOML document.

    Edit it through the methods below: they keep the indexes and the text in step.
    Editing `document` directly is only safe before the plan is first read.
    """

    def __init__(self, document: TOMLDocument, *, path: Path | None = None) -> None:
        self.document = document
        self.path = path
        self._text: str | None = None
        """`dumps()` until the next edit: the workbench asks for it several times per
        edit, and serialising a long plan takes milliseconds each time."""
        self._sections: dict[tuple[str, int], str] = {}
        """Each array of tables ("tiers", "moves", "reviews") as rendered, until an edit
        changes it: a verdict renders the reviews again, not 10,000 moves (50 ms)."""

    # -- reading and writing ---------------------------------------------------------

    @classmethod
    def parse(cls, text: str, *, path: Path | None = None) -> Plan:
        """Parse and validate the plan's own structure (not yet against a repo)."""
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
            raw = safefiles.read_regular(path)
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
        if self._text is None:
            self._text = _render(self.document, self._sections)
        return self._text

    def save(self, path: Path | None = None) -> Path:
        """Write the plan atomically (a reader never sees half a file); `OutputError` in one
        line when the path is a link, a folder or cannot be written."""
        target = path or self.path
        if target is None:
            raise ValueError("no path to save the plan to")
        safefiles.write_output(target, self.dumps().encode("utf-8"))
        self.path = target
        return target

    def copy(self) -> Plan:
        return Plan(copy.deepcopy(self.document), path=self.path)

    def with_moves(self, sources: Collection[str]) -> Plan:
        """A copy holding only the moves of these sources (tiers, options and reviews
        all kept): the part of a plan an apply or a diff takes. In memory only: it keeps
        the plan's path for messages, and is never saved over it."""
        document = copy.deepcopy(self.document)
        if "moves" in document:
            kept = tomlkit.aot()
            for table in cast(AoT, document["moves"]):
                if plain(table["source"]) in sources:
                    kept.append(table)
            document["moves"] = kept
        return Plan(document, path=self.path)

    # -- typed views ------------------------------------------------------------------

    @property
    def status(self) -> Status:
        return cast(Status, plain(self.document.get("status", "draft")))

    @property
    def source_root(self) -> str | None:
        return cast("str | None", plain(self._table("repo").get("source_root")))

    @property
    def packages(self) -> list[str] | None:
        value = plain(self._table("repo").get("packages"))
        return list(value) if value is not None else None

    @property
    def containers(self) -> list[str] | None:
        value = plain(self._table("repo").get("containers"))
        return list(value) if value is not None else None

    @property
    def facades(self) -> bool:
        return bool(plain(self._table("options").get("facades", True)))

    @property
    def carry_tests(self) -> bool:
        return bool(plain(self._table("options").get("carry_tests", True)))

    @property
    def conform(self) -> bool:
        """Sort and format what apply writes as the project's own sorter and formatter
        would (`rewrite.conform`)."""
        return bool(plain(self._table("options").get("conform", True)))

    @property
    def deprecate(self) -> str | None:
        """When the facades' old paths go (a day `YYYY-MM-DD`, or a version): their
        warning says so. `None`: no date given."""
        return cast("str | None", plain(self._table("options").get("deprecate")))

    @property
    def tiers(self) -> list[Tier]:
        return list(self._tiers.views.values())

    @property
    def moves(self) -> list[Move]:
        return list(self._moves.views.values())

    @property
    def reviews(self) -> list[Review]:
        return list(self._reviews.views.values())

    def tier(self, name: str) -> Tier | None:
        return self._tiers.views.get(name)

    def move_for(self, source: str) -> Move | None:
        return self._moves.views.get(source)

    def review_for(self, importer: str, imported: str) -> Review | None:
        return self._reviews.views.get((importer, imported))

    def review_index(self) -> Mapping[tuple[str, str], Review]:
        """Every review by its (importer, imported) edge."""
        return self._reviews.views

    @property
    def figures(self) -> dict[str, Any]:
        """Quality figures recorded by `suggest` (empty when none were recorded)."""
        value = plain(self.document.get("suggestion"))
        return dict(value) if isinstance(value, dict) else {}

    # -- edits ------------------------------------------------------------------------

    def set_status(self, status: Status) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        self._edited(None)
        if "status" in self.document:
            self.document["status"] = status
        else:
            self.document.add("status", status)

    def set_repo(self, *, source_root: str | None = None, packages: list[str] | None = None,
                 containers: list[str] | None = None) -> None:
        self._edited(None)
        repo = self._ensure_table("repo")
        if source_root is not None:
            repo["source_root"] = source_root
        if packages is not None:
            repo["packages"] = packages
        if containers is not None:
            repo["containers"] = containers

    def set_option(self, key: Literal["facades", "carry_tests", "conform", "deprecate"],
                   value: bool | str) -> None:
        self._edited(None)
        self._ensure_table("options")[key] = value

    def add_tier(self, name: str, package: str, layer: int | None = None) -> None:
        if self.tier(name) is not None:
            raise ValueError(f"a tier named {name!r} exists already")
        self._edited("tiers")
        table = _new_table(name=name, package=package, layer=layer)
        _append_table(self._ensure_aot("tiers"), table)
        self._tiers.reread(table)

    def update_tier(self, name: str, *, new_name: str | None = None, package: str | None = None,
                    layer: int | None = None) -> None:
        """Rename a tier (moves naming it follow) or change its package or layer."""
        table = self._tiers.tables[name]
        if new_name is not None and new_name != name and self.tier(new_name) is not None:
            raise ValueError(f"a tier named {new_name!r} exists already")
        self._edited("tiers", "moves")  # moves name their tier
        if package is not None:
            table["package"] = package
        if layer is not None:
            table["layer"] = layer
        if new_name is None or new_name == name:
            self._tiers.reread(table)
            return
        table["name"] = new_name
        self._tiers.rekey(name, table)
        for move in [m for m in self._moves.views.values() if m.tier == name]:
            move_table = self._moves.tables[move.source]
            move_table["tier"] = new_name
            self._moves.reread(move_table)

    def remove_tier(self, name: str) -> None:
        if any(m.tier == name for m in self._moves.views.values()):
            raise ValueError(f"tier {name!r} still has moves; move them first")
        table = self._tiers.forget(name)
        self._edited(*SECTIONS)  # a first entry's comments go to the section before
        _remove_table(self.document, "tiers", table)

    def set_move(self, source: str, target: str, tier: str | None = None) -> None:
        """Add a move, or change the target (and tier) of the move of `source`."""
        self._edited("moves")
        table = self._moves.tables.get(source)
        if table is None:
            table = _new_table(source=source, target=target, tier=tier)
            _append_table(self._ensure_aot("moves"), table)
        else:
            table["target"] = target
            if tier is not None:
                table["tier"] = tier
            elif "tier" in table:
                del table["tier"]
        self._moves.reread(table)

    def set_progress(self, source: str, *, batch: int | None = None,
                     landed: str | None = None, commit: str | None = None) -> None:
        """Record a move's batch, the day it landed and its commit (each given value
        replaces the one there; the others stay)."""
        table = self._moves.tables[source]
        self._edited("moves")
        for key, value in (("batch", batch), ("landed", landed), ("commit", commit)):
            if value is not None:
                _set_key(table, key, value)
        self._moves.reread(table)

    def clear_progress(self, source: str, *keys: Literal["batch", "landed", "commit"]) -> None:
        """Forget a move's batch, landing or commit (all three when no key is named)."""
        table = self._moves.tables[source]
        self._edited("moves")
        for key in keys or ("batch", "landed", "commit"):
            if key in table:
                del table[key]
        self._moves.reread(table)

    def remove_move(self, source: str) -> None:
        table = self._moves.forget(source)
        self._edited(*SECTIONS)  # a first entry's comments go to the section before
        _remove_table(self.document, "moves", table)

    def set_review(self, importer: str, imported: str, verdict: Verdict, note: str = "") -> None:
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}")
        self._edited("reviews")
        table = self._reviews.tables.get((importer, imported))
        if table is None:
            table = _new_table(importer=importer, imported=imported, verdict=verdict, note=note)
            _append_table(self._ensure_aot("reviews"), table)
        else:
            table["verdict"] = verdict
            table["note"] = note
        self._reviews.reread(table)

    def remove_review(self, importer: str, imported: str) -> None:
        table = self._reviews.forget((importer, imported))
        self._edited(*SECTIONS)  # a first entry's comments go to the section before
        _remove_table(self.document, "reviews", table)

    def set_figures(self, figures: dict[str, Any]) -> None:
        """Record quality figures in `[suggestion]`, replacing what was there."""
        self._edited(None)
        table = tomlkit.table()
        for key, value in figures.items():
            table[key] = value
        if "suggestion" in self.document:
            self.document["suggestion"] = table
        else:
            self.document.add(tomlkit.nl())
            self.document.add("suggestion", table)

    # -- indexes and document plumbing --------------------------------------------------

    @cached_property
    def _tiers(self) -> _Entries[str, Tier]:
        return _Entries(self._aot("tiers"), _read_tier, lambda tier: tier.name)

    @cached_property
    def _moves(self) -> _Entries[str, Move]:
        return _Entries(self._aot("moves"), _read_move, lambda move: move.source)

    @cached_property
    def _reviews(self) -> _Entries[tuple[str, str], Review]:
        return _Entries(self._aot("reviews"), _read_review, lambda review: review.edge)

    def _edited(self, *sections: str | None) -> None:
        """Forget the text, and the renderings of the arrays of tables named (`None`:
        no array of tables changed)."""
        self._text = None
        for name, ident in list(self._sections):
            if name in sections:
                del self._sections[name, ident]

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


SECTIONS = ("tiers", "moves", "reviews")
"""The plan's arrays of tables."""


def _render(document: TOMLDocument, sections: dict[tuple[str, int], str]) -> str:
    """`tomlkit.dumps(document)`, byte for byte, taking each array of tables from
    `sections` when rendered there (and keeping there those rendered now). The loop is
    tomlkit 0.15.2's `Container.as_string` (the version is pinned; tests/test_plan.py
    compares the two after random edits, so an upgrade that changes it fails there)."""
    text = "".join(_render_empty_aot(path, aot) for path, aot in _header_less_aots(document._body))
    for key, value in document._body:
        if key is None or _is_empty_aot(value):
            text += "" if key is not None else document._render_simple_item(key, value)
            continue
        if isinstance(value, (Table, AoT)):
            stripped = text.strip(" ")
            if stripped and not stripped.endswith("\n") and "\n" not in value.trivia.indent:
                text += "\n"
            if isinstance(value, Table):
                text += document._render_table(key, value)
                continue
            section = (key.key, id(value))  # a name may head two arrays, out of order
            rendered = sections.get(section)
            if rendered is None:
                rendered = sections[section] = document._render_aot(key, value)
            text += rendered
        else:
            text += document._render_simple_item(key, value)
    return text


def _new_table(**values: Any) -> Table:
    """A table of these keys in this order, leaving out those whose value is `None`."""
    table = tomlkit.table()
    for key, value in values.items():
        if value is not None:
            table[key] = value
    return table


def _set_key(table: Table, key: str, value: Any) -> None:
    """Set a key of a table; a new one goes after its last key, before the blank lines
    and comments that end the table (they introduce what follows it)."""
    if key in table:
        table[key] = value
        return
    body = table.value.body
    start = len(body)
    while start > 0 and body[start - 1][0] is None and isinstance(
            body[start - 1][1], (Comment, Whitespace)):
        start -= 1
    trailing = body[start:]
    del body[start:]
    table[key] = value
    body.extend(trailing)


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
