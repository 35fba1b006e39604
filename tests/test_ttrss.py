"""The tt-rss JSON API client against a loopback stand-in written from the published API and
checked against the real server (tests/test_ttrss_real.py): sign-in and an expired session,
API access switched off, feeds with categories, headlines paged and incremental, the unread
and starred ids, marks for many articles at once, fetching a feed on demand, subscriptions,
ids sent as strings (tt-rss on an older PHP), failures in a line."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from ttrssserver import StandIn, serving
from tuireader.sources.ttrss import TTRSSAuthError, TTRSSClient, TTRSSError

T0 = 1_790_000_000


@pytest.fixture
def server() -> Iterator[StandIn]:
    yield from serving()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def filled(server: StandIn, n: int) -> list[int]:
    news = server.state.add_feed("http://news.example/feed.xml", "News", "World")
    tech = server.state.add_feed("http://tech.example/rss", "Tech")
    add = server.state.add_article
    return [add(news if i % 2 else tech, f"Story {i}", T0 + i).id for i in range(n)]


def client(server: StandIn, http: httpx.AsyncClient, password: str = "") -> TTRSSClient:
    return TTRSSClient(http, server.base, server.state.user, password or server.state.password)


async def test_feeds_and_headlines_paged_and_incremental(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    ids = filled(server, 450)
    reader = client(server, http)
    feeds = {f.title: f for f in await reader.subscriptions()}
    assert set(feeds) == {"News", "Tech"}  # not the virtual feeds
    assert feeds["News"].folders == ("World",) and feeds["Tech"].folders == ()
    items = await reader.headlines()
    assert sorted(int(i.id) for i in items) == ids
    assert server.state.ops.count("getHeadlines") == 3  # 200 + 200 + 50
    newer = await reader.headlines(since_id=ids[-3])
    assert sorted(int(i.id) for i in newer) == ids[-2:]


async def test_marks_many_at_once_and_an_expired_session_signs_in_again(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    ids = filled(server, 4)
    reader = client(server, http)
    await reader.mark([str(ids[0]), str(ids[1])], read=True, starred=True)
    arts = server.state.articles
    assert [(arts[i].unread, arts[i].marked) for i in ids[:3]] == [
        (False, True),
        (False, True),
        (True, False),
    ]
    server.state.sessions.clear()  # the server ended the session
    await reader.mark([str(ids[0])], read=False, starred=False)
    assert arts[ids[0]].unread and not arts[ids[0]].marked
    assert server.state.ops.count("login") == 2


async def test_subscribe_and_unsubscribe(server: StandIn, http: httpx.AsyncClient) -> None:
    reader = client(server, http)
    await reader.subscribe("http://new.example/atom")
    feeds = await reader.subscriptions()
    assert [f.url for f in feeds] == ["http://new.example/atom"]
    await reader.unsubscribe(feeds[0].id)
    assert await reader.subscriptions() == []


async def test_refusals_are_one_line_without_the_password(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    with pytest.raises(TTRSSAuthError) as caught:
        await client(server, http, password="wrong horse battery").subscriptions()
    assert "\n" not in str(caught.value) and "horse" not in str(caught.value)
    server.state.api_enabled = False
    with pytest.raises(TTRSSAuthError, match="API access is off"):
        await client(server, http).subscriptions()


async def test_a_server_that_is_down_is_one_line(http: httpx.AsyncClient) -> None:
    with pytest.raises(TTRSSError) as caught:
        await TTRSSClient(http, "http://127.0.0.1:9/tt-rss", "u", "p").subscriptions()
    assert "127.0.0.1:9" in str(caught.value) and "\n" not in str(caught.value)


async def test_unread_and_starred_ids_are_paged_without_content(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    ids = filled(server, 450)
    for n, article_id in enumerate(ids):
        article = server.state.articles[article_id]
        article.unread = n % 3 != 0
        article.marked = n % 5 == 0
    reader = client(server, http)
    assert await reader.unread_ids() == {str(i) for n, i in enumerate(ids) if n % 3}
    assert server.state.ops.count("getHeadlines") == 2  # 200 + 100
    assert await reader.starred_ids() == {str(i) for n, i in enumerate(ids) if n % 5 == 0}
    assert server.state.ops.count("getHeadlines") == 3  # 90 starred: one page


async def test_update_feed_and_subscribe_into_a_category(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    world = server.state.category("World")
    reader = client(server, http)
    feed_id = await reader.subscribe("http://news.example/rss", category_id=world)
    assert await reader.subscribe("http://news.example/rss") == feed_id  # already there
    assert [(f.id, f.folders) for f in await reader.subscriptions()] == [(feed_id, ("World",))]
    server.state.queued[int(feed_id)] = [("First", T0), ("Second", T0 + 1)]
    assert await reader.headlines() == []
    await reader.update_feed(feed_id)
    items = await reader.headlines()
    assert sorted(i.title for i in items) == ["First", "Second"]
    assert {i.feed_id for i in items} == {feed_id}
    with pytest.raises(TTRSSError, match="not valid") as caught:
        await reader.subscribe("ftp://nowhere")
    assert "\n" not in str(caught.value)


async def test_ids_and_flags_sent_as_strings_are_read(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    server.state.strings = True
    ids = filled(server, 3)
    server.state.articles[ids[0]].marked = True
    server.state.articles[ids[1]].unread = False
    reader = client(server, http)
    feeds = {f.title: f for f in await reader.subscriptions()}
    assert feeds["News"].folders == ("World",) and feeds["Tech"].folders == ()
    items = {int(i.id): i for i in await reader.headlines()}
    assert sorted(items) == ids
    assert items[ids[0]].starred and not items[ids[0]].read
    assert items[ids[1]].read and not items[ids[1]].starred
    assert items[ids[0]].published is not None and items[ids[0]].feed_id.isdigit()
    assert await reader.starred_ids() == {str(ids[0])}
    assert await reader.unread_ids() == {str(ids[0]), str(ids[2])}


async def test_starred_articles_of_an_unsubscribed_feed_stay_without_a_feed(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    ids = filled(server, 4)
    server.state.articles[ids[1]].marked = True
    reader = client(server, http)
    news = next(f for f in await reader.subscriptions() if f.title == "News")
    await reader.unsubscribe(news.id)
    assert [f.title for f in await reader.subscriptions()] == ["Tech"]
    kept = {i.id: i.feed_id for i in await reader.headlines()}
    assert kept[str(ids[1])] == "0" and str(ids[3]) not in kept


async def test_counts_per_feed_and_one_feeds_ids(server: StandIn, http: httpx.AsyncClient) -> None:
    ids = filled(server, 10)  # odd: News, even: Tech
    arts = server.state.articles
    arts[ids[1]].unread = False
    arts[ids[3]].marked = True
    arts[ids[4]].marked = True
    reader = client(server, http)
    feeds = {f.title: f.id for f in await reader.subscriptions()}
    news, tech = feeds["News"], feeds["Tech"]
    assert await reader.counts() == {news: (4, 1), tech: (5, 1)}
    assert await reader.unread_ids(news) == {str(ids[n]) for n in (3, 5, 7, 9)}
    assert await reader.starred_ids(news) == {str(ids[3])}
    assert await reader.starred_ids(tech) == {str(ids[4])}
    server.state.strings = True
    assert await reader.counts() == {news: (4, 1), tech: (5, 1)}
