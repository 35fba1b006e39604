"""Parse feed bytes into stories: a fast parser first, feedparser as the tolerant reference.

Design (measured, see README "Parsing"): the bytes are guarded first (see :mod:`guard`),
then parsed by fastfeedparser (lxml, ~75x faster than feedparser). feedparser takes over
for a feed when the fast parser raises, returns nothing, returns fewer entries than the
document has ``<item>``/``<entry>`` elements, or the document uses a feature the fast
parser is known to lose (RSS 0.90, CDF, xml:base, xhtml content, RDF content:encoded).
Links are resolved against the feed URL here, whichever parser ran.
"""

from __future__ import annotations

import calendar
import logging
import re
import time
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from tuireader.domain.dates import parse_date
from tuireader.domain.errors import NotAFeedError
from tuireader.domain.ids import dedupe_keys, story_key
from tuireader.domain.models import ContentType, Enclosure, ParsedFeed, Story
from tuireader.domain.text import clean_line, clean_text, safe_link
from tuireader.domain.titles import person_name, tidy_titles
from tuireader.sources.guard import (
    count_items,
    guard_xml,
    needs_tolerant_parser,
    rdf_with_content,
)
from tuireader.sources.jsonfeed import looks_like_json, parse_json_feed

logger = logging.getLogger(__name__)

_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.IGNORECASE | re.DOTALL,
)
# The document's last element closes its root: anything else was cut off on the way.
_ROOT_END = re.compile(rb"</(?:[\w.-]+:)?(?:rss|feed|RDF|channel)\s*>\s*$", re.IGNORECASE)
_ITEM_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")
_FEED_ROOT = re.compile(rb"<(?:[\w.-]+:)?(rss|feed|RDF|channel)[\s>]", re.IGNORECASE)


def _get(mapping: Any, key: str) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _struct_time(value: Any) -> datetime | None:
    if isinstance(value, time.struct_time):
        try:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
        except (OverflowError, ValueError):
            return None
    return None


def _date(entry: Any, key: str) -> datetime | None:
    return _struct_time(_get(entry, key + "_parsed")) or parse_date(_text(_get(entry, key)))


def _popularity(entry: Any) -> int | None:
    for key in ("slash_comments", "comments_count", "points", "score"):
        value = _get(entry, key)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
    return None


def _size(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


_MEDIUM_TYPES = {"image": "image/*", "audio": "audio/*", "video": "video/*"}


def _enclosures(entry: Any, base: str) -> tuple[Enclosure, ...]:
    """RSS ``<enclosure>``, Atom ``link rel="enclosure"`` and Media RSS ``media:content``,
    each URL once (feedparser puts the Atom links in ``enclosures``, fastfeedparser leaves
    them in ``links``; neither puts ``media:content`` there)."""
    raw: list[tuple[Any, Any, Any]] = []
    for enc in _get(entry, "enclosures") or []:
        raw.append((_get(enc, "href") or _get(enc, "url"), _get(enc, "type"), _get(enc, "length")))
    for link in _get(entry, "links") or []:
        if _get(link, "rel") == "enclosure":
            raw.append((_get(link, "href"), _get(link, "type"), _get(link, "length")))
    for media in _get(entry, "media_content") or []:
        kind = _text(_get(media, "type")) or _MEDIUM_TYPES.get(_text(_get(media, "medium")), "")
        size = _get(media, "filesize") or _get(media, "fileSize")
        raw.append((_get(media, "url"), kind, size))
    found: dict[str, Enclosure] = {}
    for href, kind, length in raw:
        url = safe_link(urljoin(base, _text(href).strip())) if _text(href).strip() else ""
        if url and url not in found:
            found[url] = Enclosure(url, clean_line(_text(kind)), _size(length))
    return tuple(found.values())


def _story(entry: Mapping[str, Any], base: str) -> Story:
    title = clean_line(_text(_get(entry, "title")))
    raw_link = _text(_get(entry, "link")).strip()
    link = safe_link(urljoin(base, raw_link)) if raw_link else ""
    published = _date(entry, "published") or _date(entry, "updated")
    content_list = _get(entry, "content")
    content = ""
    if isinstance(content_list, list) and content_list:
        content = _text(_get(content_list[0], "value"))
    summary = _text(_get(entry, "summary")) or _text(_get(entry, "description"))
    if content == summary:
        summary = ""
    tags = _get(entry, "tags")
    categories = tuple(
        dict.fromkeys(
            clean_line(_text(_get(t, "term")) or _text(_get(t, "label")))
            for t in (tags if isinstance(tags, list) else [])
        )
    )
    enclosures = _enclosures(entry, base)
    if not title:
        title = clean_line(re.sub(r"<[^>]*>", " ", summary or content))[:120]
    guid = _text(_get(entry, "id")).strip()
    if guid == raw_link:  # fastfeedparser fills a missing guid with the link
        guid = ""
    return Story(
        key=story_key(guid, link, title, published),
        title=title,
        link=link,
        author=clean_line(_text(_get(entry, "author"))),
        published=published,
        updated=_date(entry, "updated"),
        summary=clean_text(summary),
        content=clean_text(content),
        content_type=ContentType.HTML,
        categories=tuple(c for c in categories if c),
        enclosures=enclosures,
        popularity=_popularity(entry),
    )


def _build(result: Any, url: str) -> ParsedFeed:
    feed = _get(result, "feed") or {}
    entries = _get(result, "entries") or []
    base = url
    stories = [_story(e, base) for e in entries]
    return ParsedFeed(
        title=clean_line(_text(_get(feed, "title"))),
        link=safe_link(urljoin(url, _text(_get(feed, "link")))),
        stories=dedupe_keys(stories),
    )


def _fast(data: bytes, url: str) -> ParsedFeed | None:
    import fastfeedparser

    try:
        result = fastfeedparser.parse(data)
    except Exception:  # hostile bytes: the fast parser's failures all mean "ask feedparser"
        # Not a degraded result (feedparser reads it), so only at debug level, which also
        # keeps parse worker processes (no log handler there) from writing to the terminal.
        logger.debug("fastfeedparser failed on %s; feedparser takes over", url, exc_info=True)
        return None
    parsed = _build(result, url)
    if not parsed.stories:
        return None
    if rdf_with_content(data) and not _fill_rdf_content(data, parsed):
        return None
    return parsed


_RSS1_ITEM = "{http://purl.org/rss/1.0/}item"
_CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"


def _fill_rdf_content(data: bytes, parsed: ParsedFeed) -> bool:
    """Put each RSS 1.0 item's ``content:encoded`` back (the fast parser drops it)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return False
    items = root.findall(_RSS1_ITEM)
    if len(items) != len(parsed.stories):
        return False
    for story, item in zip(parsed.stories, items, strict=True):
        encoded = item.findtext(_CONTENT_ENCODED)
        if encoded:
            if not story.summary and story.content:
                story.summary = story.content
            story.content = clean_text(encoded)
    return True


def _tolerant(data: bytes, url: str) -> ParsedFeed:
    import xml.sax

    import feedparser

    result = feedparser.parse(data, response_headers={"content-location": url})
    with warnings.catch_warnings():  # feedparser warns on its updated->published fallback
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed = _build(result, url)
    version = _text(_get(result, "version"))
    if not parsed.stories and not version:
        raise NotAFeedError(_not_a_feed_reason(data, result))
    if isinstance(_get(result, "bozo_exception"), xml.sax.SAXException):
        _keep_complete(parsed, data)
    return parsed


def _well_formed(data: bytes) -> bool:
    """Whether the document parses strictly (about 1 % of the fast parser's time)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return False
    return True


def _keep_complete(parsed: ParsedFeed, data: bytes) -> None:
    """A damaged document keeps only its complete items, and says so; none is an error."""
    closed = len(_ITEM_END.findall(data))
    if len(parsed.stories) > closed:
        del parsed.stories[closed:]
    if not parsed.stories:
        raise NotAFeedError("parse error: truncated or malformed, no complete item")
    count = len(parsed.stories)
    parsed.problem = f"truncated or malformed: kept {count} item{'s' if count != 1 else ''}"


def _not_a_feed_reason(data: bytes, result: Any) -> str:
    if not data.strip():
        return "not a feed: empty response"
    if _HTML_START.match(data[:4096]):
        return "not a feed: got an HTML page"
    exc = _get(result, "bozo_exception")
    detail = clean_line(str(exc))[:80] if exc else "unrecognised document"
    return f"parse error: {detail}"


def parse_feed(data: bytes, url: str) -> ParsedFeed:
    """Parse RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed bytes fetched from ``url``.

    Titles lose a site-name suffix (see :func:`tuireader.domain.titles.tidy_titles`) and
    bylines their e-mail address. Raises :class:`NotAFeedError` when the document is not a feed.
    """
    return _tidy(_parse(data, url))


def _parse(data: bytes, url: str) -> ParsedFeed:
    if looks_like_json(data):
        return parse_json_feed(data, url)
    if _HTML_START.match(data[:4096]) and not _FEED_ROOT.search(data[:4096]):
        raise NotAFeedError("not a feed: got an HTML page")
    safe = guard_xml(data)
    if not needs_tolerant_parser(safe):
        fast = _fast(safe, url)
        if fast is not None and len(fast.stories) >= count_items(safe):
            if _ROOT_END.search(safe[-512:]) is None or not _well_formed(safe):
                _keep_complete(fast, safe)  # the fast parser recovers silently from damage
            return fast
    return _tolerant(safe, url)


def _tidy(parsed: ParsedFeed) -> ParsedFeed:
    """Titles without the feed's name as a suffix, bylines without e-mail addresses.

    Done after the keys are made, so a feed keyed by title keeps its stories' state.
    """
    titles = tidy_titles([s.title for s in parsed.stories], [parsed.title])
    for story, title in zip(parsed.stories, titles, strict=True):
        story.title = title
        story.author = person_name(story.author)
    return parsed
