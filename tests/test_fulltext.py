"""Full text for summary-only feeds, against the loopback server; offline afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from feedserver import FeedServer
from tuireader.config.settings import GeneralSettings, Settings
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.query import StoryQuery
from tuireader.services.fulltext import FullText
from tuireader.services.library import Library
from tuireader.services.reading import full_text_note, reader_text
from tuireader.services.refresh import Refresher
from tuireader.sources.http import Fetcher, FetchLimits, make_client
from tuireader.storage.database import open_database

LIMITS = FetchLimits(connect_timeout=2, read_timeout=1.5, deadline=3, max_bytes=2 * 1024 * 1024)


def summary_feed(server: FeedServer) -> str:
    items = [
        ("Tidal pilot powers homes", "/pages/article1.html"),
        ("Huge page story", "/large"),
        ("Slow page story", "/slow"),
        ("Not HTML story", "/pages/doc.pdf"),
        ("Redirect loop story", "/loop"),
        ("Missing page story", "/404"),
    ]
    body = "".join(
        f"<item><title>{t}</title><link>{server.url(p)}</link><guid>{p}</guid>"
        f"<description>One sentence about {t.lower()}.</description></item>"
        for t, p in items
    )
    doc = f"<rss version='2.0'><channel><title>Summaries</title>{body}</channel></rss>"
    return server.add("/summaries.xml", doc.encode())


@pytest.fixture
def library(tmp_path: Path) -> Library:
    conn, _ = open_database(tmp_path / "t.db")
    return Library(conn, Settings(general=GeneralSettings(full_text="auto")))


@contextlib.asynccontextmanager
async def refresher(library: Library) -> AsyncIterator[Refresher]:
    async with make_client("tuireader-test", LIMITS) as client:
        pages = FullText(library, Fetcher(client, replace(LIMITS, per_host=2)))
        yield Refresher(library, Fetcher(client, LIMITS), None, pages)


def by_title(library: Library) -> dict[str, int]:
    return {s.title: s.id or 0 for s in library.page(StoryQuery(), 50)}


async def test_full_text_fetched_kept_and_failures_keep_the_feed_text(
    feed_server: FeedServer, library: Library
) -> None:
    library.add_source(Source(url=summary_feed(feed_server), kind=SourceKind.FEED))
    async with refresher(library) as r:
        report = await r.refresh()
    assert report.full_text is not None and report.full_text.fetched == 1
    assert report.full_text.failed == 5
    ids = by_title(library)
    tidal = library.story(ids["Tidal pilot powers homes"])
    assert "breakwater" in tidal.full_text and tidal.full_text_status == "ok"
    shown = reader_text(tidal).markdown
    assert "Harbour master Ewan Coyle" in shown and "Sign in" not in shown
    assert full_text_note(tidal).startswith("Full text from the story's page")
    assert library.count(StoryQuery(search="porpoises")) == 1  # the page is searchable
    reasons = {
        "Huge page story": "too large",
        "Slow page story": "timed out",
        "Not HTML story": "not an HTML page",
        "Redirect loop story": "too many redirects",
        "Missing page story": "HTTP 404",
    }
    for title, reason in reasons.items():
        story = library.story(ids[title])
        assert reason in story.full_text_status, (title, story.full_text_status)
        assert "\n" not in story.full_text_status
        note = full_text_note(story)
        assert note.startswith("Full text unavailable") and reason in note
        assert reader_text(story).markdown.startswith("One sentence about")


async def test_a_fetched_page_is_indexed_as_the_feed_item_was(
    feed_server: FeedServer, library: Library
) -> None:
    """The page replaces the body in the search index; the title and the story's sections
    stay searchable (one definition of a story's text, whatever its body came from)."""
    item = (
        "<item><title>Tidal pilot powers homes</title>"
        f"<link>{feed_server.url('/pages/article1.html')}"
        "</link><guid>tidal</guid><category>Quayside Desk</category>"
        "<description>A summary.</description></item>"
    )
    doc = f"<rss version='2.0'><channel><title>Sections</title>{item}</channel></rss>"
    url = feed_server.add("/sections.xml", doc.encode())
    library.add_source(Source(url=url, kind=SourceKind.FEED))
    async with refresher(library) as r:
        report = await r.refresh()
    assert report.full_text is not None and report.full_text.fetched == 1
    for word in ("porpoises", "quayside", "tidal"):
        assert library.count(StoryQuery(search=word)) == 1, word


async def test_never_the_same_page_twice_and_offline_afterwards(
    feed_server: FeedServer, library: Library
) -> None:
    library.add_source(Source(url=summary_feed(feed_server), kind=SourceKind.FEED))
    async with refresher(library) as r:
        await r.refresh()
    before = {i: reader_text(library.story(i)).markdown for i in by_title(library).values()}
    async with refresher(library) as r:
        await r.refresh()
    assert feed_server.hits["/pages/article1.html"] == 1
    feed_server.stop()  # the network is gone
    async with refresher(library) as r:
        report = await r.refresh()
    assert report.offline and len(report.failed) == 1
    after = {i: reader_text(library.story(i)).markdown for i in by_title(library).values()}
    assert after == before  # every cached story, full text included, reads the same


async def test_refetch_one_story_is_conditional(feed_server: FeedServer, library: Library) -> None:
    library.add_source(Source(url=summary_feed(feed_server), kind=SourceKind.FEED))
    async with refresher(library) as r:
        await r.refresh()
        tidal = by_title(library)["Tidal pilot powers homes"]
        assert r.fulltext is not None
        assert await r.fulltext.fetch_one(tidal) == "not modified"
    assert feed_server.conditional_hits["/pages/article1.html"] == 1
    assert "breakwater" in library.story(tidal).full_text


async def test_never_mode_fetches_no_pages(feed_server: FeedServer, tmp_path: Path) -> None:
    conn, _ = open_database(tmp_path / "n.db")
    library = Library(conn, Settings(general=GeneralSettings(full_text="never")))
    library.add_source(Source(url=summary_feed(feed_server), kind=SourceKind.FEED))
    async with refresher(library) as r:
        report = await r.refresh()
    assert report.full_text is None
    assert feed_server.hits["/summaries.xml"] == 1 and library.count(StoryQuery()) == 6
    pages = ("/pages/article1.html", "/large", "/slow", "/pages/doc.pdf", "/loop", "/404")
    assert [feed_server.hits[p] for p in pages] == [0] * len(pages)


async def test_app_reads_offline_and_says_so_once(feed_server: FeedServer, tmp_path: Path) -> None:
    from apphelpers import make_app, root_at, workers_done
    from tuireader.ui.widgets.article_pane import ArticlePane
    from tuireader.ui.widgets.headline_list import HeadlineList

    context = root_at(tmp_path)
    context.library.add_source(Source(url=summary_feed(feed_server), kind=SourceKind.FEED))
    context.close()
    app = make_app(tmp_path)
    notes: list[str] = []
    async with app.run_test(size=(130, 36)) as pilot:
        original = app.notify

        def spy(message: str, **kw: object) -> None:
            notes.append(message)
            original(message, **kw)  # type: ignore[arg-type]

        app.notify = spy  # type: ignore[method-assign]
        await pilot.press("R")
        await workers_done(app)
        feed_server.stop()
        for _ in range(2):
            await pilot.press("R")
            await workers_done(app)
        assert sum("Offline" in n for n in notes) == 1
        hl = app.screen.query_one(HeadlineList)
        index = next(i for i in range(hl.total) if hl.story_at(i).title.startswith("Tidal"))  # type: ignore[union-attr]
        hl.move_to(index)
        await pilot.press("enter")
        await workers_done(app)
        await pilot.pause()
        pane = app.screen.query_one(ArticlePane)
        assert pane.story is not None and "breakwater" in pane.story.full_text
