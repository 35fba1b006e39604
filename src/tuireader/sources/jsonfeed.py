"""JSON Feed 1.0 / 1.1 (https://www.jsonfeed.org/version/1.1/).

Ours rather than fastfeedparser's (checked against 0.6.5, field by field, in
``tests/test_jsonfeed.py``): that one raises on the whole document when one item is malformed
(an item that is not an object, an author that is a string, a number as a date) and on a
byte-order mark or broken UTF-8; it keeps only the first author, not the feed's author for
items without one; it ignores ``external_url`` as the link and ``home_page_url`` as the base of
relative URLs; it drops a numeric ``id`` (the spec says to read it as a string, and the key
of every stored story of such a feed would change); and it accepts any JSON with an ``items``
list as a feed.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from tuireader.domain.dates import parse_date
from tuireader.domain.errors import NotAFeedError
from tuireader.domain.ids import dedupe_keys, story_key
from tuireader.domain.models import ContentType, Enclosure, ParsedFeed, Story
from tuireader.domain.text import clean_line, clean_text, safe_link


def looks_like_json(data: bytes) -> bool:
    """True when the document starts with a JSON object."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _url(base: str, value: Any) -> str:
    """``value`` resolved against ``base``; nothing (not ``base`` itself) when it is empty."""
    return safe_link(urljoin(base, value)) if isinstance(value, str) and value.strip() else ""


def _author(item: dict[str, Any]) -> str:
    authors = item.get("authors")
    if isinstance(authors, list):
        names = [_str(a.get("name")) for a in authors if isinstance(a, dict)]
        return ", ".join(n for n in names if n)
    author = item.get("author")
    return _str(author.get("name")) if isinstance(author, dict) else ""


def parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    """Parse a JSON Feed; raise :class:`NotAFeedError` for other JSON."""
    try:
        doc = json.loads(data.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise NotAFeedError(f"not a feed: invalid JSON ({exc.__class__.__name__})") from None
    if not isinstance(doc, dict) or "jsonfeed.org" not in _str(doc.get("version")):
        raise NotAFeedError("not a feed: JSON without a JSON Feed version")
    base = _str(doc.get("home_page_url")) or url
    items = doc.get("items")
    stories: list[Story] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        link = _url(base, item.get("url")) or _url(base, item.get("external_url"))
        title = clean_line(_str(item.get("title")))
        published = parse_date(_str(item.get("date_published")))
        html = _str(item.get("content_html"))
        text = _str(item.get("content_text"))
        if not title:
            title = clean_line((_str(item.get("summary")) or text)[:120])
        guid = item.get("id")
        tags = item.get("tags")
        attachments = item.get("attachments")
        stories.append(
            Story(
                key=story_key(str(guid) if guid is not None else "", link, title, published),
                title=title,
                link=link,
                author=clean_line(_author(item) or _author(doc)),
                published=published,
                updated=parse_date(_str(item.get("date_modified"))),
                summary=clean_text(_str(item.get("summary"))),
                content=clean_text(html or text),
                content_type=ContentType.HTML if html else ContentType.TEXT,
                categories=tuple(clean_line(t) for t in tags if isinstance(t, str))
                if isinstance(tags, list)
                else (),
                enclosures=tuple(
                    Enclosure(
                        url=_url(base, a.get("url")),
                        type=clean_line(_str(a.get("mime_type"))),
                        length=a.get("size_in_bytes")
                        if isinstance(a.get("size_in_bytes"), int)
                        else None,
                    )
                    for a in attachments
                    if isinstance(a, dict) and _url(base, a.get("url"))
                )
                if isinstance(attachments, list)
                else (),
            )
        )
    return ParsedFeed(
        title=clean_line(_str(doc.get("title"))),
        link=safe_link(_str(doc.get("home_page_url"))),
        stories=dedupe_keys(stories),
    )
