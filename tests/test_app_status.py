"""The status line and empty views tell the truth about the view shown."""

from __future__ import annotations

from pathlib import Path

from apphelpers import build_library, make_app, settle, workers_done
from feedserver import FeedServer
from tuireader.domain.models import Source, SourceKind
from tuireader.ui.main_screen import MainScreen
from tuireader.ui.widgets.sidebar import Sidebar

SIZE = (140, 40)


async def go_to(pilot: object, view_id: str) -> MainScreen:
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, MainScreen)
    await workers_done(pilot.app)  # type: ignore[attr-defined]  # the counts are read off the loop
    sidebar = screen.query_one(Sidebar)
    view = sidebar.view(view_id)
    assert view is not None
    sidebar.post_message(Sidebar.ViewChosen(view))
    await pilot.pause()  # type: ignore[attr-defined]
    await workers_done(pilot.app)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    return screen


def sidebar_count(screen: MainScreen, label: str) -> int | None:
    return next(r.count for r in screen.query_one(Sidebar).rows if r.label == label)


async def test_counts_are_for_the_view_and_empty_views_say_how_to_fill_them(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await go_to(pilot, "all")
        assert screen.status.message == "All · 7 stories · 7 unread"
        screen = await go_to(pilot, "starred")
        assert screen.status.message == "Starred · 0 stories · 0 unread"
        hint = "No starred stories — press s on a story to star it"
        assert screen.headlines.render_text(0).plain == hint
        assert hint in "".join(seg.text for seg in screen.headlines.render_line(0))
        screen = await go_to(pilot, "saved")
        assert screen.headlines.render_text(0).plain.startswith("Nothing saved — press B")
        screen = await go_to(pilot, "all")
        await pilot.press("s", "m")  # star the first story and mark it read
        screen = await go_to(pilot, "starred")
        assert screen.status.message == "Starred · 1 story · 0 unread"
        screen = await go_to(pilot, "source-1")
        assert screen.status.message == "Harbor Gazette · 4 stories · 3 unread"


async def test_empty_hints_follow_the_keymap(tmp_path: Path) -> None:
    app = make_app(tmp_path, keys={"toggle_star": "asterisk,S"})
    async with app.run_test(size=SIZE) as pilot:
        screen = await go_to(pilot, "starred")
        assert "press asterisk on a story" in screen.headlines.render_text(0).plain


async def test_after_saving_a_page_sidebar_and_status_agree(tmp_path: Path) -> None:
    page = tmp_path / "note.md"
    page.write_text("# Tide tables for the winter\n\nHigh water at nine.\n", encoding="utf-8")
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await go_to(pilot, "all")
        await pilot.press("B", *str(page), "enter")
        await settle(pilot)
        assert screen.status.message == "All · 8 stories · 8 unread"
        assert sidebar_count(screen, "All") == 8
        screen = await go_to(pilot, "saved")
        assert screen.status.message == "Saved · 1 story · 1 unread"


def one_story_feed(server: FeedServer, items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{server.url(p)}</link><guid>{p}</guid>"
        f"<description>One line.</description></item>"
        for t, p in items
    )
    doc = f"<rss version='2.0'><channel><title>Pages</title>{body}</channel></rss>"
    return server.add(f"/pages-{len(items)}.xml", doc.encode())


async def test_failed_pages_are_named(tmp_path: Path, feed_server: FeedServer) -> None:
    home = tmp_path
    library = build_library(home)
    for source in library.sources():
        library.remove_source(source)
    library.add_source(
        Source(url=one_story_feed(feed_server, [("Lost page", "/404")]), kind=SourceKind.FEED)
    )
    library.close()
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await settle(pilot)
        status = app.screen.status.message  # type: ignore[attr-defined]
        assert "0 full texts, page failed: Lost page" in status
        assert "1 pages" not in status
    library = build_library(home)
    library.add_source(
        Source(
            url=one_story_feed(feed_server, [("Gone A", "/404"), ("Gone B", "/500")]),
            kind=SourceKind.FEED,
        )
    )
    library.close()
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await settle(pilot)
        status = app.screen.status.message  # type: ignore[attr-defined]
        assert "2 pages failed: Gone A, Gone B" in status or "2 pages failed: Gone B, Gone A" in (
            status
        )


async def test_clearing_a_search_names_the_view_all_again(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"ferry", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.status.message == "Search · search: ferry · 1 story · 1 unread"
        await pilot.press("F")
        await pilot.pause()
        assert screen.status.message == "All · 7 stories · 7 unread"


async def test_the_unread_view_counts_what_is_read_there(tmp_path: Path) -> None:
    """A story read in the Unread view stays listed until the view is shown again; the
    count of unread stories goes down at once."""
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await go_to(pilot, "unread")
        assert screen.status.message == "Unread · 7 stories · 7 unread"
        await pilot.press("m")
        await workers_done(app)
        await pilot.pause()
        assert screen.status.message == "Unread · 7 stories · 6 unread"
