"""OPML reading (tolerant, safe) and writing (OPML 2.0), round trip."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tuireader.domain.errors import NotOpmlError, UsageError
from tuireader.domain.models import Source, SourceKind
from tuireader.sources.opml import read_opml, write_opml

FIXTURES = Path(__file__).parent / "fixtures" / "local"


def test_read_nested_folders_titles_and_tags() -> None:
    feeds = read_opml((FIXTURES / "subscriptions.opml").read_bytes())
    assert [(f.url, f.title, f.folder) for f in feeds] == [
        ("https://news.example/rss", "News Example", "News"),
        ("https://blog.example/atom.xml", "A Blog", "News/Blogs"),
        ("https://deep.example/feed", "Deep", "News/Blogs/Deeper"),
        ("https://loose.example/feed", "Loose", ""),
    ]
    assert feeds[1].tags == ("tech", "fun")
    assert all(f.kind is SourceKind.FEED for f in feeds)


def test_round_trip_with_folders_and_escaping() -> None:
    sources = [
        Source(url="https://a.example/feed?x=1&y=2", kind=SourceKind.FEED, title='A & "B" <c>'),
        Source(url="https://b.example/rss", kind=SourceKind.FEED, title="B", folder="Tech/Rust"),
        Source(url="https://c.example/rss", kind=SourceKind.FEED, title="C", folder="Tech"),
        Source(url="https://d.example/rss", kind=SourceKind.FEED, title="D", folder="Tech/Rust"),
        Source(url="https://e.example/rss", kind=SourceKind.FEED, title="", tags=("x", "y")),
        Source(url="/home/me/news", kind=SourceKind.LOCAL, title="Local folder"),
    ]
    text = write_opml(sources, title="Mine & yours")
    root = ET.fromstring(text)
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Mine & yours"
    back = read_opml(text.encode("utf-8"))
    assert [(s.url, s.title, s.folder, s.tags) for s in back] == [
        ("https://a.example/feed?x=1&y=2", 'A & "B" <c>', "", ()),
        ("https://b.example/rss", "B", "Tech/Rust", ()),
        ("https://d.example/rss", "D", "Tech/Rust", ()),
        ("https://c.example/rss", "C", "Tech", ()),
        ("https://e.example/rss", "https://e.example/rss", "", ("x", "y")),
    ]
    assert text.count('text="Tech"') == 1 and text.count('text="Rust"') == 1
    assert write_opml(back, title="Mine & yours") == text


def test_entities_and_doctype_are_not_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<opml><body><outline text="&b;" xmlUrl="https://x.example/f"/></body></opml>'
    )
    feeds = read_opml(bomb)
    assert [f.url for f in feeds] == ["https://x.example/f"]
    assert "aaaa" not in feeds[0].title
    with pytest.raises(NotOpmlError):
        read_opml(b'<opml><body><!ENTITY x "y"></body></opml>')


def test_tolerant_of_broken_xml() -> None:
    broken = b'<opml><body><outline text="A &nbsp; B" xmlUrl="https://a.example/f?a=1&amp;b=2">'
    feeds = read_opml(broken)
    assert [f.url for f in feeds] == ["https://a.example/f?a=1&b=2"]


@pytest.mark.parametrize("data", [b"", b"<html><body>hi</body></html>", b"not xml at all"])
def test_not_opml_raises_a_usage_error(data: bytes) -> None:
    with pytest.raises(NotOpmlError) as raised:
        read_opml(data)
    assert isinstance(raised.value, UsageError)
    assert str(raised.value).startswith("not OPML")


def test_outlines_whose_url_names_no_host_are_left_out() -> None:
    doc = (
        b'<opml version="2.0"><body><outline text="a" xmlUrl="http://"/>'
        b'<outline text="b" xmlUrl="https:///feed"/><outline text="c" xmlUrl="http://[x/f"/>'
        b'<outline text="d" xmlUrl="https://d.example/feed"/></body></opml>'
    )
    assert [f.url for f in read_opml(doc)] == ["https://d.example/feed"]


def test_html_entities_and_control_bytes_keep_folders_and_titles() -> None:
    from tuireader.sources.opml import read_opml

    doc = (
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        b'<outline text="A &amp; B"><outline type="rss" text="Caf&eacute; news\x1b[31m"'
        b' xmlUrl="http://cafe.example/feed.xml"/></outline></body></opml>'
    )
    (source,) = read_opml(doc)
    assert (source.folder, source.title) == ("A & B", "Café news")
