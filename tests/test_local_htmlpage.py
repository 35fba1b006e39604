"""Saved HTML pages through trafilatura, offline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tuireader.domain.models import ContentType
from tuireader.sources.local.htmlpage import parse_html_page

FIXTURES = Path(__file__).parent / "fixtures" / "local"


def test_saved_page_main_text_without_navigation() -> None:
    page = (FIXTURES / "saved_page.html").read_text("utf-8")
    story = parse_html_page(page, "saved/page.html")
    assert story is not None
    assert story.key == "f:saved/page.html"
    assert story.title == "Lantern parade returns to the old port"
    assert story.author == "Sol Brenner"
    assert story.link == "https://gazette.example/2026/lantern-parade"
    assert story.published == datetime(2026, 10, 31, 18, 0, tzinfo=UTC)
    assert story.content_type is ContentType.MARKDOWN
    assert "Three hundred paper lanterns" in story.content
    assert "## Route and timing" in story.content
    for boilerplate in ("Subscribe now", "All rights reserved", "Privacy policy", "Sign up"):
        assert boilerplate not in story.content
    assert not story.content.startswith("# Lantern parade")


def test_minimal_page_falls_back_to_title_tag_and_stem() -> None:
    story = parse_html_page("<html><head><title>Only &amp; title</title></head></html>", "a.html")
    assert story is not None
    assert story.title == "Only & title"
    stem = parse_html_page("<html><body><p>x</p></body></html>", "dir/my-page.html")
    assert stem is not None
    assert stem.title == "my-page"
    assert parse_html_page("   ", "e.html") is None


def test_javascript_canonical_is_dropped() -> None:
    page = (
        '<html><head><title>T</title><link rel="canonical" href="javascript:x()"></head>'
        "<body><article><p>" + "Some words here. " * 20 + "</p></article></body></html>"
    )
    story = parse_html_page(page, "j.html")
    assert story is not None
    assert story.link == ""
