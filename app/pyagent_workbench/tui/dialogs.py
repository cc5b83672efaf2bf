"""Small modal screens: the fuzzy tier picker, text prompts, confirmations, messages,
and the source around an import line. Their titles and bodies name modules, tiers,
files and errors, and show source lines: all of it is shown as written (see
`tui.literal`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pyagent_workbench import safefiles
from pyagent_workbench.display import printable
from pyagent_workbench.textlines import numbered_lines
from pyagent_workbench.tui.literal import ControlsShown, literal

STAYS_OPTION = "__stays__"


class TierPicker(ModalScreen[str | None]):
    """Type to filter the tiers, Enter to move there. Returns the tier name, the
    `STAYS_OPTION` sentinel for "stays where it is", or `None` when cancelled."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#query"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="picker-cancel")]

    def __init__(self, tiers: list[tuple[str, str]], units: list[str], *,
                 impacts: Mapping[str | None, object] | None = None,
                 title: str | None = None) -> None:
        super().__init__()
        self.tiers = tiers
        """(name, detail) pairs."""
        self.units = units
        self.impacts = impacts or {}
        """Per tier (`None`: stays), what the move would change, shown beside it."""
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="picker"):
            yield Label(literal(self._title()), id="title")
            yield Input(placeholder="type to filter tiers", id="query")
            # Filled here, not in on_mount: a dialog dismissed before its Mount event
            # is handled (a quick Escape) has no children left to query.
            yield OptionList(*self._options(""), id="choices")

    def reuse(self, tiers: list[tuple[str, str]], units: list[str], *,
              impacts: Mapping[str | None, object] | None = None,
              title: str | None = None) -> TierPicker:
        """The same dialog, for another choice. The move picker opens at every move:
        showing a mounted dialog again costs a fraction of composing a new one, and an
        installed screen is not pruned when it closes (the pruning paints the whole
        screen beneath a second time)."""
        self.tiers, self.units, self.impacts, self.title_text = (
            tiers, units, impacts or {}, title)
        if self.is_mounted:
            self.query_one("#title", Label).update(literal(self._title()))
            self.query_one("#query", Input).value = ""
            self._fill("")
        return self

    def _title(self) -> str:
        what = (self.units[0].rpartition(".")[2] if len(self.units) == 1
                else f"{len(self.units)} units")
        return self.title_text or f"Move {what} to…"

    def _fill(self, query: str) -> None:
        choices = self.query_one(OptionList)
        choices.clear_options()
        choices.add_options(self._options(query))
        if choices.option_count:
            choices.highlighted = 0

    def _options(self, query: str) -> list[Option]:
        """The tiers matching `query`, best first."""
        matcher = Matcher(query) if query else None
        scored = []
        stays = [] if self.title_text else [(STAYS_OPTION, "back where it is today")]
        for name, detail in [*self.tiers, *stays]:
            label = "stays" if name == STAYS_OPTION else printable(name)
            score = matcher.match(label) if matcher else 1.0
            if score > 0:
                prompt = matcher.highlight(label) if matcher else Content(label)
                impact = self.impacts.get(None if name == STAYS_OPTION else name)
                # The impact before the detail: on a narrow screen the line wraps, and
                # what the move would change must stay beside the tier's name.
                scored.append((score, Option(Content.assemble(
                    prompt, literal(f"  {impact}", "$text-warning") if impact is not None
                    else "", literal(f"  {detail}", "$text-muted")), id=name)))
        scored.sort(key=lambda pair: -pair[0])
        return [option for _, option in scored]

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        choices = self.query_one(OptionList)
        if choices.highlighted is not None:
            self.dismiss(choices.get_option_at_index(choices.highlighted).id)

    def on_key(self, event: events.Key) -> None:
        choices = self.query_one(OptionList)
        if event.key in ("down", "up") and choices.option_count:
            current = choices.highlighted or 0
            step = 1 if event.key == "down" else -1
            choices.highlighted = max(0, min(choices.option_count - 1, current + step))
            event.stop()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text (a tier name, a new name, a note, a path)."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#answer"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="prompt-cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "",
                 help_text: str = "", refusal: Callable[[str], str | None] | None = None
                 ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.help_text = help_text
        self.refusal = refusal
        """Why an answer cannot be taken (`None`: it can): the dialog stays open with the
        text typed and says why, instead of closing and losing it."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(literal(self.title_text), id="title")
            yield Input(value=self.value, placeholder=self.placeholder, id="answer",
                        highlighter=ControlsShown())
            yield Label("", id="refusal", classes="refusal")
            if self.help_text:
                yield Static(literal(self.help_text), classes="help")
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._answer(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._answer(self.query_one(Input).value)
        else:
            self.dismiss(None)

    def _answer(self, value: str) -> None:
        why = self.refusal(value) if self.refusal is not None and value.strip() else None
        if why is None:
            self.dismiss(value)
            return
        refusal = self.query_one("#refusal", Label)
        refusal.update(literal(why))
        refusal.add_class("-shown")
        self.query_one(Input).focus()


class Confirm(ModalScreen[bool]):
    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#no"
    BINDINGS = [Binding("escape", "dismiss(False)", "Cancel", id="confirm-cancel"),
                Binding("y", "dismiss(True)", "Yes", show=False, id="confirm-yes")]

    def __init__(self, title: str, body: str, yes: str = "Yes") -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(literal(self.title_text), id="title")
            yield Static(literal(self.body), classes="body")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="warning", id="yes")
                yield Button("Cancel", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class MessageScreen(ModalScreen[None]):
    """A message to read, dismissed with Enter or Escape (e.g. "approval refused")."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#close"
    BINDINGS = [Binding("escape,enter", "dismiss(None)", "Close", id="message-close")]

    def __init__(self, title: str, body: str | Content, *, error: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-error" if self.error else ""):
            yield Label(literal(self.title_text), id="title")
            with VerticalScroll(classes="message"):
                body = literal(self.body) if isinstance(self.body, str) else self.body
                yield Static(body, classes="body")
            with Horizontal(classes="buttons"):
                yield Button("Close", variant="primary", id="close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)


class SourceScreen(ModalScreen[None]):
    """The source around an import line, the line itself marked."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape,enter,o", "dismiss(None)", "Close", id="source-close")]

    def __init__(self, root: Path, path: str, line: int, context: int = 8) -> None:
        super().__init__()
        self.root = root
        self.path = path
        self.line = line
        self.context = context

    def compose(self) -> ComposeResult:
        try:
            source = safefiles.read_regular(self.root / self.path)  # never a FIFO: no hang
            lines = numbered_lines(source.decode("utf-8", errors="replace"))
        except OSError as error:
            lines = [f"cannot read {self.path}: {error.strerror}"]
        start = max(1, self.line - self.context)
        end = min(len(lines), self.line + self.context)
        pieces: list[tuple[str, str] | str] = []
        for number in range(start, end + 1):
            text = f"{number:>5} │ {printable(lines[number - 1])}\n"
            pieces.append((text, "bold $text-warning") if number == self.line else text)
        with Vertical(id="dialog", classes="source"):
            yield Label(literal(f"{self.path}:{self.line}"), id="title")
            with VerticalScroll():
                yield Static(Content.assemble(*pieces))
