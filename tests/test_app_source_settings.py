"""The app's source settings dialog (C, from the sidebar's source) and the feed health view
(H), in the real app under Pilot, against a loopback server."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, Static

from apphelpers import HOSTILE, build_library, make_app, workers_done
from feedserver import FeedServer
from tuireader.domain.models import Source, SourceKind
from tuireader.ui.health_screen import HealthScreen
from tuireader.ui.main_screen import MainScreen
from tuireader.ui.source_settings_modal import SourceSettingsModal
from tuireader.ui.widgets.sidebar import Sidebar


def highlight(screen: MainScreen, source_id: int) -> None:
    """Focus the sidebar with its cursor on a source's line."""
    sidebar = screen.query_one(Sidebar)
    sidebar.focus()
    [index] = [
        n for n, row in enumerate(sidebar.rows) if row.view and row.view.id == f"source-{source_id}"
    ]
    sidebar.cursor = index


async def settings_dialog(pilot: Any, title: str) -> tuple[Source, SourceSettingsModal]:
    """The settings dialog opened (C) on the sidebar's line of the source with ``title``."""
    app = pilot.app
    await workers_done(app)
    screen = app.screen
    assert isinstance(screen, MainScreen)
    source = next(s for s in app.session.library.sources() if s.title == title)
    assert source.id is not None
    highlight(screen, source.id)
    await pilot.press("C")
    modal = app.screen
    assert isinstance(modal, SourceSettingsModal) and modal.source.id == source.id
    return source, modal


async def test_the_sidebars_source_gets_its_settings_from_a_dialog(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        valley, modal = await settings_dialog(pilot, "Valley Tech")
        await pilot.press(*"soon", "enter")  # refused in a line; the dialog stays
        await pilot.pause()
        assert app.screen is modal
        said = str(modal.query_one("#settings-error", Static).render())
        assert "not a duration" in said
        field = modal.query_one("#opt-refresh_interval", Input)
        field.value = ""
        await pilot.press(*"2h")
        modal.query_one("#opt-max_stories", Input).focus()
        await pilot.press(*"50", "enter")
        await workers_done(app)
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    [stored] = build_library(tmp_path).find_sources([str(valley.id)])
    assert stored.options.refresh_interval == 120 and stored.options.max_stories == 50
    assert stored.settings.max_stories == 50
    other = next(s for s in build_library(tmp_path).sources() if s.title == "Harbor Gazette")
    assert other.options.refresh_interval is None  # only the highlighted source changed


async def test_escape_leaves_the_settings_as_they_were(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        harbor, modal = await settings_dialog(pilot, "Harbor Gazette")
        await pilot.press(*"3h")
        assert modal.query_one("#opt-refresh_interval", Input).value == "3h"  # typed in
        await pilot.press("escape")
        await workers_done(app)
        assert isinstance(app.screen, MainScreen)
    [stored] = build_library(tmp_path).find_sources([str(harbor.id)])
    assert stored.options.refresh_interval is None


async def test_the_health_view_lists_moved_feeds_first_and_fixes_them(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    app = make_app(tmp_path)
    old = feed_server.url("/moved/atom.xml")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        library = app.session.library
        moved, _ = library.add_source(Source(url=old, kind=SourceKind.FEED, title=HOSTILE))
        screen.start_refresh([moved])
        await workers_done(app)
        await pilot.press("H")
        await workers_done(app)
        await pilot.pause()
        view = app.screen
        assert isinstance(view, HealthScreen)
        table = view.query_one(DataTable)
        assert table.row_count == 3
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[0] == str(moved.id) and first[1] == "moved"
        assert "[@click" in first[-2]  # a hostile title shows as text, never as markup
        assert first[-1].startswith("moved permanently to")
        note = str(view.query_one("#health-note", Static).render())
        assert f"moved permanently to {feed_server.url('/atom.xml')}" in note
        await pilot.press("f")
        await workers_done(app)
        await pilot.pause()
        assert [s.url for s in library.sources() if s.id == moved.id] == [
            feed_server.url("/atom.xml")
        ]
        assert str(table.get_row_at(0)[1]) != "moved"  # listed again, fixed
        await pilot.press("escape")
        await workers_done(app)
        assert isinstance(app.screen, MainScreen)


async def test_the_add_dialog_takes_a_command_feed(tmp_path: Path) -> None:
    script = tmp_path / "feed.py"
    script.write_text(
        "print(\"<rss version='2.0'><channel><title>Printed</title><item><title>From a"
        ' command</title><guid>c1</guid></item></channel></rss>")\n'
    )
    app = make_app(tmp_path)
    ref = f"exec:{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    async with app.run_test(size=(140, 40)) as pilot:
        await workers_done(app)
        await pilot.press("a")
        app.screen.query_one("#ref", Input).value = ref
        await pilot.press("enter")
        await workers_done(app)
        await pilot.pause()
    added = [s for s in build_library(tmp_path).sources() if s.url == ref]
    assert [(s.kind, s.title, s.total) for s in added] == [(SourceKind.COMMAND, "Printed", 1)]
