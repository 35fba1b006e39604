"""The feed health view from the command line: the fetch log summed up per source (dead
feeds first), and the fix for a URL that moved (a permanent redirect; http:// to https://,
against a loopback server that speaks both on one port)."""

from __future__ import annotations

import json
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feedserver import FeedServer
from test_cli import add_source, run
from tuireader.domain.health import (
    FetchSummary,
    HealthState,
    build_health,
    by_severity,
    https_version,
    sparkline,
)
from tuireader.domain.models import Source, SourceKind

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def health(env: dict[str, str]) -> list[dict[str, object]]:
    shown = run(env, "health", "--json")
    assert shown.returncode == 0, shown.stderr
    rows: list[dict[str, object]] = json.loads(shown.stdout)
    return rows


def test_dead_feeds_come_first_with_their_streak_and_last_error(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    good = add_source(isolated_env, feed_server.url("/rss2.xml"))
    dead = add_source(isolated_env, feed_server.url("/404"), "--no-fetch", "--title", "Gone feed")
    moved = add_source(isolated_env, feed_server.url("/moved/atom.xml"), "--no-fetch")
    for _ in range(3):
        run(isolated_env, "refresh")
    rows = health(isolated_env)
    by_id = {row["id"]: row for row in rows}
    assert [row["id"] for row in rows][:2] == [dead, moved]  # dead first, then the moved one
    assert by_id[dead]["state"] == "dead"
    assert by_id[dead]["error_streak"] == 3
    assert by_id[dead]["last_error"] == "HTTP 404 Not Found"
    assert by_id[dead]["last_success"] is None
    assert by_id[moved]["state"] == "moved"
    assert by_id[moved]["moved_to"] == feed_server.url("/atom.xml")
    assert by_id[good]["state"] in ("ok", "quiet")
    assert by_id[good]["fetches"] == 4 and by_id[good]["not_modified"] == 3  # the add's, 3×304
    assert by_id[moved]["fetches"] == 3
    assert by_id[good]["not_modified_share"] == 0.75
    assert by_id[good]["error_streak"] == 0
    weekly = by_id[good]["stories_per_week"]
    assert isinstance(weekly, list) and len(weekly) == 12
    text = run(isolated_env, "health").stdout.splitlines()
    assert text[1].split()[:3] == [str(dead), "dead", "never"]
    assert "Gone feed — HTTP 404 Not Found" in text[1]
    assert f"moved permanently to {feed_server.url('/atom.xml')}" in text[2]
    assert "`tuireader source fix ID`" in text[-1]


def test_a_success_ends_the_streak(isolated_env: dict[str, str], feed_server: FeedServer) -> None:
    url = feed_server.url("/flaky.xml")
    source = add_source(isolated_env, url, "--no-fetch")
    run(isolated_env, "refresh")
    run(isolated_env, "refresh")
    assert health(isolated_env)[0]["error_streak"] == 2
    assert health(isolated_env)[0]["state"] == "failing"  # not dead: two in a row
    feed_server.add("/flaky.xml", (Path(__file__).parent / "fixtures/feeds/rss2.xml").read_bytes())
    run(isolated_env, "refresh")
    [row] = health(isolated_env)
    assert row["id"] == source and row["error_streak"] == 0 and row["last_success"] is not None
    assert row["last_error"] == "HTTP 404 Not Found"  # still said, with when


def test_fix_adopts_a_permanent_redirect(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    old = feed_server.url("/moved/atom.xml")
    source = add_source(isolated_env, old, "--no-fetch")
    assert run(isolated_env, "refresh").returncode == 0  # follows the 301, remembers it
    fixed = run(isolated_env, "source", "fix", str(source))
    assert fixed.returncode == 0, fixed.stderr
    assert "adopted the permanent redirect" in fixed.stdout
    assert f"{old} → {feed_server.url('/atom.xml')}" in fixed.stdout
    [row] = health(isolated_env)
    assert row["url"] == feed_server.url("/atom.xml") and row["moved_to"] is None
    again = run(isolated_env, "source", "fix", str(source))  # now https is tried: no TLS here
    assert again.returncode == 2 and f"kept {feed_server.url('/atom.xml')}" in again.stderr
    before = feed_server.hits["/atom.xml"]
    run(isolated_env, "refresh")
    assert feed_server.hits["/atom.xml"] == before + 1 and feed_server.hits["/moved/atom.xml"] == 1


def test_a_new_subscription_takes_the_address_its_feed_moved_to(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    added = run(isolated_env, "add", feed_server.url("/moved/atom.xml"))
    assert added.returncode == 0, added.stderr
    [row] = health(isolated_env)
    assert row["url"] == feed_server.url("/atom.xml") and row["moved_to"] is None


@pytest.fixture
def tls(tmp_path: Path) -> Iterator[tuple[FeedServer, Path]]:
    """A server answering http:// and https:// on one port, and the certificate to trust."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    made += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
    subprocess.run(
        [*made, "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = FeedServer(tls=context).start()
    yield server, cert
    server.stop()


def test_fix_moves_an_http_feed_to_https_when_https_serves_it(
    isolated_env: dict[str, str], tls: tuple[FeedServer, Path]
) -> None:
    server, cert = tls
    env = {**isolated_env, "SSL_CERT_FILE": str(cert)}
    url = server.url("/rss2.xml")
    source = add_source(env, url)
    fixed = run(env, "source", "fix", str(source))
    assert fixed.returncode == 0, fixed.stderr
    assert "moved to https" in fixed.stdout
    [row] = health(env)
    assert row["url"] == url.replace("http://", "https://")
    refreshed = run(env, "refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    # without trusting the certificate, the https address is refused and the URL kept
    other = server.url("/atom.xml")
    second = add_source(env, other)
    refused = run(isolated_env, "source", "fix", str(second))
    assert refused.returncode == 2 and f"kept {other}" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_fix_keeps_the_url_when_https_does_not_answer(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    url = feed_server.url("/rss2.xml")  # this server speaks no TLS
    source = add_source(isolated_env, url)
    refused = run(isolated_env, "source", "fix", str(source))
    assert refused.returncode == 2 and f"kept {url}" in refused.stderr
    assert health(isolated_env)[0]["url"] == url


def _source(name: str, **kw: object) -> Source:
    return Source(url=f"http://{name}.example/feed", kind=SourceKind.FEED, title=name, **kw)  # type: ignore[arg-type]


def test_states_and_their_order() -> None:
    week = (0,) * 11 + (3,)
    never = FetchSummary(fetches=3, error_streak=3)
    recent = FetchSummary(fetches=5, error_streak=4, last_success=NOW - timedelta(days=2))
    rows = [
        build_health(_source("fine", fetched_at=NOW), FetchSummary(fetches=2), week, NOW),
        build_health(_source("quiet", fetched_at=NOW), FetchSummary(fetches=2), (0,) * 12, NOW),
        build_health(_source("flaky"), recent, week, NOW),
        build_health(_source("gone"), never, week, NOW),
        build_health(
            _source("moved", moved_to="http://new.example/feed"), FetchSummary(1), week, NOW
        ),
        build_health(_source("fresh"), FetchSummary(), (0,) * 12, NOW),
    ]
    ordered = by_severity(rows)
    assert [h.source.title for h in ordered] == ["gone", "flaky", "moved", "quiet", "fine", "fresh"]
    assert [h.state for h in ordered] == [
        HealthState.DEAD,
        HealthState.FAILING,  # failing 4 times, but it worked 2 days ago
        HealthState.MOVED,
        HealthState.QUIET,
        HealthState.OK,
        HealthState.NEW,
    ]
    assert sparkline([0, 1, 4, 8]) == "▁▂▅█"
    assert https_version("http://a.example/x") == "https://a.example/x"
    assert https_version("filter:shout:http://a.example/x") == "filter:shout:https://a.example/x"
    assert https_version("https://a.example/x") == "" and https_version("exec:x") == ""
