"""Markdown stories with optional YAML front matter."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import yaml

from tuireader.domain.ids import story_key
from tuireader.domain.models import ContentType, Story
from tuireader.domain.text import clean_line, clean_text, safe_link
from tuireader.sources.local.values import to_datetime, to_strings

_FENCE = re.compile(r"^---[ \t]*\n(?:(.*?)\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)", re.DOTALL)
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """(front matter, body). A missing, broken or non-mapping front matter gives ``{}``."""
    match = _FENCE.match(text)
    if match is None:
        return {}, text
    body = text[match.end() :]
    try:
        data = yaml.safe_load(match.group(1) or "")
    except yaml.YAMLError:
        return {}, body
    if not isinstance(data, dict):
        return {}, body
    return {str(k).casefold(): v for k, v in data.items()}, body


def _first(meta: dict[str, object], *keys: str) -> object:
    for key in keys:
        value = meta.get(key)
        if value not in (None, "", [], ()):
            return value
    return None


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(to_strings(value))
    return clean_line(str(value)) if isinstance(value, str | int | float) else ""


def parse_markdown(text: str, path_key: str) -> Story | None:
    """A Markdown file as a story.

    Front matter keys: ``title``, ``date``, ``source``, ``tags`` (list or comma string),
    ``author``, ``link``. The title falls back to the first ``# heading``, then the file
    stem of ``path_key``; that heading is dropped from the content. Key ``"f:" + path_key``.
    """
    text = clean_text(text.lstrip("\ufeff"))
    meta, body = split_front_matter(text)
    title = _text(_first(meta, "title"))
    heading = _H1.search(body)
    if not title and heading is not None:
        title = clean_line(heading.group(1))
    if heading is not None and clean_line(heading.group(1)) == title:
        body = body[: heading.start()] + body[heading.end() :]
    if not title:
        title = clean_line(PurePosixPath(path_key).stem) if path_key else ""
    if not title:
        return None
    published = to_datetime(_first(meta, "date", "published", "pubdate"))
    link = safe_link(_text(_first(meta, "link", "url")))
    source = _text(_first(meta, "source"))
    if not link and safe_link(source):
        link, source = safe_link(source), ""
    key = "f:" + path_key if path_key else story_key("", link, title, published)
    return Story(
        key=key,
        title=title,
        link=link,
        author=_text(_first(meta, "author", "authors", "by")),
        published=published,
        updated=to_datetime(_first(meta, "updated", "modified")),
        summary=_text(_first(meta, "summary", "description")),
        content=body.strip(),
        content_type=ContentType.MARKDOWN,
        categories=to_strings(_first(meta, "tags", "categories", "category")),
        source_title=source,
    )
