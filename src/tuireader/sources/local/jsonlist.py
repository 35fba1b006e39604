"""A JSON file holding a plain list of stories (not a JSON Feed)."""

from __future__ import annotations

import re

from tuireader.domain.ids import dedupe_keys, story_key
from tuireader.domain.models import ContentType, Story
from tuireader.domain.text import clean_line, clean_text, safe_link
from tuireader.sources.local.values import to_datetime, to_strings

_LIST_KEYS = ("stories", "items", "articles", "entries")
_LOOKS_HTML = re.compile(r"<(?:p|div|br|a|ul|ol|li|h[1-6]|em|strong|img|blockquote)\b", re.I)


def _first(entry: dict[str, object], *keys: str) -> object:
    for key in keys:
        value = entry.get(key)
        if value not in (None, "", [], ()):
            return value
    return None


def _line(value: object) -> str:
    if isinstance(value, bool):
        return ""
    return clean_line(str(value)) if isinstance(value, str | int | float) else ""


def _text(value: object) -> str:
    return clean_text(value).strip() if isinstance(value, str) else ""


def _headlines(value: object) -> tuple[str, ...]:
    """A list of headlines: strings, or objects with a ``title``."""
    if not isinstance(value, list):
        return ()
    out: list[str] = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("title")
        title = _line(item)
        if title:
            out.append(title)
    return tuple(out)


def _popularity(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        digits = re.sub(r"[,\s]", "", value)
        return int(digits) if digits.isdigit() else None
    return None


def _author(value: object) -> str:
    if isinstance(value, dict):
        return _line(value.get("name"))
    if isinstance(value, list):
        return ", ".join(a for a in (_author(v) for v in value) if a)
    return _line(value)


def story_from_entry(entry: object) -> Story | None:
    """One story from a JSON object; ``None`` when it is not an object or has no title or link."""
    if not isinstance(entry, dict):
        return None
    link = safe_link(_line(_first(entry, "link", "url")))
    title = _line(_first(entry, "title", "headline"))
    if not title and not link:
        return None
    title = title or link
    published = to_datetime(_first(entry, "published", "date", "pubdate", "date_published"))
    raw = _first(entry, "content", "body", "text")
    content = clean_text(raw).strip() if isinstance(raw, str) else ""
    kind = ContentType.HTML if _LOOKS_HTML.search(content) else ContentType.TEXT
    guid = _line(_first(entry, "id", "guid"))
    return Story(
        key=story_key(guid, link, title, published),
        title=title,
        link=link,
        author=_author(_first(entry, "author", "authors", "by")),
        published=published,
        updated=to_datetime(_first(entry, "updated", "modified", "date_modified")),
        summary=_text(_first(entry, "summary", "description")),
        content=content,
        content_type=kind,
        categories=to_strings(_first(entry, "categories", "tags", "category")),
        related=_headlines(entry.get("related")),
        ranking=_headlines(entry.get("ranking")),
        recommendation=_headlines(entry.get("recommendation") or entry.get("recommendations")),
        popularity=_popularity(_first(entry, "popularity", "likes", "score", "points")),
    )


def parse_json_list(value: object) -> list[Story]:
    """Stories from decoded JSON: a list, or an object with a ``stories`` list.

    Entries that are not objects or lack both a title and a link are skipped.
    Raises :class:`ValueError` when the document holds no list of stories, or a list in
    which no entry is usable (an empty list is fine: nothing to read yet).
    """
    if isinstance(value, dict):
        value = next((value[k] for k in _LIST_KEYS if isinstance(value.get(k), list)), None)
    if not isinstance(value, list):
        raise ValueError("not a list of stories")
    stories = [s for s in (story_from_entry(e) for e in value) if s is not None]
    if value and not stories:
        raise ValueError("no stories: entries must be objects with a title or link")
    return dedupe_keys(stories)
