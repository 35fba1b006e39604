"""A refresh has deadlines: per feed from when it gets a connection slot (a host that
let requests run into it fails the rest at once), and for the whole refresh."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rawservers import answering, hanging, raw_server
from test_cli import run
from tuireader.domain.errors import SourceError
from tuireader.sources.http import Fetcher, FetchLimits, make_client

FEED = (Path(__file__).parent / "fixtures" / "feeds" / "rss2.xml").read_bytes()


async def fetch_together(
    handler: Callable[[socket.socket], None], limits: FetchLimits, count: int
) -> tuple[list[object], float]:
    """``count`` feeds fetched at once from one raw server: each result (or the error it
    raised), and the seconds all of them took."""
    with raw_server(handler, path="") as base:
        async with make_client("tuireader-test", limits) as client:
            fetcher = Fetcher(client, limits)
            start = time.monotonic()
            results = await asyncio.gather(
                *(fetcher.fetch(f"{base}/feed{i}.xml") for i in range(count)),
                return_exceptions=True,
            )
            return list(results), time.monotonic() - start


async def test_nine_hanging_feeds_on_one_host_take_two_deadlines_not_three() -> None:
    """Four hang a deadline. Whether the one that got the first freed slot starts its own
    before the other three have timed out is up to the event loop's order, so four or five
    run into the deadline; by then the host is given up and the rest fail at once."""
    limits = FetchLimits(deadline=1.5, read_timeout=30, per_host=4)
    results, elapsed = await fetch_together(hanging, limits, 9)
    assert all(isinstance(r, SourceError) for r in results), results
    messages = sorted(str(r) for r in results)
    timed_out = messages.count("timed out after 1.5 s")
    given_up = [m for m in messages if m.startswith("timed out: 127.0.0.1 did not answer")]
    assert timed_out in (4, 5), messages
    assert len(given_up) == 9 - timed_out, messages
    assert elapsed < 1.5 * 2.6  # two rounds of the deadline at most, not three (4.5 s)


async def test_feeds_waiting_their_turn_on_a_busy_host_are_not_timed_out() -> None:
    """The deadline is per request, from when it gets a slot: eight feeds on one host, one
    at a time, 0.4 s each, all arrive though together they take more than the deadline."""
    body = FEED
    response = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    reply = answering(response)

    def slow(conn: socket.socket) -> None:
        time.sleep(0.4)
        reply(conn)

    limits = FetchLimits(deadline=1.5, read_timeout=30, per_host=1)
    results, elapsed = await fetch_together(slow, limits, 8)
    assert elapsed > 1.5  # longer than one deadline in all
    assert not [r for r in results if isinstance(r, BaseException)], results


@pytest.fixture
def tight_config(isolated_env: dict[str, str]) -> dict[str, str]:
    config = Path(isolated_env["TUIREADER_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(
        "[general]\nrefresh_on_start = false\nfull_text = 'never'\n"
        "[network]\ndeadline = 30.0\nread_timeout = 30.0\nrefresh_deadline = 2.0\n"
    )
    return isolated_env


def test_the_whole_refresh_has_a_deadline(tight_config: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(FEED)
    with raw_server(hanging, path="") as base:
        for url in (f"{base}/a.xml", f"{base}/b.xml"):
            assert run(tight_config, "add", url, "--no-fetch").returncode == 0
        assert run(tight_config, "add", str(good), "--no-fetch").returncode == 0
        start = time.monotonic()
        result = run(tight_config, "refresh")
        elapsed = time.monotonic() - start
    assert result.returncode == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 2, result.stderr
    assert all(line.endswith("timed out: the refresh's 2 s deadline passed") for line in failed)
    assert elapsed < 10  # not the 30 s a feed may take
    listed = run(tight_config, "list", "--source", str(good), "--json")
    assert listed.returncode == 0 and '"title"' in listed.stdout  # the good source was stored


def test_refresh_deadline_is_a_checked_setting(isolated_env: dict[str, str]) -> None:
    config = Path(isolated_env["TUIREADER_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("[network]\nrefresh_deadline = 0\n")
    result = run(isolated_env, "sources")
    assert result.returncode == 2
    assert "network.refresh_deadline" in result.stderr
