"""Parsing every feed format from saved files, and the guards in front of the parsers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tuireader.domain.errors import NotAFeedError
from tuireader.domain.models import ParsedFeed
from tuireader.sources.feedparse import _fast, _tolerant, parse_feed
from tuireader.sources.guard import count_items, guard_xml

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
BASE = "http://feeds.example/sub/feed"


def parse(name: str) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), BASE)


def test_rss2_fields_links_resolved_and_entities() -> None:
    feed = parse_feed((FEEDS / "rss2.xml").read_bytes(), "http://harbor.example/rss")
    assert feed.title == "Harbor Gazette"
    first = feed.stories[0]
    assert first.key == "harbor-1001"
    assert first.link == "http://harbor.example/news/ferry-timetable"
    assert (
        first.published is not None and first.published.isoformat() == "2026-11-02T08:00:00+00:00"
    )
    assert "ferry" in first.content and first.categories == ("Transport",)
    second = feed.stories[1]
    assert "nine\u00a0pm" in second.body  # &nbsp; survived
    third = feed.stories[2]
    assert third.enclosures[0].url == "http://harbor.example/audio/seals.mp3"
    assert third.enclosures[0].length == 123456


@pytest.mark.parametrize(
    ("name", "title", "count"),
    [
        ("atom.xml", "Valley Tech Notes", 2),
        ("rss1.rdf", "Meadow Science", 2),
        ("rss090.rdf", "Old Netscape Channel", 2),
        ("rss091.xml", "Plain 0.91", 1),
        ("atom03.xml", "Atom Zero Three", 1),
        ("feed.json", "River JSON News", 2),
    ],
)
def test_every_format(name: str, title: str, count: int) -> None:
    feed = parse_feed((FEEDS / name).read_bytes(), BASE)
    assert feed.title == title
    assert len(feed.stories) == count
    assert all(s.title for s in feed.stories)
    assert all(s.published is None or s.published.tzinfo is not None for s in feed.stories)


def test_rdf_content_encoded_is_kept() -> None:
    feed = parse_feed((FEEDS / "rss1.rdf").read_bytes(), BASE)
    assert "<strong>bees</strong>" in feed.stories[0].body
    assert feed.stories[0].author == "R. Field"


def test_json_feed_relative_links_and_authors() -> None:
    feed = parse_feed((FEEDS / "feed.json").read_bytes(), BASE)
    assert feed.stories[0].link == "http://river.example/stories/flood-barrier"
    assert feed.stories[0].author == "Jo River"
    assert feed.stories[1].body == "Blue again."


def test_atom_offset_dates_become_utc() -> None:
    feed = parse_feed((FEEDS / "atom.xml").read_bytes(), BASE)
    meetup = feed.stories[1]
    assert meetup.published is not None
    assert meetup.published.isoformat() == "2026-11-02T17:00:00+00:00"


def test_hostile_titles_lose_control_characters_and_javascript_links() -> None:
    feed = parse_feed((FEEDS / "hostile.xml").read_bytes(), BASE)
    titles = [s.title for s in feed.stories]
    assert any("[@click=app.quit]" in t for t in titles)  # kept as text, shown literally
    for t in titles:
        assert "\x1b" not in t and "\x07" not in t and "\u202e" not in t
    assert all(not s.link.startswith("javascript") for s in feed.stories)


def test_duplicate_guids_get_distinct_stable_keys() -> None:
    feed = parse_feed((FEEDS / "hostile.xml").read_bytes(), BASE)
    dups = [s for s in feed.stories if s.title.startswith("Duplicate guid")]
    assert len(dups) == 2 and dups[0].key != dups[1].key
    again = parse_feed((FEEDS / "hostile.xml").read_bytes(), BASE)
    assert [s.key for s in again.stories] == [s.key for s in feed.stories]


def test_items_without_guid_keep_keys_when_reordered() -> None:
    items = [f"<item><title>T{i}</title><link>http://x.example/{i}</link></item>" for i in range(5)]
    doc = "<rss version='2.0'><channel><title>x</title>{}</channel></rss>"
    a = parse_feed(doc.format("".join(items)).encode(), BASE)
    b = parse_feed(doc.format("".join(reversed(items))).encode(), BASE)
    assert {s.title: s.key for s in a.stories} == {s.title: s.key for s in b.stories}


@pytest.fixture
def parsers_used(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which parser each ``parse_feed`` ran, in order: "fast" or "tolerant"."""
    import fastfeedparser
    import feedparser

    used: list[str] = []
    fast, tolerant = fastfeedparser.parse, feedparser.parse

    def spy_fast(*args: Any, **kwargs: Any) -> Any:
        used.append("fast")
        return fast(*args, **kwargs)

    def spy_tolerant(*args: Any, **kwargs: Any) -> Any:
        used.append("tolerant")
        return tolerant(*args, **kwargs)

    monkeypatch.setattr(fastfeedparser, "parse", spy_fast)
    monkeypatch.setattr(feedparser, "parse", spy_tolerant)
    return used


@pytest.mark.parametrize("name", ["rss2.xml", "atom.xml", "atom03.xml", "rss091.xml", "rss1.rdf"])
def test_a_clean_feed_is_read_by_the_fast_parser_alone(name: str, parsers_used: list[str]) -> None:
    feed = parse(name)
    assert feed.stories
    assert parsers_used == ["fast"]


def test_a_feature_the_fast_parser_loses_goes_to_feedparser(parsers_used: list[str]) -> None:
    assert parse("rss090.rdf").stories
    assert parsers_used == ["tolerant"]


def test_a_feed_the_fast_parser_reads_short_goes_to_feedparser(
    parsers_used: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import fastfeedparser

    monkeypatch.setattr(fastfeedparser, "parse", lambda data: {"feed": {}, "entries": []})
    feed = parse("rss2.xml")
    assert len(feed.stories) == 3
    assert parsers_used == ["tolerant"]


def test_fast_and_tolerant_parsers_agree_on_keys() -> None:
    data = guard_xml((FEEDS / "rss2.xml").read_bytes())
    fast = _fast(data, BASE)
    assert fast is not None
    assert [s.key for s in fast.stories] == [s.key for s in _tolerant(data, BASE).stories]


def test_undeclared_html_entity_does_not_truncate_text() -> None:
    doc = (
        b"<rss version='2.0'><channel><title>t</title><item><title>Wait&hellip; more"
        b"&nbsp;text</title><link>http://a.example/1</link></item></channel></rss>"
    )
    story = parse_feed(doc, BASE).stories[0]
    assert story.title == "Wait… more text"  # a title is one line: its no-break space folds


def test_raw_control_bytes_do_not_drop_items() -> None:
    doc = (
        b"<rss version='2.0'><channel><title>t</title>"
        b"<item><title>one\x01\x02</title><link>http://a.example/1</link></item>"
        b"<item><title>two\x0b</title><link>http://a.example/2</link></item>"
        b"</channel></rss>"
    )
    feed = parse_feed(doc, BASE)
    assert [s.title for s in feed.stories] == ["one", "two"]


def test_quadratic_entity_blowup_is_defused_fast() -> None:
    entity = "x" * 10_000
    refs = "&big;" * 10_000
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "{entity}">]>'
        f"<rss version='2.0'><channel><title>bomb</title><item><title>i</title>"
        f"<description>{refs}</description><link>http://a.example/</link></item>"
        f"</channel></rss>"
    ).encode()
    start = time.monotonic()
    feed = parse_feed(doc, BASE)
    assert time.monotonic() - start < 5
    assert len(feed.stories[0].body) < 1_000_000


def test_parameter_entity_to_dev_zero_does_not_hang() -> None:
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % z SYSTEM "file:///dev/zero"> %z;]>'
        b"<rss version='2.0'><channel><title>z</title><item><title>ok</title>"
        b"<link>http://a.example/</link></item></channel></rss>"
    )
    feed = parse_feed(doc, BASE)
    assert [s.title for s in feed.stories] == ["ok"]


def test_html_page_and_garbage_are_not_feeds() -> None:
    with pytest.raises(NotAFeedError, match="HTML"):
        parse_feed(b"<!DOCTYPE html><html><body>hi</body></html>", BASE)
    with pytest.raises(NotAFeedError):
        parse_feed(bytes(range(256)) * 4, BASE)
    with pytest.raises(NotAFeedError):
        parse_feed(b"", BASE)
    with pytest.raises(NotAFeedError):
        parse_feed(b'{"not": "a feed"}', BASE)


def test_count_items_sees_namespaced_elements() -> None:
    assert count_items(b"<rdf:RDF><items/><item>a</item><atom:entry>b</atom:entry>") == 2


def test_empty_but_valid_feed_is_fine() -> None:
    feed = parse_feed(b"<rss version='2.0'><channel><title>quiet</title></channel></rss>", BASE)
    assert feed.title == "quiet" and feed.stories == []


ENCLOSURES_RSS = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>t</title>
<link>http://x.example/</link><description>d</description>
<item><title>a</title><guid>a</guid><link>http://x.example/a</link>
 <enclosure url="/a.mp3" type="audio/mpeg" length="123"/>
 <media:content url="http://x.example/a.mp3" type="audio/mpeg"/></item>
<item><title>b</title><guid>b</guid><link>http://x.example/b</link>
 <media:content url="http://x.example/b.mp4" type="video/mp4" fileSize="456"/></item>
<item><title>c</title><guid>c</guid><link>http://x.example/c</link>
 <media:group><media:content url="http://x.example/c.jpg" medium="image"/></media:group>
 <enclosure url="javascript:alert(1)" type="audio/mpeg"/></item>
</channel></rss>"""

ENCLOSURES_ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title>t</title><id>x</id><updated>2026-01-01T00:00:00Z</updated>
<entry><title>a</title><id>a</id><updated>2026-01-01T00:00:00Z</updated>
 <link href="http://x.example/a"/>
 <link rel="enclosure" href="http://x.example/a.ogg" type="audio/ogg" length="99"/>
 <media:content url="http://x.example/m.jpg" medium="image"/></entry></feed>"""


@pytest.mark.parametrize("parser", [_fast, _tolerant])
def test_enclosures_from_rss_and_media_rss_each_url_once(parser: Any) -> None:
    feed = parser(guard_xml(ENCLOSURES_RSS), "http://x.example/feed")
    a, b, c = (s.enclosures for s in feed.stories)
    assert [(e.url, e.type, e.length) for e in a] == [("http://x.example/a.mp3", "audio/mpeg", 123)]
    size = None if parser is _fast else 456  # fastfeedparser drops media:content's fileSize
    assert [(e.url, e.type, e.length) for e in b] == [("http://x.example/b.mp4", "video/mp4", size)]
    assert [(e.url, e.type) for e in c] == [("http://x.example/c.jpg", "image/*")]  # no script


@pytest.mark.parametrize("parser", [_fast, _tolerant])
def test_atom_enclosure_links_and_media_content(parser: Any) -> None:
    feed = parser(guard_xml(ENCLOSURES_ATOM), "http://x.example/feed")
    [story] = feed.stories
    size = None if parser is _fast else 99  # fastfeedparser drops the link's length
    assert [(e.url, e.type, e.length) for e in story.enclosures] == [
        ("http://x.example/a.ogg", "audio/ogg", size),
        ("http://x.example/m.jpg", "image/*", None),
    ]
