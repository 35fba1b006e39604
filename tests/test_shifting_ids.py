"""Items whose id changes on every fetch keep one copy each, and their state."""

from __future__ import annotations

import contextlib
import http.server
import itertools
import json
import threading
from collections.abc import Callable, Iterator

import pytest

from test_cli import run

TITLES = ["Council backs the new bridge", "Rain moves east", "Library reopens", "Chess", "Ferry"]


@contextlib.contextmanager
def dynamic(make: Callable[[int], str]) -> Iterator[str]:
    """Serves ``make(n)`` for the n-th request: a feed that changes on every fetch."""
    counter = itertools.count(1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = make(next(counter)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml"
    finally:
        httpd.shutdown()
        httpd.server_close()


def rss(items: str) -> str:
    return f"<rss version='2.0'><channel><title>Shifty</title>{items}</channel></rss>"


def fresh_guids(n: int) -> str:
    return rss(
        "".join(
            f"<item><title>{t}</title><guid>run{n}-item{i}</guid>"
            f"<pubDate>Mon, 30 Nov 2026 0{i}:00:00 GMT</pubDate></item>"
            for i, t in enumerate(TITLES)
        )
    )


def session_links(n: int) -> str:  # no guid, no date: the link is the id
    return rss(
        "".join(
            f"<item><title>{t}</title><link>http://news.example/{i}?session={n}</link></item>"
            for i, t in enumerate(TITLES)
        )
    )


def stories(env: dict[str, str], url: str) -> list[dict[str, object]]:
    listed = run(env, "list", "--source", url, "--json", "--limit", "1000")
    assert listed.returncode == 0, listed.stderr
    result: list[dict[str, object]] = json.loads(listed.stdout)
    return result


@pytest.mark.parametrize("feed", [fresh_guids, session_links])
def test_a_shifting_id_keeps_one_copy_and_its_state(
    isolated_env: dict[str, str], feed: Callable[[int], str]
) -> None:
    with dynamic(feed) as url:
        assert run(isolated_env, "add", url).returncode == 0
        first = stories(isolated_env, url)
        assert len(first) == 5
        chosen = next(s for s in first if s["title"] == "Rain moves east")
        assert run(isolated_env, "mark", str(chosen["id"]), "--read").returncode == 0
        assert run(isolated_env, "mark", str(chosen["id"]), "--star").returncode == 0
        for _ in range(4):
            assert run(isolated_env, "refresh").returncode == 0
        after = stories(isolated_env, url)
    assert len(after) == 5, [s["title"] for s in after]
    kept = next(s for s in after if s["title"] == "Rain moves east")
    assert kept["id"] == chosen["id"] and kept["read"] and kept["starred"]


def test_a_reused_title_with_a_new_date_is_still_new(isolated_env: dict[str, str]) -> None:
    def weekly(n: int) -> str:  # "Chess" every week, a new guid and a new date each time
        return rss(
            f"<item><title>Chess</title><guid>w{n}</guid>"
            f"<pubDate>Mon, {n:02d} Nov 2026 10:00:00 GMT</pubDate></item>"
        )

    with dynamic(weekly) as url:
        assert run(isolated_env, "add", url).returncode == 0
        for _ in range(2):
            assert run(isolated_env, "refresh").returncode == 0
        assert len(stories(isolated_env, url)) == 3
