"""Small dialogs: add a source, ask for a path, pick a link, and the help screen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tuireader.domain.text import clean_line
from tuireader.ui.commands import COMMANDS, Command, keys_for, shown_keys


class AddSourceModal(ModalScreen[tuple[str, str] | None]):
    """Asks for a URL or path and an optional folder; returns them or ``None``."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Add a feed URL, a command feed (exec:CMD, filter:CMD:URL), or a path")
            yield Input(
                placeholder="https://example.org/feed.xml, exec:~/bin/feed or ~/news", id="ref"
            )
            yield Input(placeholder="folder (optional)", id="folder")
            yield Label("enter adds · tab to give a folder first · escape cancels", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in either field adds (the folder is optional); with no URL or path yet,
        it stays in the first field."""
        ref = self.query_one("#ref", Input).value.strip()
        if ref:
            self.dismiss((ref, self.query_one("#folder", Input).value.strip()))
        else:
            self.query_one("#ref", Input).focus()


class PathModal(ModalScreen[str | None]):
    """Asks for one path."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, prompt: str, value: str = "") -> None:
        super().__init__()
        self.prompt = prompt
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.prompt))
            yield Input(value=self.value, id="path")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class LinkPickerModal(ModalScreen[str | None]):
    """Lists the article's links; returns the chosen one."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, links: Sequence[str], prompt: str = "Open which link?") -> None:
        super().__init__()
        self.links = list(links)
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text(self.prompt))
            yield OptionList(
                *(
                    Option(Text(f"[{n}] {clean_line(u)}"), id=str(n - 1))
                    for n, u in enumerate(self.links, 1)
                )
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.links[int(event.option.id or 0)])


class HelpScreen(ModalScreen[None]):
    """Every command with its current keys, built from the command declarations."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close")]

    def __init__(
        self, overrides: Mapping[str, str], commands: Sequence[Command] = COMMANDS
    ) -> None:
        super().__init__()
        self.overrides = overrides
        self.commands = commands
        """The declared commands and the user's macros."""

    def compose(self) -> ComposeResult:
        # every column wraps: the screen fits an 80-column (or narrower) terminal
        table = Table(box=None, expand=True, show_header=True, pad_edge=False)
        table.add_column("keys", style="bold", min_width=6, max_width=14, overflow="fold")
        table.add_column("id", style="dim", min_width=8, max_width=20, overflow="fold")
        table.add_column("command", ratio=1)
        groups: dict[str, list[Command]] = {}
        for command in self.commands:
            groups.setdefault(command.group, []).append(command)
        for group, commands in groups.items():
            table.add_row(Text(group, style="underline"), "", "")
            for command in commands:
                self._row(table, command)
        with VerticalScroll(classes="dialog wide tall"):
            yield Static(
                Text(
                    "tuireader keys; escape closes. To rebind a command, put its id and keys "
                    'under [keys] in config.toml, e.g. next_unread = "n,J".'
                ),
                id="help-intro",
            )
            yield Static(table, id="help-table")

    def _row(self, table: Table, command: Command) -> None:
        keys = shown_keys(keys_for(command, self.overrides), self.app)
        what = Text(command.title, style="bold")
        what.append(" — " + command.help)
        table.add_row(Text(keys), Text(command.id), what)
