"""The Textual app: a thin shell that sets the theme and keymap and shows the main screen."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.screen import Screen

from tuireader.domain.text import clean_line
from tuireader.services.session import Session
from tuireader.ui.commands import COMMANDS, keymap, unknown_ids
from tuireader.ui.main_screen import MainScreen


class ReaderApp(App[None]):
    """tuireader's terminal app."""

    CSS_PATH = "app.tcss"
    TITLE = "tuireader"
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def on_mount(self) -> None:
        saved = self.session.library.pref("theme")
        theme = saved if isinstance(saved, str) else self.session.settings.general.theme
        if theme in self.available_themes:
            self.theme = theme
        overrides = self.session.settings.keys
        self.set_keymap(keymap(overrides))
        for bad in unknown_ids(overrides):
            self.notify(f"config: [keys] names no command {clean_line(bad)!r}", severity="warning")
        self.push_screen(MainScreen(self.session))

    def watch_theme(self, theme: str) -> None:
        session: Session | None = getattr(self, "session", None)
        if session is not None and session.library.pref("theme") != theme:
            session.library.set_pref("theme", theme)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every declared command that can run now, then Textual's own (theme, keys...)."""
        for command in COMMANDS:
            if not command.palette:
                continue
            action = command.action
            target = self if action.startswith("app.") else screen
            name = action.removeprefix("app.")
            can_run = getattr(target, "can_run", None)
            if not (can_run(name) if can_run else target.check_action(name, ()) is not False):
                continue
            entries = getattr(screen, "palette_entries", None)
            if entries is not None and (expanded := entries(command)):
                for title, help_text, callback in expanded:
                    yield SystemCommand(title, help_text, callback)
                continue
            yield SystemCommand(
                command.title, command.help, lambda a=action: self.run_action(a, screen)
            )
        yield from super().get_system_commands(screen)
