#!/usr/bin/env python3
"""Fill a real tt-rss account for the sync benchmark: 200 feeds, 10,000 items; then 100 more.

The feeds are the shared corpus (``<bench-dir>/gen_corpus.py``, 200 feeds x 50 items, run in
place, never copied) served on 127.0.0.1 by ``<bench-dir>/serve.py``; tt-rss fetches them
itself (``updateFeed``, several at a time), so the account holds what a server that had been
running for a while would hold. Uses the account that ``.ci/ttrss-up`` prints; give the
benchmark an account of its own, with the corpus's folders as categories (the API cannot make
categories, so ``.ci/ttrss-up`` does):

  eval "$(TUIREADER_TTRSS_USER=bench \\
          TUIREADER_TTRSS_CATEGORIES=News,Tech,Science,Blogs,Culture .ci/ttrss-up)"
  python benchmarks/ttrss_setup.py setup        # corpus, serve.py, subscribe, fetch: 200 / 10,000
  python benchmarks/ttrss_setup.py setup --fresh  # the same, from nothing (drops grown items)
  python benchmarks/ttrss_setup.py grow         # 100 new items in 100 feeds, fetched: 10,100
  python benchmarks/ttrss_setup.py count        # feeds and items the account holds
  python benchmarks/ttrss_setup.py stop         # stop serve.py

tt-rss 21 reads no JSON Feed, so the corpus's JSON feeds are rewritten as RSS 2.0 with the
same items before they are served (the other formats are served as generated). ``grow`` puts
one new item at the top of each of the first 100 RSS 2.0 feeds and restarts serve.py on the
same port (it reads the files once, at start). Every step checks the counts through the API
and exits non-zero when they are not what was asked for.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import httpx

from tuireader.sources.ttrss import TTRSSClient

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "bench"
DEFAULT_DIR = Path("/var/tmp/tuireader-ttrss-bench")
DEFAULT_PORT = 8799
FEEDS = 200
ITEMS = 50
CONCURRENCY = 4
"""Feeds fetched at once: one per PHP worker `.ci/ttrss-up` starts."""


@dataclass
class Corpus:
    """The generated corpus and where serve.py serves it."""

    root: Path
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def manifest(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / "manifest.json").read_text())
        return data

    def feeds(self) -> list[tuple[str, str]]:
        """(url, folder) of every feed, in the corpus's order."""
        folders = {}
        for line in (self.root / "urls.txt").read_text().splitlines():
            url, _, tag = line.partition(" ")
            folders[url] = tag.strip().strip('"')
        return [(f["url"], folders.get(f["url"], "")) for f in self.manifest()["feeds"]]


def make_corpus(
    bench: Path, workdir: Path, port: int, n: int, m: int, fresh: bool = False
) -> Corpus:
    """Generate the corpus once (same seed, same bytes) and make its JSON feeds RSS."""
    corpus = Corpus(workdir / "corpus", port)
    manifest = corpus.root / "manifest.json"
    if fresh:
        shutil.rmtree(corpus.root, ignore_errors=True)
    if manifest.exists():
        made = corpus.manifest()
        if (made["n"], made["m"], made["base_url"]) == (n, m, corpus.base):
            return corpus
    generate = [sys.executable, str(bench / "gen_corpus.py"), "--out", str(corpus.root)]
    subprocess.run(
        [*generate, "--n", str(n), "--m", str(m), "--base-url", corpus.base],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (workdir / "grown").unlink(missing_ok=True)
    for feed in corpus.manifest()["feeds"]:
        if feed["format"] == "json":
            path = corpus.root / feed["path"]
            path.write_bytes(json_feed_as_rss(json.loads(path.read_bytes())))
    return corpus


def rss_date(value: Any) -> str:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return format_datetime(when if when.tzinfo else when.replace(tzinfo=UTC))


def json_feed_as_rss(feed: dict[str, Any]) -> bytes:
    """A JSON Feed's items as RSS 2.0 (tt-rss 21 reads no JSON Feed)."""
    items = []
    for item in feed.get("items", []):
        author = (item.get("authors") or [{}])[0].get("name", "")
        items.append(
            f"<item><title>{escape(str(item.get('title', '')))}</title>"
            f"<link>{escape(str(item.get('url', '')))}</link>"
            f'<guid isPermaLink="false">{escape(str(item.get("id", "")))}</guid>'
            f"<pubDate>{rss_date(item.get('date_published'))}</pubDate>"
            f"<author>{escape(author)}</author>"
            f"<description>{escape(str(item.get('content_html', '')))}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(str(feed.get('title', '')))}</title>"
        f"<link>{escape(str(feed.get('home_page_url', '')))}</link>"
        f"<description>{escape(str(feed.get('description', '')))}</description>"
        + "".join(items)
        + "</channel></rss>\n"
    ).encode()


def serving(bench: Path, workdir: Path, corpus: Corpus, restart: bool = False) -> None:
    """serve.py on the corpus's port, started unless it already answers."""
    pidfile = workdir / "serve.pid"
    if restart:
        stop_serving(workdir)
    elif answers(corpus.base + "__stats"):
        return
    log = (workdir / "serve.log").open("ab")
    serve = [sys.executable, str(bench / "serve.py"), str(corpus.root)]
    subprocess.Popen(
        [*serve, "--port", str(corpus.port), "--pidfile", str(pidfile), "--max-seconds", "86400"],
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        if answers(corpus.base + "__stats"):
            return
        time.sleep(0.1)
    raise SystemExit(f"serve.py does not answer on {corpus.base} (see {workdir / 'serve.log'})")


def stop_serving(workdir: Path) -> None:
    pidfile = workdir / "serve.pid"
    if not pidfile.exists():
        return
    pid = int(pidfile.read_text().strip() or 0)
    pidfile.unlink()
    if pid <= 0:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


async def at_most(n: int, jobs: Iterable[Awaitable[None]]) -> None:
    """Await every job, ``n`` at a time."""
    gate = asyncio.Semaphore(n)

    async def one(job: Awaitable[None]) -> None:
        async with gate:
            await job

    await asyncio.gather(*(one(j) for j in jobs))


async def count(reader: TTRSSClient) -> tuple[int, int]:
    """(feeds, articles) the account holds."""
    return len(await reader.subscriptions()), len(await reader.article_ids())


async def fill(reader: TTRSSClient, corpus: Corpus, concurrency: int, fresh: bool) -> None:
    """Subscribe to every corpus feed (and to nothing else), then have tt-rss fetch each.

    ``fresh`` unsubscribes from every feed first, which drops their articles (items added
    by ``grow`` included), so the account holds exactly the corpus again."""
    wanted = corpus.feeds()
    urls = {url for url, _ in wanted}
    have = {f.url: f.id for f in await reader.subscriptions()}
    if fresh:
        await reader.mark(sorted(await reader.starred_ids()), starred=False)
    for url, feed_id in list(have.items()):
        if fresh or url not in urls:
            await reader.unsubscribe(feed_id)
            del have[url]
    if fresh:
        purge_orphans()
    categories = {title: cid for cid, title in (await reader.categories()).items()}
    missing = sorted({folder for _, folder in wanted} - set(categories))
    if missing:
        print(f"no category {', '.join(missing)} on the server: those feeds go uncategorized")
        print("  (TUIREADER_TTRSS_CATEGORIES=... .ci/ttrss-up makes them)")
    ids: dict[str, str] = {}

    async def subscribe(url: str, folder: str) -> None:
        ids[url] = have.get(url) or await reader.subscribe(url, categories.get(folder, 0))

    started = time.monotonic()
    await at_most(concurrency, (subscribe(u, f) for u, f in wanted))
    print(f"subscribed to {len(ids)} feeds in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    await at_most(concurrency, (reader.update_feed(i) for i in ids.values()))
    print(f"tt-rss fetched them in {time.monotonic() - started:.1f} s")


def purge_orphans() -> None:
    """Delete the articles no user holds any more, as tt-rss's housekeeping does (its update
    daemon, which does not run here). Until then, an article of a feed unsubscribed from stays
    in the database, and when the feed is subscribed to again tt-rss finds it "up to date"
    and does not give it back to the user: the account would hold no article."""
    query = (
        "DELETE FROM ttrss_entries WHERE NOT EXISTS"
        " (SELECT 1 FROM ttrss_user_entries WHERE ref_id = ttrss_entries.id)"
    )
    command = ["runuser", "-u", "postgres", "--", "psql", "-q", "-X", "-d", "ttrss", "-c", query]
    if os.geteuid() != 0:
        raise SystemExit("setup --fresh needs root (it purges tt-rss's orphaned articles)")
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def add_items(workdir: Path, corpus: Corpus, n: int) -> list[str]:
    """One new item at the top of each of the first ``n`` RSS 2.0 feeds; their URLs."""
    grown = workdir / "grown"
    serial = int(grown.read_text()) if grown.exists() else 0
    rss = [f for f in corpus.manifest()["feeds"] if f["format"] == "rss2"]
    if len(rss) < n:
        raise SystemExit(f"the corpus has {len(rss)} RSS 2.0 feeds, fewer than {n}")
    now = datetime.now(UTC)
    changed = []
    for feed in rss[:n]:
        serial += 1
        path = corpus.root / feed["path"]
        body = path.read_text(encoding="utf-8")
        link = f"https://added.example.org/{serial}"
        html = "".join(f"<p>Paragraph {p} of added story {serial}.</p>" for p in range(12))
        item = (
            f"<item>\n<title>Added story {serial}</title>\n<link>{link}</link>\n"
            f'<guid isPermaLink="false">tuireader-bench-added-{serial}</guid>\n'
            f"<pubDate>{format_datetime(now)}</pubDate>\n"
            f"<description>{escape(html)}</description>\n</item>\n"
        )
        at = body.index("<item>")
        path.write_text(body[:at] + item + body[at:], encoding="utf-8")
        changed.append(str(feed["url"]))
    grown.write_text(str(serial))
    return changed


async def grow(reader: TTRSSClient, workdir: Path, corpus: Corpus, bench: Path, n: int) -> None:
    changed = add_items(workdir, corpus, n)
    serving(bench, workdir, corpus, restart=True)
    ids = {f.url: f.id for f in await reader.subscriptions()}
    started = time.monotonic()
    await at_most(CONCURRENCY, (reader.update_feed(ids[u]) for u in changed))
    print(f"added {len(changed)} items; tt-rss fetched them in {time.monotonic() - started:.1f} s")


async def main_async(args: argparse.Namespace) -> int:
    url = os.environ.get("TUIREADER_TTRSS_URL", "")
    user = os.environ.get("TUIREADER_TTRSS_USER", "")
    password = os.environ.get("TUIREADER_TTRSS_PASSWORD", "")
    if not (url and user):
        print('no tt-rss: eval "$(TUIREADER_TTRSS_USER=bench .ci/ttrss-up)" first', file=sys.stderr)
        return 2
    workdir: Path = args.dir
    workdir.mkdir(parents=True, exist_ok=True)
    bench: Path = args.bench_dir
    corpus = Corpus(workdir / "corpus", args.port)
    async with httpx.AsyncClient(timeout=600, trust_env=False) as http:
        reader = TTRSSClient(http, url, user, password)
        expected = args.feeds * args.items
        if args.command == "setup":
            corpus = make_corpus(bench, workdir, args.port, args.feeds, args.items, args.fresh)
            serving(bench, workdir, corpus, restart=args.fresh)
            await fill(reader, corpus, args.concurrency, args.fresh)
        elif args.command == "grow":
            serving(bench, workdir, corpus)
            await grow(reader, workdir, corpus, bench, args.new)
        grown = workdir / "grown"
        expected += int(grown.read_text()) if grown.exists() else 0
        feeds, items = await count(reader)
        print(f"the account {user!r} holds {feeds} feeds and {items} items")
        if args.command in ("setup", "grow") and (feeds, items) != (args.feeds, expected):
            print(f"expected {args.feeds} feeds and {expected} items", file=sys.stderr)
            return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("setup", "grow", "count", "stop"))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="corpus and serve.py state")
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="serve.py's port")
    parser.add_argument("--feeds", type=int, default=FEEDS)
    parser.add_argument("--items", type=int, default=ITEMS, help="items per feed")
    parser.add_argument("--new", type=int, default=100, help="items `grow` adds")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument(
        "--fresh", action="store_true", help="setup: a new corpus and no article from before"
    )
    args = parser.parse_args()
    if args.command == "stop":
        stop_serving(args.dir)
        return 0
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
