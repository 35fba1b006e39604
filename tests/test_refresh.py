"""Refresh against a real loopback HTTP server into a real SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from feedserver import FeedServer
from tuireader.config.settings import Settings
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.query import StoryQuery
from tuireader.services.library import Library
from tuireader.services.refresh import Outcome, Refresher
from tuireader.services.refresh_report import RefreshReport, SourceDone
from tuireader.sources.http import Fetcher, FetchLimits, make_client
from tuireader.storage.database import open_database

LIMITS = FetchLimits(connect_timeout=2, read_timeout=1.5, deadline=3, max_bytes=2 * 1024 * 1024)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    conn, notice = open_database(tmp_path / "t.db")
    assert notice is None
    return Library(conn, Settings())


@pytest.fixture
async def refresher(library: Library) -> AsyncIterator[Refresher]:
    async with make_client("tuireader-test/1", LIMITS) as client:
        yield Refresher(library, Fetcher(client, LIMITS))


def add(library: Library, url: str) -> Source:
    return library.add_source(Source(url=url, kind=SourceKind.FEED))[0]


async def test_every_format_over_http(
    feed_server: FeedServer, library: Library, refresher: Refresher
) -> None:
    names = [
        "rss2.xml",
        "atom.xml",
        "rss1.rdf",
        "rss090.rdf",
        "rss091.xml",
        "atom03.xml",
        "feed.json",
    ]
    for name in names:
        add(library, feed_server.url("/" + name))
    report = await refresher.refresh()
    assert not report.failed, [r.message for r in report.failed]
    assert report.new == 3 + 2 + 2 + 2 + 1 + 1 + 2
    titles = {s.name for s in library.sources()}
    assert {"Harbor Gazette", "Meadow Science", "River JSON News"} <= titles


async def test_conditional_get_round_trip(
    feed_server: FeedServer, library: Library, refresher: Refresher
) -> None:
    source = add(library, feed_server.url("/rss2.xml"))
    first = await refresher.refresh()
    assert first.results[0].outcome is Outcome.UPDATED
    second = await refresher.refresh()
    assert second.results[0].outcome is Outcome.NOT_MODIFIED
    assert feed_server.conditional_hits["/rss2.xml"] == 1
    assert library.count(StoryQuery(source_ids=(source.id or 0,))) == 3


async def test_permanent_redirect_is_remembered_until_adopted(
    feed_server: FeedServer, library: Library, refresher: Refresher
) -> None:
    # a 301 is followed and its target kept on the source; the URL changes only when the
    # user adopts it (the health view's fix), never behind their back
    add(library, feed_server.url("/moved/atom.xml"))
    add(library, feed_server.url("/temp/feed.json"))
    report = await refresher.refresh()
    assert not report.failed
    by_url = {s.url: s for s in library.sources()}
    assert by_url[feed_server.url("/moved/atom.xml")].moved_to == feed_server.url("/atom.xml")
    assert by_url[feed_server.url("/temp/feed.json")].moved_to == ""  # a 302 is not kept


async def test_bad_sources_fail_one_line_each_while_others_succeed(
    feed_server: FeedServer, library: Library, refresher: Refresher
) -> None:
    bad = {
        "/404": "HTTP 404",
        "/500": "HTTP 500",
        "/slow": "timed out",
        "/drip": "timed out",
        "/large": "too large",
        "/bomb": "too large",
        "/html": "not a feed",
        "/garbage": "",
        "/loop": "too many redirects",
    }
    for path in bad:
        add(library, feed_server.url(path))
    good = add(library, feed_server.url("/rss2.xml"))
    gz = add(library, feed_server.url("/gzip"))
    report = await refresher.refresh()
    by_url = {r.source.url: r for r in report.results}
    assert by_url[good.url].outcome is Outcome.UPDATED
    assert by_url[gz.url].outcome is Outcome.UPDATED and by_url[gz.url].new == 2
    for path, reason in bad.items():
        result = by_url[feed_server.url(path)]
        assert result.outcome is Outcome.FAILED, path
        assert reason.lower() in result.message.lower(), (path, result.message)
        assert "\n" not in result.message and "\x1b" not in result.message
    stored = {s.url: s.status for s in library.sources()}
    assert "HTTP 404" in stored[feed_server.url("/404")]


async def test_retry_after_is_respected(
    feed_server: FeedServer, library: Library, refresher: Refresher
) -> None:
    add(library, feed_server.url("/429"))
    first = await refresher.refresh()
    assert first.results[0].outcome is Outcome.WAITING
    second = await refresher.refresh()
    assert second.results[0].outcome is Outcome.WAITING
    assert feed_server.hits["/429"] == 1  # the second refresh did not ask again
    assert not second.failed


async def test_user_agent_names_tuireader(
    feed_server: FeedServer, isolated_env: dict[str, str]
) -> None:
    import tuireader
    from tuireader.app import build_context

    context = build_context()  # as the CLI and the app build it
    try:
        context.library.add_source(Source(url=feed_server.url("/rss2.xml"), kind=SourceKind.FEED))
        async with context.refresher() as refresher:
            assert not (await refresher.refresh()).failed
    finally:
        context.close()
    assert feed_server.user_agents
    assert {ua.split()[0] for ua in feed_server.user_agents} == {
        f"tuireader/{tuireader.__version__}"
    }


async def test_state_survives_refresh_and_changed_content(
    feed_server: FeedServer, library: Library, refresher: Refresher
) -> None:
    url = feed_server.add(
        "/changing.xml",
        b"""<rss version="2.0"><channel><title>c</title>
        <item><title>Keep me</title><link>http://c.example/1</link><description>v1</description></item>
        <item><title>Other</title><link>http://c.example/2</link></item></channel></rss>""",
    )
    add(library, url)
    await refresher.refresh()
    story = next(s for s in library.page(StoryQuery(), 10) if s.title == "Keep me")
    assert story.id is not None
    library.mark([story.id], read=True, starred=True)
    feed_server.add(
        "/changing.xml",
        b"""<rss version="2.0"><channel><title>c</title>
        <item><title>Other</title><link>http://c.example/2</link></item>
        <item><title>Keep me (updated)</title><link>http://c.example/1</link><description>v2</description></item>
        </channel></rss>""",
    )
    await refresher.refresh()
    again = library.story(story.id)
    assert again.title == "Keep me (updated)" and again.read and again.starred
    assert library.count(StoryQuery()) == 2
    assert library.count(StoryQuery(search="v2")) == 1


async def test_connection_refused_reports_offline(library: Library, refresher: Refresher) -> None:
    add(library, "http://127.0.0.1:9/feed.xml")
    report = await refresher.refresh()
    assert report.failed and report.offline
    message = report.failed[0].message
    assert message in (  # in words, never "[Errno …]" or httpx's own phrasing
        "cannot connect: 127.0.0.1 refused the connection",
        "cannot connect: nothing answers at 127.0.0.1",
    ), message


async def test_an_unknown_host_is_named(library: Library, refresher: Refresher) -> None:
    add(library, "http://no-such-host.invalid/feed.xml")
    report = await refresher.refresh()
    assert report.failed[0].message == (
        "cannot connect: no such host no-such-host.invalid (or no DNS)"
    )


async def test_events_one_per_source_then_the_report(
    feed_server: FeedServer, library: Library, refresher: Refresher
) -> None:
    for path in ("/rss2.xml", "/atom.xml", "/404"):
        add(library, feed_server.url(path))
    events = [event async for event in refresher.events()]
    *progress, report = events
    assert isinstance(report, RefreshReport) and len(report.results) == 3
    assert all(isinstance(e, SourceDone) for e in progress)
    assert [(e.done, e.total) for e in progress] == [(1, 3), (2, 3), (3, 3)]  # type: ignore[union-attr]
    assert [e.result for e in progress] == report.results  # type: ignore[union-attr]
    assert [r.source.url for r in report.failed] == [feed_server.url("/404")]
    assert report.new == 3 + 2 and library.count(StoryQuery()) == 5


async def test_leaving_the_events_early_stops_the_refresh(
    feed_server: FeedServer, library: Library, refresher: Refresher
) -> None:
    """A front end that stops listening (the app quits) cancels what is still running;
    the sources already done stay stored."""
    held = add(library, feed_server.url("/held"))
    add(library, feed_server.url("/rss2.xml"))
    events = refresher.events()
    first = await anext(events)
    assert isinstance(first, SourceDone) and first.result.outcome is Outcome.UPDATED
    assert await asyncio.to_thread(feed_server.held.wait, 5)
    await events.aclose()  # while /held is still waiting for its answer
    assert not feed_server.release.is_set()
    assert asyncio.all_tasks() == {asyncio.current_task()}  # nothing left running
    assert library.count(StoryQuery()) == 3
    assert next(s for s in library.sources() if s.id == held.id).status == ""
