"""What a refresh's parsing workers do: bytes to stories, each with its text, word count and
discovery term counts. Imported by the worker processes, so it imports only what parsing
needs (never the library, storage or discovery: each worker would pay for them at start
and in memory)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tuireader.domain.models import ParsedFeed, Story
from tuireader.domain.plain_text import story_text
from tuireader.domain.terms import heaviest_counts, term_counts
from tuireader.sources.feedparse import parse_feed


def text_and_words(story: Story) -> tuple[str, int]:
    """A story's text and how many words its body has (is the feed summary-only?)."""
    text = story_text(story.title, story.body, story.content_type, story.categories)
    body = text.rsplit("\n", 1)[-1]  # the plain body is one line, and the last
    return text, body.count(" ") + 1 if body else 0


@dataclass(slots=True)
class Prepared:
    """Parsed stories with what storing and indexing them needs, made in a worker thread."""

    items: list[tuple[Story, str]] = field(default_factory=list)
    """Each story with its search text."""
    terms: dict[str, dict[str, float]] = field(default_factory=dict)
    """Discovery term counts by story key."""
    words: dict[str, int] = field(default_factory=dict)
    """Words in each story's feed text, by key (is it summary-only?)."""


def prepare(stories: Sequence[Story], terms: bool = True) -> Prepared:
    """Search text, word counts and (unless ``terms`` is false: the indexer will count them)
    discovery term counts: CPU work for a worker thread."""
    prepared = Prepared()
    for story in stories:
        text, words = text_and_words(story)
        prepared.items.append((story, text))
        if terms:
            prepared.terms[story.key] = heaviest_counts(
                term_counts(story.title, text, story.categories)
            )
        prepared.words[story.key] = words
    return prepared


def parse_and_prepare(data: bytes, url: str, terms: bool = True) -> tuple[ParsedFeed, Prepared]:
    """A feed document parsed and its stories prepared (what a worker process runs)."""
    parsed = parse_feed(data, url)
    return parsed, prepare(parsed.stories, terms)
