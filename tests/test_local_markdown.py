"""Markdown stories with YAML front matter."""

from __future__ import annotations

from datetime import UTC, datetime

from tuireader.domain.models import ContentType
from tuireader.sources.local.markdown import parse_markdown, split_front_matter

FULL = """\
---
title: Bridge repainted in its original green
date: 2026-05-01
source: Riverside Notes
tags: [city, heritage]
author: Kim Ortega
link: https://notes.example/bridge
---

The **bridge** has its 1911 colour back.
"""


def test_front_matter_fields() -> None:
    story = parse_markdown(FULL, "stories/bridge.md")
    assert story is not None
    assert story.key == "f:stories/bridge.md"
    assert story.title == "Bridge repainted in its original green"
    assert story.published == datetime(2026, 5, 1, tzinfo=UTC)
    assert story.categories == ("city", "heritage")
    assert story.author == "Kim Ortega"
    assert story.link == "https://notes.example/bridge"
    assert story.source_title == "Riverside Notes"
    assert story.content == "The **bridge** has its 1911 colour back."
    assert story.content_type is ContentType.MARKDOWN


def test_tags_as_comma_string_and_datetime() -> None:
    text = "---\ntitle: T\ntags: a, b ,, c\ndate: 2026-05-01T10:20:00+02:00\n---\nBody\n"
    story = parse_markdown(text, "t.md")
    assert story is not None
    assert story.categories == ("a", "b", "c")
    assert story.published == datetime(2026, 5, 1, 8, 20, tzinfo=UTC)


def test_title_from_heading_is_not_repeated_in_content() -> None:
    story = parse_markdown("Intro line.\n\n# The real title\n\nText.\n", "h.md")
    assert story is not None
    assert story.title == "The real title"
    assert "# The real title" not in story.content
    assert "Text." in story.content


def test_title_falls_back_to_file_stem() -> None:
    story = parse_markdown("Just some text, no heading.\n", "notes/my-ideas.md")
    assert story is not None
    assert story.title == "my-ideas"
    assert story.published is None


def test_broken_front_matter_is_ignored_and_body_kept() -> None:
    text = "---\ntitle: [unclosed\n  : : :\n---\n# Heading title\n\nBody survives.\n"
    story = parse_markdown(text, "broken.md")
    assert story is not None
    assert story.title == "Heading title"
    assert story.content == "Body survives."


def test_front_matter_that_is_not_a_mapping() -> None:
    meta, body = split_front_matter("---\n- just\n- a list\n---\nBody\n")
    assert meta == {}
    assert body == "Body\n"
    meta, body = split_front_matter("---\n---\nBody\n")
    assert meta == {} and body == "Body\n"
    meta, body = split_front_matter("No front matter\n---\n")
    assert meta == {} and body == "No front matter\n---\n"


def test_unsafe_link_is_dropped() -> None:
    story = parse_markdown("---\ntitle: X\nlink: javascript:alert(1)\n---\nB\n", "x.md")
    assert story is not None
    assert story.link == ""
