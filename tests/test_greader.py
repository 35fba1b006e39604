"""The Google Reader API client against a loopback stand-in written from the published API
(FreshRSS's ``greader.php``, Miniflux's ``googlereader``): sign-in, both item id forms,
continuation, incremental reads, writes with the token dance, and failures in one line that
never show the password."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from greaderserver import READ, StandIn, long_id, serving
from tuireader.sources.greader import (
    READING_LIST,
    STARRED,
    GReaderAuthError,
    GReaderClient,
    GReaderError,
    long_item_id,
)

T0 = 1_790_000_000


@pytest.fixture
def server() -> Iterator[StandIn]:
    yield from serving()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def filled(server: StandIn, n: int = 5) -> list[int]:
    feed = server.state.add_feed("http://news.example/feed.xml", "News", folder="World")
    other = server.state.add_feed("http://tech.example/rss", "Tech")
    numbers = []
    for i in range(n):
        item = server.state.add_item(feed if i % 2 else other, f"Story {i}", T0 + i * 60)
        numbers.append(item.number)
    return numbers


def client(server: StandIn, http: httpx.AsyncClient, password: str | None = None) -> GReaderClient:
    return GReaderClient(http, server.base, server.state.user, password or server.state.password)


def test_both_id_forms_are_one_id() -> None:
    assert long_item_id("1") == "tag:google.com,2005:reader/item/0000000000000001"
    assert long_item_id("-1") == "tag:google.com,2005:reader/item/ffffffffffffffff"
    assert long_item_id(long_id(-1)) == long_item_id("-1")
    assert long_item_id("TAG:google.com,2005:reader/item/00000000000000AB".lower()) == long_id(171)
    for bad in ("", "abc", "tag:google.com,2005:reader/item/12", str(1 << 64)):
        with pytest.raises(ValueError):
            long_item_id(bad)


async def test_subscriptions_and_items_with_their_state(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    numbers = filled(server)
    server.state.items[numbers[1]].starred = True
    server.state.items[numbers[2]].read = True
    reader = client(server, http)
    feeds = {f.title: f for f in await reader.subscriptions()}
    assert feeds["News"].url == "http://news.example/feed.xml"
    assert feeds["News"].folders == ("World",) and feeds["Tech"].folders == ()
    ids = await reader.item_ids()
    assert ids == [long_id(n) for n in reversed(numbers)]  # newest first
    items = {i.title: i for i in await reader.items(ids)}
    assert items["Story 1"].starred and not items["Story 1"].read
    assert items["Story 2"].read and not items["Story 2"].starred
    assert items["Story 3"].feed_id == "feed/http://news.example/feed.xml"
    assert items["Story 3"].published == datetime.fromtimestamp(T0 + 180, UTC)
    assert items["Story 3"].link.startswith("http://stand-in.example/")


async def test_short_ids_from_the_server_are_read_as_long_ones(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    numbers = filled(server, 4)  # half of them have the top bits set: negative when signed
    server.state.short_ids = True
    reader = client(server, http)
    ids = await reader.item_ids()
    assert ids == [long_id(n) for n in reversed(numbers)]
    assert len(await reader.items(ids)) == 4


async def test_continuation_walks_every_page_and_since_stops_early(
    server: StandIn, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tuireader.sources.greader as greader

    numbers = filled(server, 25)
    monkeypatch.setattr(greader, "IDS_PAGE", 10)
    reader = client(server, http)
    ids = await reader.item_ids()
    assert len(ids) == 25 and len(set(ids)) == 25
    asked = [r for r in server.state.requests if r.endswith("stream/items/ids")]
    assert len(asked) == 3  # 10 + 10 + 5
    # incremental: only what is newer than the last sync
    newer = await reader.item_ids(since=datetime.fromtimestamp(T0 + 20 * 60, UTC))
    assert newer == [long_id(n) for n in reversed(numbers[20:])]
    server.state.items[numbers[24]].read = True
    unread = await reader.item_ids(exclude=READ)
    assert long_id(numbers[24]) not in unread and len(unread) == 24


async def test_writes_carry_the_token_and_fetch_a_new_one_when_it_goes_stale(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    numbers = filled(server, 3)
    reader = client(server, http)
    await reader.mark([long_id(numbers[0])], read=True, starred=True)
    assert server.state.items[numbers[0]].read and server.state.items[numbers[0]].starred
    server.state.token = "rotated"  # the server's write token expired
    await reader.mark([str(numbers[0])], starred=False)  # a short id works too
    assert not server.state.items[numbers[0]].starred
    assert sum(r.endswith("/token") for r in server.state.requests) == 2
    assert (await reader.items([long_id(numbers[0])]))[0].read


async def test_mark_all_read_sends_what_was_seen_not_what_arrived_since(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    numbers = filled(server, 4)
    reader = client(server, http)
    seen = datetime.fromtimestamp(T0 + 2 * 60, UTC)  # the user saw the first three
    await reader.mark_all_read(READING_LIST, seen)
    assert [server.state.items[n].read for n in numbers] == [True, True, True, False]


async def test_subscribe_and_unsubscribe(server: StandIn, http: httpx.AsyncClient) -> None:
    reader = client(server, http)
    feed_id = await reader.subscribe("http://new.example/atom", folder="Later", title="New")
    feeds = {f.id: f for f in await reader.subscriptions()}
    assert feeds[feed_id].title == "New" and feeds[feed_id].folders == ("Later",)
    await reader.unsubscribe(feed_id)
    assert feed_id not in {f.id for f in await reader.subscriptions()}


async def test_a_wrong_password_is_one_line_without_the_password(
    server: StandIn, http: httpx.AsyncClient
) -> None:
    reader = client(server, http, password="wrong horse battery")
    with pytest.raises(GReaderAuthError) as caught:
        await reader.subscriptions()
    message = str(caught.value)
    assert "\n" not in message and "wrong horse" not in message
    assert "refused user 'reader'" in message


@pytest.mark.parametrize(
    ("fault", "said"),
    [("500", "HTTP 500"), ("429", "HTTP 429"), ("garbage", "not JSON")],
)
async def test_a_failing_server_is_one_line(
    server: StandIn, http: httpx.AsyncClient, fault: str, said: str
) -> None:
    filled(server, 2)
    reader = client(server, http)
    await reader.login()
    if fault == "garbage":
        server.state.garbage_next = True
    else:
        server.state.fail_next = int(fault)
    with pytest.raises(GReaderError) as caught:
        await reader.item_ids()
    assert said in str(caught.value) and "\n" not in str(caught.value)
    assert server.state.password not in str(caught.value)
    assert len(await reader.item_ids()) == 2  # the next call works again


async def test_a_server_that_is_down_is_one_line(http: httpx.AsyncClient) -> None:
    reader = GReaderClient(http, "http://127.0.0.1:9/api/greader.php", "reader", "pw")
    with pytest.raises(GReaderError) as caught:
        await reader.subscriptions()
    assert "127.0.0.1:9" in str(caught.value) and "\n" not in str(caught.value)


async def test_starred_stream(server: StandIn, http: httpx.AsyncClient) -> None:
    numbers = filled(server, 3)
    server.state.items[numbers[2]].starred = True
    reader = client(server, http)
    assert await reader.item_ids(STARRED) == [long_id(numbers[2])]
