"""JSON Feed 1.0 and 1.1: every field we map, and the items a hostile feed cannot sink.

These are the fields where fastfeedparser's JSON Feed reader differs from ours (see
``sources/jsonfeed.py``): every listed author, the feed's author for items without one,
``external_url`` as the link, relative URLs against ``home_page_url``, a numeric ``id`` kept
as the key, ``content_text`` read as text, and one malformed item not losing the others.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tuireader.domain.errors import NotAFeedError
from tuireader.domain.models import ContentType, Enclosure
from tuireader.sources.feedparse import parse_feed

URL = "http://feeds.example/sub/feed.json"
V11 = "https://jsonfeed.org/version/1.1"

EVERY_FIELD: dict[str, Any] = {
    "version": V11,
    "title": "Every Field",
    "home_page_url": "http://home.example/site/",
    "feed_url": URL,
    "authors": [{"name": "Feed Desk"}],
    "items": [
        {
            "id": "a1",
            "url": "stories/one",
            "external_url": "http://elsewhere.example/one",
            "title": "One",
            "content_html": "<p>html <b>body</b></p>",
            "content_text": "text body",
            "summary": "The summary",
            "authors": [{"name": "Ann"}, {"name": "Bo"}, {"url": "http://no.name/"}],
            "date_published": "2026-11-04T06:00:00Z",
            "date_modified": "2026-11-05T08:00:00+02:00",
            "tags": ["Rivers", "Weather", 7],
            "attachments": [
                {"url": "audio/one.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 1234},
                {"url": "javascript:alert(1)", "mime_type": "text/html"},
                {"mime_type": "audio/ogg"},
            ],
            "image": "http://home.example/i.png",
        },
        {
            "id": 42,
            "external_url": "http://elsewhere.example/two",
            "content_text": "Plain <b>text</b> body, no title",
            "author": {"name": "Old Style"},
        },
        {"id": "c3", "url": "http://home.example/three", "title": "Three"},
    ],
}


def test_every_field_of_a_json_feed() -> None:
    feed = parse_feed(json.dumps(EVERY_FIELD).encode(), URL)
    assert feed.title == "Every Field"
    assert feed.link == "http://home.example/site/"
    one, two, three = feed.stories

    assert one.key == "a1"
    assert one.title == "One"
    assert one.link == "http://home.example/site/stories/one"  # against home_page_url
    assert one.author == "Ann, Bo"
    assert one.published == datetime(2026, 11, 4, 6, 0, tzinfo=UTC)
    assert one.updated == datetime(2026, 11, 5, 6, 0, tzinfo=UTC)
    assert one.summary == "The summary"
    assert (one.content, one.content_type) == ("<p>html <b>body</b></p>", ContentType.HTML)
    assert one.categories == ("Rivers", "Weather")
    assert one.enclosures == (
        Enclosure("http://home.example/site/audio/one.mp3", "audio/mpeg", 1234),
    )

    assert two.key == "42"  # JSON Feed 1.0 says a reader coerces a numeric id to a string
    assert two.link == "http://elsewhere.example/two"
    assert two.title == "Plain <b>text</b> body, no title"
    assert (two.content, two.content_type) == ("Plain <b>text</b> body, no title", ContentType.TEXT)
    assert two.author == "Old Style"  # JSON Feed 1.0's single author

    assert three.author == "Feed Desk"  # the feed's author stands in
    assert three.published is None and three.summary == "" and three.enclosures == ()


def test_a_malformed_item_does_not_lose_the_others() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "author": {"name": "Desk"},
        "items": [
            1,
            "text",
            {"title": "Bad fields", "authors": ["x"], "date_published": 5, "tags": "abc"},
            {"id": "ok", "title": "Fine", "url": "http://a.example/ok"},
        ],
    }
    feed = parse_feed(json.dumps(doc).encode(), URL)
    assert [s.title for s in feed.stories] == ["Bad fields", "Fine"]
    bad = feed.stories[0]
    assert (bad.author, bad.published, bad.categories) == ("Desk", None, ())


def test_byte_order_mark_and_broken_utf8_are_read() -> None:
    body = b'{"version": "%s", "items": [{"id": "1", "title": "caf\xff"}]}' % V11.encode()
    feed = parse_feed(b"\xef\xbb\xbf" + body, URL)
    assert [s.title for s in feed.stories] == ["caf\ufffd"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"items": [{"title": "no version"}]}', "JSON without a JSON Feed version"),
        (b'{"version": ', "invalid JSON"),
        (b"[" * 100_000, "HTML|parse error|not a feed"),
        (b"{" + b'"a":[' * 100_000, "invalid JSON"),
    ],
)
def test_other_json_is_not_a_feed(data: bytes, reason: str) -> None:
    with pytest.raises(NotAFeedError, match=reason):
        parse_feed(data, URL)
