"""Turning a stored story into reader text."""

from __future__ import annotations

from tuireader.content.reader import ReaderText, render_reader
from tuireader.domain.models import ContentType, Story


def reader_text(story: Story) -> ReaderText:
    """The story's body as Markdown with numbered links and image placeholders: the page's
    full text when one was fetched, else the feed's text."""
    if story.full_text:
        return render_reader(story.full_text, ContentType.MARKDOWN, story.link)
    return render_reader(story.body, story.content_type, story.link)


def full_text_note(story: Story) -> str:
    """One line saying where the text comes from, or why the page could not be used."""
    if story.full_text and story.full_text_status == "ok":
        return "Full text from the story's page (kept offline)."
    if story.full_text:
        return f"Full text from an earlier fetch; the last refetch failed: {story.full_text_status}"
    if story.full_text_status and story.full_text_status != "ok":
        return f"Full text unavailable ({story.full_text_status}); showing the feed's text."
    return ""
