"""JSON files holding a plain list of stories."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tuireader.domain.ids import story_key
from tuireader.domain.models import ContentType
from tuireader.sources.local.jsonlist import parse_json_list


def test_list_of_stories_with_all_fields() -> None:
    stories = parse_json_list(
        [
            {
                "title": "Pier reopens",
                "url": "https://x.example/pier",
                "published": "2026-06-01T12:00:00Z",
                "author": "Ana",
                "summary": "Short.",
                "body": "Long text.",
                "tags": "coast, repairs",
                "guid": "pier-1",
                "related": ["Beach cleaned", {"title": "Harbour dredged"}, 3, None],
                "ranking": ["A", "A"],
                "recommendation": ["B"],
                "popularity": "1,500",
            },
            "not an object",
            {"summary": "no title and no link"},
            {"link": "https://x.example/only-link", "date": 1767225600},
            {"title": "Html body", "content": "<p>Hello</p>"},
        ]
    )
    assert [s.title for s in stories] == [
        "Pier reopens",
        "https://x.example/only-link",
        "Html body",
    ]
    first = stories[0]
    assert first.key == story_key("pier-1", "https://x.example/pier", "Pier reopens", None)
    assert first.link == "https://x.example/pier"
    assert first.published == datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert first.author == "Ana"
    assert first.summary == "Short."
    assert first.content == "Long text."
    assert first.content_type is ContentType.TEXT
    assert first.categories == ("coast", "repairs")
    assert first.related == ("Beach cleaned", "Harbour dredged", "3")
    assert first.ranking == ("A", "A")
    assert first.recommendation == ("B",)
    assert first.popularity == 1500
    assert stories[1].key == story_key("", "https://x.example/only-link", "", None)
    assert stories[1].published == datetime(2026, 1, 1, tzinfo=UTC)
    assert stories[2].content_type is ContentType.HTML
    assert stories[2].key == story_key("", "", "Html body", None)


def test_object_with_stories_and_duplicate_keys() -> None:
    stories = parse_json_list(
        {"stories": [{"title": "One", "id": "same"}, {"title": "Two", "id": "same"}]}
    )
    assert [s.title for s in stories] == ["One", "Two"]
    assert len({s.key for s in stories}) == 2


@pytest.mark.parametrize("value", [{"title": "not a list"}, "text", 3, None])
def test_not_a_list_raises(value: object) -> None:
    with pytest.raises(ValueError):
        parse_json_list(value)
