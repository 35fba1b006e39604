"""A small library on a real SQLite file whose stories exercise every filter attribute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tuireader.config.settings import Settings
from tuireader.domain.models import Enclosure, Source, SourceKind, Story
from tuireader.domain.plain_text import story_text
from tuireader.services.library import Library
from tuireader.storage.database import open_database

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def _story(key: str, title: str, days: float, **kw: object) -> Story:
    return Story(key=key, title=title, published=NOW - timedelta(days=days), **kw)  # type: ignore[arg-type]


def _items(stories: list[Story]) -> list[tuple[Story, str]]:
    return [(s, story_text(s.title, s.body, s.content_type, s.categories)) for s in stories]


def filter_library(path: Path, settings: Settings | None = None) -> tuple[Library, dict[str, int]]:
    """The library and its story ids by key (a1..a3 in Alpha, b1..b2 in Beta, s1 saved)."""
    conn, _ = open_database(path)
    lib = Library(conn, settings or Settings(), clock=lambda: NOW.timestamp())
    alpha, _ = lib.add_source(
        Source(
            url="https://alpha.example/feed.xml",
            kind=SourceKind.FEED,
            title="Alpha News",
            folder="tech",
            tags=("linux", "oss"),
        )
    )
    beta, _ = lib.add_source(
        Source(url="http://beta.example/rss", kind=SourceKind.FEED, title="Beta Blog")
    )
    saved, _ = lib.add_source(Source(url="tuireader:saved", kind=SourceKind.SAVED, title="Saved"))
    lib.store(
        alpha,
        _items(
            [
                _story(
                    "a1",
                    "Linux kernel 6.9 released",
                    1.5,
                    author="John Doe",
                    link="https://kernel.example/6.9",
                    content="<p>The kernel is out, with a new scheduler</p>",
                    enclosures=(Enclosure("https://cdn.example/a1.mp3", "audio/mpeg"),),
                    popularity=120,
                ),
                _story("a2", "Sponsored: buy things", 10.2, author="Ad Bot", content="buy now"),
                _story("a3", "C++ tips for FreeBSD", 400, author="Bjarne", summary="templates"),
            ]
        ),
        seen_since=0,
    )
    lib.store(
        beta,
        _items(
            [
                _story("b1", "Gardening in June", 200, author="Difool", content="<p>Tomatoes</p>"),
                _story("b2", "Tintin returns", 190.5, author="Tintin Fan", content="comics"),
            ]
        ),
        seen_since=0,
    )
    lib.store(saved, _items([_story("s1", "Saved article", 3, content="read later")]), 0)
    ids = {key: sid for key, sid in conn.execute("SELECT key, id FROM stories")}
    lib.mark([ids["a1"]], read=True)
    lib.mark([ids["b1"]], starred=True)
    conn.execute("UPDATE stories SET cluster_id = 7 WHERE key IN ('a3', 'b2')")
    lib.save_page(ids["b1"], "http://beta.example/b1", "ok", text="all about compost heaps")
    return lib, ids
