"""The Miniflux REST client against a loopback stand-in written from Miniflux's published API;
the official ``miniflux`` client from PyPI is run against the same stand-in, so the stand-in
answers as Miniflux does and our client reads what the official one reads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import miniflux
import pytest

from minifluxserver import StandIn, serving
from tuireader.sources.miniflux import MinifluxAuthError, MinifluxClient, MinifluxError

T0 = 1_790_000_000


@pytest.fixture
def server() -> Iterator[StandIn]:
    yield from serving()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def filled(server: StandIn, n: int = 5) -> list[int]:
    news = server.state.add_feed("http://news.example/feed.xml", "News", "World")
    tech = server.state.add_feed("http://tech.example/rss", "Tech")
    return [
        server.state.add_entry(news if i % 2 else tech, f"Story {i}", T0 + i * 60).id
        for i in range(n)
    ]


def official(server: StandIn) -> miniflux.Client:
    return miniflux.Client(server.base, api_key=server.state.token)


async def test_the_official_client_and_ours_read_the_same(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    ids = filled(server)
    server.state.entries[ids[1]].starred = True
    theirs = await asyncio.to_thread(official(server).get_entries, limit=100, order="id")
    ours = await MinifluxClient(http, server.base, token=server.state.token).entries()
    assert [str(e["id"]) for e in theirs["entries"]] == [i.id for i in ours]
    assert [e["starred"] for e in theirs["entries"]] == [i.starred for i in ours]
    assert [e["title"] for e in theirs["entries"]] == [i.title for i in ours]
    feeds = await asyncio.to_thread(official(server).get_feeds)
    mine = await MinifluxClient(http, server.base, token=server.state.token).subscriptions()
    assert [f["feed_url"] for f in feeds] == [f.url for f in mine]
    assert [f["category"]["title"] for f in feeds] == [f.folders[0] for f in mine]


async def test_reads_are_incremental_and_paged(
    server: StandIn, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tuireader.sources.miniflux as module

    monkeypatch.setattr(module, "PAGE", 4)
    ids = filled(server, 10)
    client = MinifluxClient(http, server.base, user="reader", password=server.state.password)
    assert await client.check() == "reader"
    everything = await client.entries()
    assert [int(i.id) for i in everything] == ids
    assert sum(r == "GET /v1/entries" for r in server.state.requests) == 3  # 4 + 4 + 2
    newer = await client.entries(after_id=ids[6])
    assert [int(i.id) for i in newer] == ids[7:]
    since = datetime.fromtimestamp(server.state.clock, UTC)
    server.state.entries[ids[2]].status = "read"
    server.state.entries[ids[2]].changed = server.state.tick()
    changed = await client.entries(changed_after=since)
    assert [int(i.id) for i in changed] == [ids[2]] and changed[0].read
    assert everything[3].published == datetime.fromtimestamp(T0 + 180, UTC)


async def test_marks_reach_the_server_and_the_star_toggles_only_when_it_differs(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    ids = filled(server, 3)
    client = MinifluxClient(http, server.base, token=server.state.token)
    await client.mark([str(ids[0]), str(ids[1])], read=True)
    assert [server.state.entries[i].status for i in ids] == ["read", "read", "unread"]
    server.state.entries[ids[1]].starred = True  # already starred there, as last seen
    now = {str(ids[0]): False, str(ids[1]): True}
    await client.mark([str(ids[0]), str(ids[1])], starred=True, starred_now=now)
    assert server.state.entries[ids[0]].starred and server.state.entries[ids[1]].starred
    assert sum(r.endswith("/bookmark") for r in server.state.requests) == 1
    entry = await asyncio.to_thread(official(server).get_entry, ids[0])
    assert entry["starred"] is True and entry["status"] == "read"


async def test_subscribe_and_unsubscribe(server: StandIn, http: httpx.AsyncClient) -> None:
    client = MinifluxClient(http, server.base, token=server.state.token)
    feed_id = await client.subscribe("http://new.example/atom")
    assert "http://new.example/atom" in {f.url for f in await client.subscriptions()}
    await client.unsubscribe(feed_id)
    assert await asyncio.to_thread(official(server).get_feeds) == []


async def test_a_wrong_key_or_password_is_one_line_without_it(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    for client in (
        MinifluxClient(http, server.base, token="not-the-key-42"),
        MinifluxClient(http, server.base, user="reader", password="wrong horse battery"),
    ):
        with pytest.raises(MinifluxAuthError) as caught:
            await client.subscriptions()
        message = str(caught.value)
        assert "\n" not in message and "not-the-key" not in message and "horse" not in message


async def test_a_server_that_is_down_is_one_line(http: httpx.AsyncClient) -> None:
    with pytest.raises(MinifluxError) as caught:
        await MinifluxClient(http, "http://127.0.0.1:9", token="k").entries()
    assert "127.0.0.1:9" in str(caught.value) and "\n" not in str(caught.value)
