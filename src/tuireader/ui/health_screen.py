"""The feed health view: a table of every source's health, dead feeds first, with keys to
fix a source's URL and to change its settings."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static
from textual.worker import Worker

from tuireader.domain.errors import TuireaderError
from tuireader.domain.health import SourceHealth, health_cells, health_note
from tuireader.domain.models import Source, SourceOptions
from tuireader.domain.text import clean_line, one_line_error
from tuireader.services.feed_health import Fixed, feed_health, fix_source
from tuireader.services.session import Session
from tuireader.ui.failures import forward_failure
from tuireader.ui.source_settings_modal import SourceSettingsModal

COLUMNS = ("id", "state", "last ok", "streak", "304s", "stories/week", "source", "last error · fix")


class HealthScreen(ModalScreen[bool]):
    """Lists :class:`SourceHealth` rows; returns whether a source was changed (its URL or
    its settings), so the screen below reads its sources again."""

    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("f", "fix", "Fix URL"),
        Binding("C", "settings", "Settings"),
        Binding("ctrl+r", "reload", "Reload", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.rows: list[SourceHealth] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall", id="health"):
            yield Label("Feed health (dead feeds first)", classes="title")
            yield DataTable(id="health-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="health-note")
            yield Label(
                "f fixes the URL (adopts a permanent redirect, or moves to https) ·"
                " C settings · escape closes",
                classes="hint",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self._load()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    @work(group="health", exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        now = self.session.clock()
        rows = await self.session.reads.run(lambda lib: feed_health(lib, now))
        self._show(rows)

    def _show(self, rows: list[SourceHealth]) -> None:
        now = self.session.clock()
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = rows
        for health in rows:
            cells = [Text(cell) for cell in health_cells(health, now)]
            name = Text(clean_line(health.source.name)[:40])
            note = Text(health_note(health)[:80])
            key = str(health.source.id)
            table.add_row(Text(str(health.source.id)), *cells, name, note, key=key)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        self._note()

    @property
    def current(self) -> SourceHealth | None:
        """The highlighted row's health."""
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    @on(DataTable.RowHighlighted)
    def _note(self) -> None:
        health = self.current
        text = ""
        if health is not None:
            text = clean_line(health.source.url)
            note = health_note(health)
            if note:
                text += f" — {note}"
        self.query_one("#health-note", Static).update(Text(text))

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_reload(self) -> None:
        self._load()

    # fixing a URL -----------------------------------------------------------------------
    def action_fix(self) -> None:
        health = self.current
        if health is None:
            return
        if not health.source.moved_to and not health.https_candidate:
            self.notify(
                f"{clean_line(health.source.name)}: nothing to fix (no permanent redirect, and"
                " not an http:// feed).",
                markup=False,
            )
            return
        self.notify("Fixing the URL…")
        self._fix(health.source)

    @work(thread=True, exclusive=True, group="fix", exit_on_error=False)
    def _fix(self, source: Source) -> None:
        """On a thread with an event loop of its own: the https address is fetched first."""

        async def run() -> Fixed:
            async with self.session.refresher() as refresher:
                return await fix_source(refresher.library, refresher.fetcher, source)

        try:
            fixed = asyncio.run(run())
        except TuireaderError as exc:  # anything else goes to the app's handler for workers
            self.app.call_from_thread(self._not_fixed, one_line_error(exc))
            return
        self.app.call_from_thread(self._fixed, fixed)

    def _not_fixed(self, message: str) -> None:
        self.notify(message, title="URL kept", severity="warning", markup=False)

    def _fixed(self, fixed: Fixed) -> None:
        self.changed = True
        self.notify(fixed.line(), title="URL fixed", markup=False)
        self._load()

    # settings ---------------------------------------------------------------------------
    def action_settings(self) -> None:
        health = self.current
        if health is None:
            return
        source = health.source

        def chosen(options: SourceOptions | None) -> None:
            if options is not None:
                self._save(source, options)

        self.app.push_screen(SourceSettingsModal(source), chosen)

    @work(group="write", exit_on_error=False)
    async def _save(self, source: Source, options: SourceOptions) -> None:
        try:
            await self.session.writes.run(lambda lib: lib.set_options(source, options))
        except TuireaderError as exc:
            self.notify(f"Not saved: {one_line_error(exc)}", severity="error", markup=False)
            return
        self.changed = True
        self.notify(f"Settings of {clean_line(source.name)} saved.", markup=False)
        self._load()
