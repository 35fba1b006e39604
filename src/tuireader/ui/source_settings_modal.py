"""The source settings dialog: one field per setting, each checked as ``tuireader source
set`` checks it (the same domain functions), saved with enter."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tuireader.domain.errors import UsageError
from tuireader.domain.models import Source, SourceOptions
from tuireader.domain.source_options import (
    OPTIONS,
    effective_words,
    options_from_texts,
    shown_value,
)
from tuireader.domain.text import clean_line, one_line_error


class SourceSettingsModal(ModalScreen[SourceOptions | None]):
    """Edits one source's own settings; returns them, or ``None`` when cancelled. An empty
    field leaves that setting to the config (its value in effect is the placeholder)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        source = self.source
        with VerticalScroll(classes="dialog wide tall", id="source-settings"):
            yield Label(Text(f"Settings of {clean_line(source.name)}"), classes="title")
            yield Label(Text(clean_line(source.url)), classes="hint")
            for info in OPTIONS:
                now = effective_words(source.settings, info.key)
                yield Label(Text(f"{info.key} — {info.help}"))
                yield Input(
                    value=clean_line(shown_value(source.options, info.key)),
                    placeholder=f"{clean_line(now)} (e.g. {info.example})",
                    id=f"opt-{info.key}",
                    compact=True,  # one line a field: the whole form fits a small terminal
                )
            yield Static("", id="settings-error")
            yield Label("enter saves · empty: as the config says · escape cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one(f"#opt-{OPTIONS[0].key}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in any field saves every field, or says what is wrong and stays."""
        texts = {info.key: self.query_one(f"#opt-{info.key}", Input).value for info in OPTIONS}
        try:
            options = options_from_texts(texts)
        except UsageError as exc:
            self.query_one("#settings-error", Static).update(Text(one_line_error(exc)))
            return
        self.dismiss(options)
