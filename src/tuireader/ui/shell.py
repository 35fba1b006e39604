"""The Textual app: a thin shell that sets the theme and keymap and shows the main screen."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tuireader.domain.errors import StorageError, TuireaderError
from tuireader.domain.text import clean_line, one_line_error
from tuireader.services.session import Session
from tuireader.ui.commands import Scope, all_commands, keymap
from tuireader.ui.config_check import check_config
from tuireader.ui.failures import WorkerFailed, storage_refused, worker_label
from tuireader.ui.main_screen import MainScreen

logger = logging.getLogger(__name__)


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

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers fail down the same road as the screens'."""
        if event.state is WorkerState.ERROR:
            self.worker_failed(event.worker)

    def on_worker_failed(self, message: WorkerFailed) -> None:
        """A screen's or widget's worker failed."""
        self.worker_failed(message.worker)

    def worker_failed(self, worker: Worker[Any]) -> None:
        """The one handler for failed workers: log the traceback, tell the user in a line.

        A typed error (the network, the database) is worded for the user; anything else is
        a fault of ours, and the line says where its traceback is.
        """
        label = worker_label(worker)
        error = worker.error
        logger.error("%s failed (worker %s)", label, worker.name, exc_info=error)
        if isinstance(error, TuireaderError):
            text = f"{label} failed: {one_line_error(error)}"
        else:
            log = self.session.log_file
            text = f"{label} failed — details in {log}" if log else f"{label} failed"
        self.notify(clean_line(text), severity="error", timeout=10, markup=False)

    def watch_theme(self, theme: str) -> None:
        session: Session | None = getattr(self, "session", None)
        if session is not None and session.library.pref("theme") != theme:
            self._keep_theme(session, theme)

    @work(group="write", exit_on_error=False)
    async def _keep_theme(self, session: Session, theme: str) -> None:
        """Stored on the writer thread: choosing a theme never waits for the database."""
        try:
            await session.writes.run(lambda lib: lib.set_pref("theme", theme))
        except StorageError as error:
            storage_refused(self, error)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every declared command that can run now, then Textual's own (theme, keys...)."""
        for command in all_commands(self.session.settings.macros):
            if not command.palette:
                continue
            action = command.action
            target: App[None] | Screen[object] | Widget = (
                self if action.startswith("app.") else screen
            )
            name = action.removeprefix("app.")
            focused = screen.focused
            if command.scope is Scope.FOCUSED and hasattr(focused, f"action_{name}"):
                assert focused is not None
                target = focused  # the pane that moves its own cursor
            can_run = getattr(target, "can_run", None)
            if not (can_run(name) if can_run else target.check_action(name, ()) is not False):
                continue
            entries = getattr(screen, "palette_entries", None)
            if entries is not None and (expanded := entries(command)):
                for title, help_text, callback in expanded:
                    yield SystemCommand(title, help_text, callback)
                continue
            yield SystemCommand(
                command.title, command.help, lambda a=action, t=target: self.run_action(a, t)
            )
        yield from super().get_system_commands(screen)
