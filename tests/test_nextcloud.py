"""The Nextcloud News v1-3 client against a loopback stand-in written from the API's
published documentation: paging, incremental reads by lastModified, marks, mark-feed-read up
to what was seen, subscriptions, and failures in one line without the password."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from nextcloudserver import StandIn, serving
from tuireader.sources.nextcloud import NextcloudAuthError, NextcloudClient, NextcloudError

T0 = 1_790_000_000


@pytest.fixture
def server() -> Iterator[StandIn]:
    yield from serving()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def filled(server: StandIn, n: int = 5) -> tuple[int, int, list[int]]:
    news = server.state.add_feed("http://news.example/feed.xml", "News", "World")
    tech = server.state.add_feed("http://tech.example/rss", "Tech")
    ids = [
        server.state.add_item(news if i % 2 else tech, f"Story {i}", T0 + i).id for i in range(n)
    ]
    return news, tech, ids


def client(server: StandIn, http: httpx.AsyncClient, password: str = "") -> NextcloudClient:
    return NextcloudClient(http, server.base, server.state.user, password or server.state.password)


async def test_feeds_with_folders_and_items_paged(
    server: StandIn, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tuireader.sources.nextcloud as module

    monkeypatch.setattr(module, "BATCH", 3)
    news, _, ids = filled(server, 8)
    reader = client(server, http)
    feeds = {f.title: f for f in await reader.subscriptions()}
    assert feeds["News"].folders == ("World",) and feeds["Tech"].folders == ()
    assert feeds["News"].id == str(news)
    items = await reader.items()
    assert sorted(int(i.id) for i in items) == ids  # every item once, over three pages
    assert sum(r == "GET /items" for r in server.state.requests) == 3


async def test_updated_reads_only_what_changed_since_the_last_sync(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    _, _, ids = filled(server, 4)
    reader = client(server, http)
    await reader.items()
    assert await reader.updated() == []  # nothing changed since
    server.state.change(server.state.items[ids[1]], starred=True)
    server.state.add_item(1, "Late story", T0 + 99)
    changed = {i.title: i for i in await reader.updated()}
    assert set(changed) == {"Story 1", "Late story"} and changed["Story 1"].starred
    assert await reader.updated() == []


async def test_marks_and_mark_feed_read_up_to_what_was_seen(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    news, _, ids = filled(server, 6)  # news has items 1, 3, 5 (ids[1], ids[3], ids[5])
    reader = client(server, http)
    await reader.mark([str(ids[0])], read=True, starred=True)
    item = server.state.items[ids[0]]
    assert not item.unread and item.starred
    await reader.mark([str(ids[0])], read=False)
    assert server.state.items[ids[0]].unread
    await reader.mark_feed_read(str(news), newest_seen=str(ids[3]))
    assert [server.state.items[i].unread for i in (ids[1], ids[3], ids[5])] == [False, False, True]


async def test_subscribe_and_unsubscribe(server: StandIn, http: httpx.AsyncClient) -> None:
    reader = client(server, http)
    feed_id = await reader.subscribe("http://new.example/atom")
    assert "http://new.example/atom" in {f.url for f in await reader.subscriptions()}
    await reader.unsubscribe(feed_id)
    assert await reader.subscriptions() == []


async def test_a_wrong_password_is_one_line_without_it(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    with pytest.raises(NextcloudAuthError) as caught:
        await client(server, http, password="wrong horse battery").items()
    assert "\n" not in str(caught.value) and "horse" not in str(caught.value)


async def test_a_server_that_is_down_is_one_line(http: httpx.AsyncClient) -> None:
    with pytest.raises(NextcloudError) as caught:
        await NextcloudClient(http, "http://127.0.0.1:9", "u", "p").items()
    assert "127.0.0.1:9" in str(caught.value) and "\n" not in str(caught.value)
