"""Turning a stored story into reader text."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tuireader.domain.dates import date_line
from tuireader.domain.models import ContentType, FetchStatus, Story
from tuireader.domain.text import clean_line, safe_link
from tuireader.domain.titles import display_title

if TYPE_CHECKING:  # the HTML converter loads bs4: only when a story is first rendered
    from tuireader.content.reader import ReaderText


def reader_text(story: Story) -> ReaderText:
    """The story's body as Markdown with numbered links and image placeholders: the page's
    full text when one was fetched, else the feed's text."""
    from tuireader.content.reader import render_reader

    if story.full_text:
        return render_reader(story.full_text, ContentType.MARKDOWN, story.link)
    return render_reader(story.body, story.content_type, story.link)


PAGE_LISTS: tuple[tuple[str, str], ...] = (
    ("related", "Related"),
    ("ranking", "Ranking"),
    ("recommendation", "Recommendation"),
)
"""The lists a page gives beside its article: (the story's field, the page's heading)."""


@dataclass(frozen=True, slots=True)
class PageLine:
    """A headline a page lists, and the library story with that title, if there is one."""

    title: str
    story_id: int | None


def page_lists(
    story: Story, match_titles: Callable[[Sequence[str]], list[int | None]]
) -> dict[str, list[PageLine]]:
    """The story's page lists by field name ("related", "ranking", "recommendation"), each
    headline matched to a library story: what the app shows beside the article and
    ``tuireader related`` prints. A list names no story twice (a page may repeat a
    headline) and never the story itself."""
    out: dict[str, list[PageLine]] = {}
    for name, _ in PAGE_LISTS:
        titles: tuple[str, ...] = getattr(story, name)
        ids = match_titles(titles) if titles else []
        lines: list[PageLine] = []
        seen: set[object] = set()
        for title, story_id in zip(titles, ids, strict=True):
            marks = {("id", story_id) if story_id is not None else None, ("t", title.casefold())}
            marks.discard(None)
            if (story_id is not None and story_id == story.id) or marks & seen:
                continue
            seen |= marks
            lines.append(PageLine(title, story_id))
        out[name] = lines
    return out


def full_text_note(story: Story) -> str:
    """One line saying where the text comes from, or why the page could not be used."""
    if story.full_text and story.full_text_status == FetchStatus.OK:
        return "Full text from the story's page (kept offline)."
    if story.full_text:
        return f"Full text from an earlier fetch; the last refetch failed: {story.full_text_status}"
    if story.full_text_status and story.full_text_status != FetchStatus.OK:
        return f"Full text unavailable ({story.full_text_status}); showing the feed's text."
    return ""


_MD_MARKS = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|^#{1,6} |^> ?)", re.M)
_ESCAPES = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~&])")


@dataclass(frozen=True, slots=True)
class OpenedStory:
    """Everything the article pane shows for one story, read in one call (off the event loop):
    the story in full, its reader text, where the text comes from, and the page's own lists
    matched to library stories."""

    story: Story
    reader: ReaderText
    note: str
    page_lists: dict[str, list[PageLine]]


def open_story(
    story: Story, match_titles: Callable[[Sequence[str]], list[int | None]]
) -> OpenedStory:
    """A story (as :meth:`Library.story` returns it, with its fetched page) made ready to
    show: a few milliseconds for a feed item, longer for a 200 KB page (run it in a thread)."""
    return OpenedStory(
        story, reader_text(story), full_text_note(story), page_lists(story, match_titles)
    )


def _meta(story: Story) -> list[str]:
    when = date_line(story.published, story.updated, story.first_seen)
    return [clean_line(v) for v in (story.source_title, story.author, when) if v]


def unescaped(markdown: str) -> str:
    """Reader Markdown as a person reads it on a terminal: the backslashes that keep
    Markdown from acting on the story's own characters (``\\<tag>``) taken out."""
    return _ESCAPES.sub(r"\1", markdown)


def export_story(story: Story, fmt: str) -> str:
    """The story as a Markdown, HTML or plain-text document (for saving to a file)."""
    reader = reader_text(story)
    links = "".join(f"[{n}] {clean_line(u)}\n" for n, u in enumerate(reader.links, 1))
    title = display_title(story.title)
    link = safe_link(story.link)
    if fmt == "md":
        head = f"# {title}\n\n*{' · '.join(_meta(story))}*\n\n" + (f"<{link}>\n\n" if link else "")
        tail = f"\n\nLinks:\n\n{links}" if links else "\n"
        return head + reader.markdown.strip() + tail
    if fmt == "txt":
        body = _ESCAPES.sub(r"\1", _MD_MARKS.sub("", reader.markdown)).strip()
        head = "\n".join([title, "=" * min(len(title), 78), *_meta(story), link]).strip()
        return f"{head}\n\n{body}\n" + (f"\nLinks:\n{links}" if links else "")
    if fmt == "html":
        from markdown_it import MarkdownIt

        body = MarkdownIt("commonmark", {"html": False}).render(reader.markdown)
        items = "".join(
            f'<li><a href="{html.escape(u, quote=True)}">{html.escape(u)}</a></li>'
            for u in reader.links
        )
        meta = html.escape(" · ".join(_meta(story)))
        source = f'<p><a href="{html.escape(link, quote=True)}">{html.escape(link)}</a></p>'
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head><body>\n<article>\n"
            f"<h1>{html.escape(title)}</h1>\n<p><em>{meta}</em></p>\n"
            + (source if link else "")
            + f"\n{body}"
            + (f"<h2>Links</h2>\n<ol>{items}</ol>\n" if items else "")
            + "</article>\n</body></html>\n"
        )
    raise ValueError(f"unknown format {fmt!r}")
