"""The real app under Textual's Pilot, over a real SQLite file."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table
from textual.app import App
from textual.widgets import Input, Static
from textual.worker import WorkerState

from apphelpers import HOSTILE, build_library, database, make_app, notes_of, settle
from feedserver import FeedServer
from tuireader.domain.query import StoryQuery
from tuireader.ui import commands
from tuireader.ui.commands import COMMANDS, Needs
from tuireader.ui.main_screen import MainScreen
from tuireader.ui.modals import AddSourceModal, HelpScreen
from tuireader.ui.widgets.article_pane import ArticlePane
from tuireader.ui.widgets.headline_list import HeadlineList
from tuireader.ui.widgets.status_bar import StatusBar
from tuireader.ui.widgets.story_list import StoryList

SIZE = (140, 40)


def refreshing(app: App[object]) -> bool:
    """Whether a refresh worker is running and the status bar says so."""
    running = [w for w in app.workers if w.group == "refresh" and w.state is WorkerState.RUNNING]
    return bool(running) and app.screen.query_one(StatusBar).refreshing


def help_lines(app: App[object]) -> list[str]:
    """The help screen's table as plain text lines."""
    [table] = [w.content for w in app.screen.query(Static) if isinstance(w.content, Table)]
    console = Console(width=SIZE[0], record=True, file=io.StringIO())
    console.print(table)
    return console.export_text().splitlines()


def headlines(app: object) -> HeadlineList:
    return app.screen.query_one(HeadlineList)  # type: ignore[attr-defined,no-any-return]


async def test_navigation_moves_the_cursor(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        hl = headlines(app)
        assert hl.total == 7
        await pilot.press("j", "j")
        assert hl.cursor == 2
        await pilot.press("k")
        assert hl.cursor == 1
        await pilot.press("G")
        assert hl.cursor == 6
        await pilot.press("g")
        assert hl.cursor == 0
        await pilot.press("down", "down")
        assert hl.cursor == 2  # arrows move the cursor, not just the view
        await pilot.press("pagedown")
        assert hl.cursor == 6  # one page is more than the rest
        await pilot.press("up")
        assert hl.cursor == 5


async def test_open_marks_read_at_once_and_survives_restart(tmp_path: Path) -> None:
    home = tmp_path
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        pane = app.screen.query_one(ArticlePane)
        assert pane.story is not None and pane.story.title == "Ferry timetable changes next week"
        opened = pane.story.id
        # written at once: another connection sees it while the app still runs
        assert build_library(home).story(opened or 0).read
        await pilot.press("h")
        assert isinstance(app.focused, HeadlineList)
    again = make_app(home)
    async with again.run_test(size=SIZE):
        story = headlines(again).story_at(0)
        assert story is not None and story.read


async def test_star_and_toggle_read(tmp_path: Path) -> None:
    home = tmp_path
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "s", "m")
        story = build_library(home).story(headlines(app).current.id or 0)  # type: ignore[union-attr]
        assert story.starred and story.read
        await pilot.press("s", "m")
        story = build_library(home).story(story.id or 0)
        assert not story.starred and not story.read


async def test_mark_all_read_and_undo(tmp_path: Path) -> None:
    home = tmp_path
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        assert build_library(home).count(StoryQuery(unread=True)) == 0
        await pilot.press("u")
        assert build_library(home).count(StoryQuery(unread=True)) == 7


async def test_search_and_filter(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        box = app.screen.query_one("#query-input", Input)
        assert app.focused is box
        await pilot.press(*"apples", "enter")
        hl = headlines(app)
        assert hl.total == 1 and hl.current is not None
        assert hl.current.title == "Apples harvest best in a decade"
        await pilot.press("F")
        assert hl.total == 7
        await pilot.press("f", *"seals")
        assert hl.total == 1
        await pilot.press("enter")
        assert isinstance(app.focused, HeadlineList)


async def test_page_lists_match_library_stories(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"compiler", "enter", "enter")
        await settle(pilot)
        related = app.screen.query_one("#related", StoryList)
        # the page's lines, after the computed ones (a line both lists hold shows once)
        page = [i for i in related.items if "from the page" in i.detail]
        assert [i.title for i in page] == [
            "Ferry timetable changes next week",
            "A story not in the library",
        ]
        assert page[0].story_id is not None and page[1].story_id is None
        related.focus()
        related.highlighted = related.items.index(page[0])
        await pilot.press("enter")
        await settle(pilot)
        pane = app.screen.query_one(ArticlePane)
        assert pane.story is not None and pane.story.title == "Ferry timetable changes next week"


async def test_hostile_titles_are_shown_literally(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        hl = headlines(app)
        index = next(i for i in range(hl.total) if "boom" in hl.story_at(i).title)  # type: ignore[union-attr]
        hl.move_to(index)
        await pilot.pause()
        line = "".join(seg.text for seg in hl.render_line(index - int(hl.scroll_offset.y)))
        assert "[bold]x[/]" in line and "[@click=app.quit]boom[/]" in line
        assert "\x1b" not in line and "\x07" not in line
        await pilot.click(HeadlineList, offset=(40, index))
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running  # the [@click=app.quit] title did nothing
        pane = app.screen.query_one(ArticlePane)
        assert pane.links == ()  # the story's javascript: link is not offered
        assert HOSTILE.split()[0] in pane.story.title  # type: ignore[union-attr]


async def test_wide_titles_keep_columns(tmp_path: Path) -> None:
    from rich.cells import cell_len

    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        hl = headlines(app)
        rows = ["".join(seg.text for seg in hl.render_line(y)) for y in range(hl.total)]
        assert any("東京" in row for row in rows) and any("🚆" in row for row in rows)
        # CJK and emoji rows are exactly as wide as the others: the list's width
        assert {cell_len(row) for row in rows} == {hl.scrollable_content_region.width}


async def test_help_is_built_from_the_commands(tmp_path: Path) -> None:
    app = make_app(tmp_path, keys={"next_unread": "x"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        lines = help_lines(app)
        for command in COMMANDS:  # every command is listed...
            assert any(f" {command.title} " in line for line in lines), command.id
        keys = {line.split("  ")[0].strip() for line in lines if " Next unread " in line}
        assert keys == {"x"}  # ...with the keys of the moment
        assert any(line.startswith("/ ") and " Search " in line for line in lines)
        # key names as the footer shows them (Textual's App.get_key_display)
        rows = [line.split() for line in lines]
        for shown in (["⏎", "l", "open"], ["h", "esc", "back"], ["^s", "save_search"]):
            assert shown in (row[: len(shown)] for row in rows), shown
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("x")  # remapped next_unread
        await settle(pilot)
        assert app.screen.query_one(ArticlePane).story is not None


async def test_palette_offers_only_what_can_run(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Mark all read", "Refresh all", "Search", "Add source"} <= titles
        assert "Undo" not in titles
        await pilot.press("A")
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Undo" in titles


def refused(screen: MainScreen) -> set[str]:
    """The ids of the screen's commands whose keys do nothing now."""
    return {
        c.id
        for c in COMMANDS
        if not c.action.startswith("app.") and screen.check_action(c.action_name, ()) is False
    }


async def test_what_can_run_comes_from_the_declarations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("f", *"no such title")
        assert headlines(app).total == 0 and screen.article.story is None
        story_commands = {
            "open",
            "toggle_read",
            "toggle_star",
            "open_browser",
            "pipe_story",
            "refresh_source",
            "remove_source",
            "source_settings",
            "mark_source_read",
        }
        assert refused(screen) == story_commands | {"save_search", "forget_view"}
        # the link and image keys and undo run, to say there is nothing to do; the palette
        # skips them
        assert screen.check_action("undo", ()) is True and not screen.can_run("undo")
        assert screen.check_action("open_link", (1,)) is True
        assert not screen.can_run("pick_link") and not screen.can_run("open_image")
        await pilot.press("escape", "F")
        assert headlines(app).total == 7
        assert refused(screen) == {"save_search", "forget_view"}
        await pilot.press("enter")  # open the first story: it has a link
        await settle(pilot)
        assert screen.can_run("pick_link") and screen.can_run("open_link(1)")
        # the screen asks the declaration, not a list of its own
        filter_command = commands.BY_ACTION["filter"]
        needing = replace(filter_command, needs=Needs.SEARCH)
        monkeypatch.setitem(commands.BY_ACTION, "filter", needing)
        assert screen.check_action("filter", ()) is False
        assert "Filter" not in {c.title for c in app.get_system_commands(screen)}


def test_commands_sharing_an_action_share_their_needs() -> None:
    for command in COMMANDS:
        shared = commands.BY_ACTION.get(command.action_name)
        if shared is not None:
            assert (shared.needs, shared.says_why_not) == (command.needs, command.says_why_not)


async def test_refresh_with_one_feed_failing_and_add_source(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    home = tmp_path
    library = build_library(home)
    for source in library.sources():
        library.remove_source(source)
    from tuireader.domain.models import Source, SourceKind

    library.add_source(Source(url=feed_server.url("/rss2.xml"), kind=SourceKind.FEED))
    library.add_source(Source(url=feed_server.url("/404"), kind=SourceKind.FEED, title="Broken"))
    app = make_app(home)
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        original = app.notify

        def spy(message: str, **kw: object) -> None:
            notes.append(f"{kw.get('title', '')}: {message}")
            original(message, **kw)  # type: ignore[arg-type]

        app.notify = spy  # type: ignore[method-assign]
        await pilot.press("R")
        await settle(pilot)
        assert headlines(app).total == 3
        assert any("Broken" in n and "404" in n for n in notes)
        await pilot.press("a")
        assert isinstance(app.screen, AddSourceModal)
        await pilot.press(*feed_server.url("/atom.xml"), "tab", *"Tech", "enter")
        await settle(pilot)
        assert headlines(app).total == 5
        assert any(s.folder == "Tech" for s in build_library(home).sources())


async def test_refresh_on_start_keeps_keys_working(tmp_path: Path, feed_server: FeedServer) -> None:
    home = tmp_path
    library = build_library(home)
    from tuireader.domain.models import Source, SourceKind

    library.add_source(Source(url=feed_server.url("/held"), kind=SourceKind.FEED))
    app = make_app(home, refresh_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        hl = headlines(app)
        before = hl.total
        # The refresh started by itself and its request is held at the server...
        assert await asyncio.to_thread(feed_server.held.wait, 5)
        assert refreshing(app)
        await pilot.press("j", "j")
        assert hl.cursor == 2
        # ...and the keys were handled while it was still under way.
        assert refreshing(app) and not feed_server.release.is_set()
        feed_server.release.set()
        await settle(pilot)
        assert not refreshing(app)
        assert hl.total > before  # the refresh that was running did land
        assert feed_server.hits["/held"] == 1


async def test_discovery_lists_also_in_collapse_and_why(tmp_path: Path) -> None:
    from discovery_eval import load
    from tuireader.ui.widgets.story_list import StoryList as Lists

    home = tmp_path
    loaded = load(database(home))
    quake = loaded.ids["s01"]
    others = set(loaded.discovery.also_in(quake))
    loaded.library.close()
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        hl = headlines(app)
        everything = hl.total
        await pilot.press("c")
        await pilot.pause()
        assert hl.total < everything  # one line per event
        await pilot.press("c")
        await pilot.pause()
        assert hl.total == everything
        index = next(i for i in range(hl.total) if hl.story_at(i).id == quake)  # type: ignore[union-attr]
        hl.move_to(index)
        await pilot.press("enter")
        await settle(pilot)
        also = app.screen.query_one("#also-in", Lists)
        assert also.display and {i.story_id for i in also.items} == others
        related = app.screen.query_one("#related", Lists)
        assert related.items and not {i.story_id for i in related.items} & others
        ranking = app.screen.query_one("#ranking", Lists)
        assert ranking.items
        ranking.focus()
        notes = notes_of(app)
        await pilot.press("w")
        assert notes and "recency" in notes[-1]
        also.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one(ArticlePane).story.id in others  # type: ignore[union-attr]


async def test_back_right_after_open_is_not_overridden(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.action_open()  # the article takes focus once its body is painted...
        screen.action_back()  # ...unless the reader went back before that
        await settle(pilot)
        assert isinstance(app.focused, HeadlineList)
        assert screen.query_one(ArticlePane).story is not None


async def test_keys_right_after_back_see_the_list_focused(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, ArticlePane)
        await pilot.press("escape", "j")  # "j" in the same batch of keys as "back"
        assert headlines(app).cursor == 1
