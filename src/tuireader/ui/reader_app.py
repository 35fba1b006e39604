"""The Textual app: a thin shell that sets the theme and keymap and shows the main screen."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.screen import Screen

from tuireader.services.session import Session
from tuireader.ui.commands import COMMANDS, keymap
from tuireader.ui.config_check import check_config
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
        self.set_keymap(keymap(self.session.settings.keys))
        report = check_config(self.session.settings)
        for message in report.errors:  # quotes the config: never read as markup
            self.notify(message, severity="error", timeout=12, markup=False)
        for message in report.warnings:
            self.notify(message, severity="warning", timeout=12, markup=False)
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
            if target.check_action(name, ()) is False:
                continue
            yield SystemCommand(
                command.title, command.help, lambda a=action: self.run_action(a, screen)
            )
        yield from super().get_system_commands(screen)
