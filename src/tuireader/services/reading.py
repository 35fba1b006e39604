"""Turning a stored story into reader text."""

from __future__ import annotations

from tuireader.content.reader import ReaderText, render_reader
from tuireader.domain.models import Story


def reader_text(story: Story) -> ReaderText:
    """The story's body as Markdown with numbered links and image placeholders."""
    return render_reader(story.body, story.content_type, story.link)
