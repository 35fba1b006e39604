"""The Fever client against a real coldsweat (PyPI, Fever API only), in its own venv.

CI (`.ci/run`) installs coldsweat into a venv of its own (its pins clash with ours) and
names its command in ``TUIREADER_COLDSWEAT``. Each test module run starts it on 127.0.0.1
with a fresh database, subscribes it to feeds served by the loopback feed server, and stops
it. Outside CI without coldsweat the tests skip and say why; inside CI they never skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from feedserver import FeedServer
from tuireader.sources.fever import FeverAuthError, FeverClient, FeverError, api_key

USER = "reader@example.org"
PASSWORD = "s3cret word twelve"


@dataclass
class Coldsweat:
    base: str
    feeds: list[str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def coldsweat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coldsweat]:
    command = os.environ.get("TUIREADER_COLDSWEAT", "")
    if not command or not Path(command).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must provide coldsweat (TUIREADER_COLDSWEAT): see .ci/run")
        pytest.skip("coldsweat is not installed here (set TUIREADER_COLDSWEAT; .ci/run does)")
    home = tmp_path_factory.mktemp("coldsweat")
    env = {
        **os.environ,
        "FLASK_DATABASE_URL": f"sqlite:///{home / 'coldsweat.db'}",
        "FLASK_SECRET_KEY": "test-only",
    }
    server = FeedServer()
    server.start()
    feeds = [server.url("/rss2.xml"), server.url("/atom.xml")]
    opml = home / "subs.opml"
    outlines = "".join(
        f'<outline type="rss" text="f{n}" xmlUrl="{url}"/>' for n, url in enumerate(feeds)
    )
    opml.write_text(
        f'<?xml version="1.0"?><opml version="1.0"><body><outline text="News">{outlines}'
        "</outline></body></opml>"
    )

    def run(*args: str) -> None:
        subprocess.run([command, *args], env=env, check=True, capture_output=True, timeout=120)

    run("setup", USER, "-p", PASSWORD)
    run("import", str(opml), USER, "-f")
    port = _free_port()
    process = subprocess.Popen(
        [command, "run", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield Coldsweat(f"http://127.0.0.1:{port}/fever/", feeds)
    finally:
        process.terminate()
        process.wait(timeout=10)
        server.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def test_the_key_is_md5_of_email_and_password() -> None:
    assert api_key("a@b.c", "pw") == "f960b16d2350ffbaf32c5eca97a1826b"


async def test_feeds_items_and_state_from_a_real_coldsweat(
    coldsweat: Coldsweat, http: httpx.AsyncClient
) -> None:
    client = FeverClient(http, coldsweat.base, USER, PASSWORD)
    assert await client.check() >= 2
    feeds = await client.subscriptions()
    assert sorted(f.url for f in feeds) == sorted(coldsweat.feeds)
    assert all(f.folders == ("News",) for f in feeds)
    items = await client.items()
    assert len(items) >= 4 and len({i.id for i in items}) == len(items)
    assert all(not i.read and not i.starred for i in items)
    assert {i.feed_id for i in items} == {f.id for f in feeds}
    # incremental: nothing above the highest id seen
    assert await client.items(since_id=max(int(i.id) for i in items)) == []


async def test_marks_reach_a_real_coldsweat(coldsweat: Coldsweat, http: httpx.AsyncClient) -> None:
    client = FeverClient(http, coldsweat.base, USER, PASSWORD)
    items = await client.items()
    first, second = items[0].id, items[1].id
    await client.mark([first], read=True, starred=True)
    await client.mark([second], starred=True)
    unread, saved = await client.state()
    assert first not in unread and second in unread
    assert {first, second} <= saved
    await client.mark([first], read=False, starred=False)
    unread, saved = await client.state()
    assert first in unread and first not in saved


async def test_mark_feed_read_sends_what_was_seen(
    coldsweat: Coldsweat, http: httpx.AsyncClient
) -> None:
    client = FeverClient(http, coldsweat.base, USER, PASSWORD)
    items = await client.items()
    feed = items[0].feed_id
    await client.mark_feed_read(feed, datetime(2000, 1, 1, tzinfo=UTC))  # seen: nothing yet
    unread, _ = await client.state()
    assert {i.id for i in items if i.feed_id == feed} <= unread
    await client.mark_feed_read(feed, datetime.now(UTC))
    unread, _ = await client.state()
    assert not {i.id for i in items if i.feed_id == feed} & unread


async def test_a_wrong_password_is_one_line_without_it(
    coldsweat: Coldsweat, http: httpx.AsyncClient
) -> None:
    with pytest.raises(FeverAuthError) as caught:
        await FeverClient(http, coldsweat.base, USER, "wrong horse battery").subscriptions()
    message = str(caught.value)
    assert "\n" not in message and "horse" not in message and api_key(USER, "x") not in message


async def test_fever_cannot_subscribe_and_says_so(http: httpx.AsyncClient) -> None:
    client = FeverClient(http, "http://127.0.0.1:9/fever/", USER, PASSWORD)
    with pytest.raises(FeverError, match="cannot add subscriptions"):
        await client.subscribe("http://x.example/feed")
    with pytest.raises(FeverError) as caught:
        await client.check()
    assert "127.0.0.1:9" in str(caught.value)


def _home(tmp_path: Path, base: str) -> dict[str, str]:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(
        f'[accounts.cs]\ntype = "fever"\nurl = "{base}"\nuser = "{USER}"\n'
        f'password_command = "echo {PASSWORD}"\n',
        encoding="utf-8",
    )
    return {
        **os.environ,
        "TUIREADER_DATA_DIR": str(tmp_path / "data"),
        "TUIREADER_CONFIG_DIR": str(config),
        "TUIREADER_CACHE_DIR": str(tmp_path / "cache"),
        "TUIREADER_LOG_DIR": str(tmp_path / "log"),
    }


async def test_an_account_syncs_with_a_real_coldsweat_both_ways(
    coldsweat: Coldsweat, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    import json

    from test_cli import run

    env = _home(tmp_path, coldsweat.base)
    client = FeverClient(http, coldsweat.base, USER, PASSWORD)
    items = await client.items()
    synced = run(env, "sync", "cs", "--json")
    assert synced.returncode == 0, synced.stderr
    [report] = json.loads(synced.stdout)
    assert report["feeds"] == 2 and report["new"] == len(items), report
    assert PASSWORD not in synced.stdout + synced.stderr
    listed = json.loads(run(env, "list", "--json", "--limit", "500").stdout)
    assert sorted(s["title"] for s in listed) == sorted(i.title for i in items)
    unread, saved = await client.state()
    here = {s["title"]: (s["read"], s["starred"]) for s in listed}
    assert here == {i.title: (i.id not in unread, i.id in saved) for i in items}
    # a change here goes there; a change there comes here
    target = next(s for s in listed if not s["read"])
    assert run(env, "mark", str(target["id"]), "--read").returncode == 0
    other = next(i for i in items if i.title != target["title"])
    await client.mark([other.id], starred=other.id not in saved)
    again = json.loads(run(env, "sync", "cs", "--json").stdout)[0]
    assert again["new"] == 0 and again["sent"] == 1 and again["applied"] == 1, again
    unread, saved_now = await client.state()
    by_title = {i.title: i.id for i in items}
    assert by_title[target["title"]] not in unread
    listed = json.loads(run(env, "list", "--json", "--limit", "500").stdout)
    assert {s["title"]: s["starred"] for s in listed}[other.title] == (other.id in saved_now)
    # Fever has no subscribe call: said in one line, nothing queued
    refused = run(env, "add", "http://x.example/feed.xml", "--account", "cs")
    assert refused.returncode != 0
    assert "cannot add subscriptions" in refused.stderr and refused.stderr.count("\n") == 1
