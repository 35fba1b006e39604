"""A refresh has one deadline: per feed from the start (the wait for a host's slot
included), and for the whole refresh."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from rawservers import hanging, raw_server
from test_cli import run
from tuireader.domain.errors import SourceError
from tuireader.sources.http import Fetcher, FetchLimits, make_client

FEED = (Path(__file__).parent / "fixtures" / "feeds" / "rss2.xml").read_bytes()


async def test_five_hanging_feeds_on_one_host_take_one_deadline_not_two() -> None:
    limits = FetchLimits(deadline=1.5, read_timeout=30, per_host=4)
    with raw_server(hanging, path="") as base:
        async with make_client("tuireader-test", limits) as client:
            fetcher = Fetcher(client, limits)
            start = time.monotonic()
            results = await asyncio.gather(
                *(fetcher.fetch(f"{base}/feed{i}.xml") for i in range(5)),
                return_exceptions=True,
            )
            elapsed = time.monotonic() - start
    assert all(isinstance(r, SourceError) for r in results), results
    # the fifth waits for a slot; whether it got one in the instant the others gave theirs
    # up is a race, so its message may or may not add "waiting for a connection"
    assert all(str(r).startswith("timed out after 1.5 s") for r in results), results
    assert elapsed < 1.5 * 1.8  # one round of the deadline, not two (3 s)


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
