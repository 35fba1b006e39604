"""Feed autodiscovery: which ``<link>`` elements name a feed, and where they point."""

from __future__ import annotations

from tuireader.sources.discover_feeds import FeedLink, feed_links, looks_like_html

PAGE = "https://news.example/world/index.html"


def test_alternate_feed_links_resolved_in_page_order_without_duplicates() -> None:
    html = b"""<!doctype html><html><head>
    <link rel="stylesheet" type="text/css" href="/s.css">
    <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
    <link rel="alternate" type="application/rss+xml" title="World &amp; more" href="rss.xml">
    <LINK REL="Alternate Feed" TYPE="application/atom+xml; charset=utf-8" HREF="/atom">
    <link rel="alternate" type="application/feed+json" href="//cdn.news.example/feed.json"/>
    <link rel="alternate" type="application/rss+xml" href="rss.xml">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <link rel="alternate" type="application/rss+xml">
    </head><body><a href="/other.rss">not a link element</a></body></html>"""
    assert feed_links(html, PAGE) == [
        FeedLink("https://news.example/world/rss.xml", "World & more", "application/rss+xml"),
        FeedLink("https://news.example/atom", "", "application/atom+xml"),
        FeedLink("https://cdn.news.example/feed.json", "", "application/feed+json"),
    ]


def test_base_href_is_the_base_of_relative_links() -> None:
    html = (
        b'<base href="https://static.example/a/">'
        b"<link rel=alternate type=application/rss+xml href=../f.xml>"
    )
    assert [f.url for f in feed_links(html, PAGE)] == ["https://static.example/f.xml"]


def test_broken_markup_keeps_the_links_found_before_it() -> None:
    html = b"<link rel=alternate type=application/rss+xml href=/a.xml><![bogus[ x ]]><p>"
    assert [f.url for f in feed_links(html, PAGE)] == ["https://news.example/a.xml"]


def test_a_page_is_told_from_a_feed() -> None:
    assert looks_like_html(b"<rss/>", "text/html; charset=utf-8")
    assert looks_like_html(b"\xef\xbb\xbf  <!-- hi --> <!DOCTYPE html><html>", "")
    assert not looks_like_html(b'<?xml version="1.0"?><rss version="2.0">', "text/xml")
    assert not looks_like_html(b'{"version": "https://jsonfeed.org/version/1.1"}', "")
