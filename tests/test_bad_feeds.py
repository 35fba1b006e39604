"""Bad feeds say so: stacked codings decoded under one cap, every failure line has a reason."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import json
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from rawservers import raw_server, resetting
from test_cli import run
from tuireader.domain.errors import SourceError
from tuireader.sources.http import Fetcher, FetchLimits, make_client

FEED = (Path(__file__).parent / "fixtures" / "feeds" / "rss2.xml").read_bytes()
LIMITS = FetchLimits(deadline=10.0, max_bytes=2 * 1024 * 1024)


@contextlib.contextmanager
def serving(routes: dict[str, tuple[dict[str, str], bytes]]) -> Iterator[str]:
    """A loopback HTTP server answering each path with its headers and raw body."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            headers, body = routes[self.path]
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


async def fetch(url: str) -> bytes:
    async with make_client("tuireader-test", LIMITS) as client:
        return (await Fetcher(client, LIMITS).fetch(url)).data


def deflate(data: bytes) -> bytes:
    return zlib.compress(data)


BOMB = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip, gzip", gzip.compress(gzip.compress(FEED))),
        ("gzip,gzip", gzip.compress(gzip.compress(FEED))),
        ("deflate, gzip", gzip.compress(deflate(FEED))),
        ("gzip, identity, deflate", deflate(gzip.compress(FEED))),
        ("GZIP", gzip.compress(FEED)),
    ],
)
async def test_stacked_content_codings_are_each_decoded(coding: str, body: bytes) -> None:
    with serving({"/f": ({"Content-Encoding": coding}, body)}) as base:
        assert await fetch(base + "/f") == FEED


async def test_a_stacked_bomb_is_cut_off_at_the_cap() -> None:
    # the outer layer is small and expands to the inner bomb, which expands past the cap
    routes = {"/b": ({"Content-Encoding": "gzip, gzip"}, gzip.compress(BOMB))}
    with serving(routes) as base, pytest.raises(SourceError, match="too large"):
        await fetch(base + "/b")


async def test_an_unknown_coding_in_a_stack_is_named() -> None:
    body = gzip.compress(FEED)
    routes = {"/u": ({"Content-Encoding": "br, gzip"}, body)}
    with serving(routes) as base, pytest.raises(SourceError, match="'br'"):
        await fetch(base + "/u")


def test_a_connection_reset_gives_a_reason(isolated_env: dict[str, str]) -> None:
    with raw_server(resetting) as url:
        assert run(isolated_env, "add", url, "--no-fetch").returncode == 0
        result = run(isolated_env, "refresh")
    assert result.returncode == 1
    line = next(line for line in result.stderr.splitlines() if line.startswith("FAILED"))
    assert line.rstrip().endswith("connection reset by the server"), line


def test_failure_lines_name_title_and_url(isolated_env: dict[str, str]) -> None:
    with raw_server(resetting) as url:
        first, second = url + "?a", url + "?b"
        for feed in (first, second):
            added = run(isolated_env, "add", feed, "--no-fetch", "--title", "Same Title")
            assert added.returncode == 0, added.stderr
        result = run(isolated_env, "refresh")
    failed = sorted(line for line in result.stderr.splitlines() if line.startswith("FAILED"))
    assert failed == [
        f"FAILED Same Title <{first}>: network error: connection reset by the server",
        f"FAILED Same Title <{second}>: network error: connection reset by the server",
    ]


def _items(n: int) -> str:
    return "".join(
        f"<item><title>Item {i}</title><guid>g{i}</guid><description>Body {i} of the feed"
        "</description></item>"
        for i in range(n)
    )


WHOLE = f"<?xml version='1.0'?><rss version='2.0'><channel><title>Cut</title>{_items(3)}"
DAMAGED = {
    # cut off inside the third item's description
    "cut-mid-item": (WHOLE[: WHOLE.index("Body 2") + 4], ["Item 0", "Item 1"]),
    # cut off between items: two complete, the channel never closed
    "cut-between": (WHOLE[: WHOLE.index("<item><title>Item 2")], ["Item 0", "Item 1"]),
    # a mismatched tag in the middle: every item closes, so what the parser recovered stays
    "mismatched": (
        WHOLE.replace("</title><guid>g1", "</titel><guid>g1") + "</channel></rss>",
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_damaged_feed_keeps_complete_items_and_says_so(
    isolated_env: dict[str, str], case: str
) -> None:
    text, kept = DAMAGED[case]
    body = text.encode()
    with serving({"/f": ({"Content-Type": "application/rss+xml"}, body)}) as base:
        added = run(isolated_env, "add", base + "/f")
        assert added.returncode == 1, added.stderr
        listed = run(isolated_env, "list", "--source", base + "/f", "--json")
        titles = sorted(s["title"] for s in json.loads(listed.stdout))
        if kept is not None:
            assert titles == kept, titles
        status = f"truncated or malformed: kept {len(titles)} items"
        assert status in added.stderr, added.stderr
        sources = {s["url"]: s for s in json.loads(run(isolated_env, "sources", "--json").stdout)}
        assert sources[base + "/f"]["status"] == status
        again = run(isolated_env, "refresh")
        assert again.returncode == 1  # still damaged: still said


def test_a_cut_feed_with_no_complete_item_is_a_parse_error(isolated_env: dict[str, str]) -> None:
    body = WHOLE[: WHOLE.index("Body 0")].encode()
    with serving({"/f": ({"Content-Type": "application/rss+xml"}, body)}) as base:
        added = run(isolated_env, "add", base + "/f")
    assert added.returncode != 0
    assert "parse error: truncated or malformed, no complete item" in added.stderr


def test_a_valid_empty_channel_is_fine(isolated_env: dict[str, str]) -> None:
    body = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Empty</title></channel></rss>"
    with serving({"/f": ({"Content-Type": "application/rss+xml"}, body)}) as base:
        added = run(isolated_env, "add", base + "/f")
        assert added.returncode == 0, added.stderr
        assert run(isolated_env, "refresh").returncode == 0


@pytest.mark.parametrize("document", ['[1, 2, "x"]', '[{"body": "no title, no link"}]'])
def test_a_json_story_file_with_no_usable_entry_says_why(
    isolated_env: dict[str, str], tmp_path: Path, document: str
) -> None:
    path = tmp_path / "stories.json"
    path.write_text(document, encoding="utf-8")
    added = run(isolated_env, "add", str(path))  # refused at the door, saying why
    assert added.returncode == 2, (added.stdout, added.stderr)
    assert "no stories: entries must be objects with a title or link" in added.stderr
    folder = path.parent / "folder"  # inside a folder: skipped, with the same reason
    folder.mkdir()
    path.rename(folder / "stories.json")
    (folder / "ok.md").write_text("# Fine\n\nA story.\n", encoding="utf-8")
    in_folder = run(isolated_env, "add", str(folder))
    assert "stories.json: no stories: entries must be objects with a title or link" in (
        in_folder.stderr
    ), in_folder.stderr


def test_an_empty_json_story_list_is_refused_as_empty(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "stories.json"
    path.write_text("[]", encoding="utf-8")
    added = run(isolated_env, "add", str(path))
    assert added.returncode == 2 and "nothing readable in it" in added.stderr


def test_a_damaged_local_feed_file_says_so_like_one_over_http(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "cut.xml"
    path.write_text(DAMAGED["cut-mid-item"][0], encoding="utf-8")
    added = run(isolated_env, "add", str(path))
    assert added.returncode == 1, added.stderr
    assert "cut.xml: truncated or malformed: kept 2 items" in added.stderr
    titles = sorted(s["title"] for s in json.loads(run(isolated_env, "list", "--json").stdout))
    assert titles == ["Item 0", "Item 1"]
    assert run(isolated_env, "refresh").returncode == 1  # still damaged: still said


def test_a_broken_opml_in_a_folder_is_skipped_not_an_internal_error(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "garbage.opml").write_text("this is not xml at all", encoding="utf-8")
    (folder / "ok.md").write_text("# A fine note\n\nText.\n", encoding="utf-8")
    added = run(isolated_env, "add", str(folder))
    assert added.returncode == 0, added.stderr
    assert "internal error" not in added.stderr
    assert "garbage.opml: not OPML" in added.stderr
