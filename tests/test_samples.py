"""The first-run sample library leaves when the user adds a source of their own."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from apphelpers import make_app, workers_done
from feedserver import FeedServer
from test_cli import run
from tuireader.app import assets_dir
from tuireader.config.settings import Settings
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.query import StoryQuery
from tuireader.services.discovery import Discovery
from tuireader.services.library import Library
from tuireader.services.refresh import Refresher
from tuireader.services.seed import seed_samples
from tuireader.sources.http import Fetcher, FetchLimits
from tuireader.storage.database import open_database
from tuireader.storage.discovery_repo import DiscoveryRepo
from tuireader.ui.widgets.article_pane import ArticlePane
from tuireader.ui.widgets.headline_list import HeadlineList


async def _seed_and_load(library: Library, conn: sqlite3.Connection, first_run: bool = True) -> int:
    """Seed and load the bundled samples through the core, index them; their source id."""
    source = seed_samples(library, assets_dir(), first_run=first_run)
    assert source is not None and source.id is not None
    discovery = Discovery(DiscoveryRepo(conn))
    refresher = Refresher(library, Fetcher(None, FetchLimits()), discovery)  # type: ignore[arg-type]
    report = await refresher.refresh([source])
    assert not report.failed
    return source.id


def _load_samples(library: Library, conn: sqlite3.Connection, first_run: bool = True) -> int:
    return asyncio.run(_seed_and_load(library, conn, first_run))


def _count(conn: sqlite3.Connection, sql: str, *args: object) -> int:
    return int(conn.execute(sql, args).fetchone()[0])


def test_first_own_source_deletes_the_samples_for_good(tmp_path: Path) -> None:
    conn, _ = open_database(tmp_path / "db")
    library = Library(conn, Settings())
    samples = _load_samples(library, conn)
    sample_ids = library.ids(StoryQuery())
    assert len(sample_ids) >= 8
    assert library.take_notices() == []  # loading the samples is not "your own source"
    conn.execute(
        "INSERT INTO story_pages (story_id, url, fetched_at) VALUES (?, 'http://x.example', 0)",
        (sample_ids[0],),
    )
    library.remove_source(library.find_sources([str(samples)])[0])  # even hidden, they go

    own, new = library.add_source(Source(url="http://own.example/feed", kind=SourceKind.FEED))
    assert new

    notices = library.take_notices()
    assert len(notices) == 1
    assert f"{len(sample_ids)} sample stories removed" in notices[0]
    assert "tuireader samples" in notices[0]
    assert library.take_notices() == []  # said once
    assert [s.id for s in library.sources()] == [own.id]
    assert _count(conn, "SELECT count(*) FROM sources WHERE id = ?", samples) == 0
    assert _count(conn, "SELECT count(*) FROM stories") == 0
    assert _count(conn, "SELECT count(*) FROM story_search") == 0
    assert _count(conn, "SELECT count(*) FROM story_pages") == 0
    assert _count(conn, "SELECT count(*) FROM story_vocab") == 0  # no sample terms left
    assert library.undo() is None  # "undo remove Sample library" would bring nothing back

    library.add_source(Source(url="http://own.example/second", kind=SourceKind.FEED))
    assert library.take_notices() == []


def test_samples_asked_for_again_stay(tmp_path: Path) -> None:
    conn, _ = open_database(tmp_path / "db")
    library = Library(conn, Settings())
    library.add_source(Source(url="http://own.example/feed", kind=SourceKind.FEED))
    samples = _load_samples(library, conn, first_run=False)
    library.add_source(Source(url="http://own.example/second", kind=SourceKind.FEED))
    assert library.take_notices() == []
    assert samples in [s.id for s in library.sources()]
    assert library.count(StoryQuery()) >= 8


def test_cli_add_removes_the_samples_and_samples_brings_them_back(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    first = run(isolated_env, "list")
    assert "Sample library" in first.stdout and "first run" in first.stderr
    assert "it leaves when you add a source of your own" in first.stderr
    added = run(isolated_env, "add", feed_server.url("/rss2.xml"))
    assert added.returncode == 0, added.stderr
    assert "sample library has left" in added.stderr
    assert "`tuireader samples` brings it back" in added.stderr
    assert "sample" not in added.stdout.lower()

    sources = run(isolated_env, "sources")
    assert "Sample library" not in sources.stdout and "Harbor Gazette" in sources.stdout
    stories = json.loads(run(isolated_env, "list", "--json", "--limit", "200").stdout)
    assert stories and {s["source"] for s in stories} == {"Harbor Gazette"}
    trending = json.loads(run(isolated_env, "trending", "--json").stdout)
    assert {t["source"] for t in trending} <= {"Harbor Gazette"}
    again = run(isolated_env, "add", feed_server.url("/atom.xml"))
    assert "sample" not in again.stderr.lower()

    back = run(isolated_env, "samples")
    assert back.returncode == 0, back.stderr
    assert "added the sample library" in back.stdout
    assert "Sample library" in run(isolated_env, "sources").stdout
    assert "already there" in run(isolated_env, "samples").stdout
    run(isolated_env, "add", feed_server.url("/feed.json"))
    assert "Sample library" in run(isolated_env, "sources").stdout  # asked for: they stay


def test_cli_first_command_add_never_loads_the_samples(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    added = run(isolated_env, "add", feed_server.url("/rss2.xml"))
    assert added.returncode == 0, added.stderr
    assert "sample" not in added.stderr.lower()
    assert "Sample library" not in run(isolated_env, "sources").stdout


async def test_app_add_source_takes_the_sample_stories_off_the_screen(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    app = make_app(tmp_path, first_run=True)  # the root seeds the samples, as `tuireader` does
    notes: list[str] = []
    async with app.run_test(size=(140, 40)) as pilot:
        original = app.notify

        def spy(message: str, **kw: object) -> None:
            notes.append(f"{kw.get('title', '')}: {message}")
            original(message, **kw)  # type: ignore[arg-type]

        app.notify = spy  # type: ignore[method-assign]
        await workers_done(app)
        headlines = app.screen.query_one(HeadlineList)
        assert headlines.total >= 8
        await pilot.press("enter")  # a sample story is open
        await workers_done(app)
        await pilot.pause()
        assert app.screen.query_one(ArticlePane).story is not None
        await pilot.press("escape", "a", *feed_server.url("/rss2.xml"), "enter")
        await workers_done(app)
        await pilot.pause()
        titles = [headlines.story_at(i) for i in range(headlines.total)]
        assert {s.source_title for s in titles if s} == {"Harbor Gazette"}
        assert len(titles) == 3
        assert app.screen.query_one(ArticlePane).story is None
        assert any("sample library has left" in n for n in notes)
        await pilot.press("s", "m", "j")  # keys keep working on what is left


def test_cli_save_and_import_also_retire_the_samples(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    note = tmp_path / "note.md"
    note.write_text("# Bike lanes plan\n\nThe council wants more lanes.\n", "utf-8")
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>'
        f'<outline type="rss" text="Valley" xmlUrl="{feed_server.url("/atom.xml")}"/>'
        "</body></opml>"
    )
    for n, command in enumerate((["save", str(note)], ["import", str(opml)])):
        data = ["--data-dir", str(tmp_path / f"data{n}")]
        assert "Sample library" in run(isolated_env, *data, "sources").stdout
        done = run(isolated_env, *data, *command)
        assert done.returncode == 0, done.stderr
        assert "sample library has left" in done.stderr, command
        assert "Sample library" not in run(isolated_env, *data, "sources").stdout
