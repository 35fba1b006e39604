"""A fetched web page turned into a story: the article's main text, via trafilatura."""

from __future__ import annotations

import re

from tuireader.domain.errors import SourceError
from tuireader.domain.models import Story
from tuireader.sources.local.htmlpage import parse_html_page

_CHARSET = re.compile(r"charset=([\w.-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w.-]+)", re.IGNORECASE)
HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_html(content_type: str, data: bytes) -> bool:
    """Whether a response is an HTML page (by its type, or by its first bytes when untyped)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in HTML_TYPES:
        return True
    if kind in ("", "application/octet-stream", "text/plain"):
        head = data[:1024].lstrip().lower()
        return head.startswith((b"<!doctype html", b"<html"))
    return False


def decode_page(data: bytes, content_type: str) -> str:
    """Bytes to text: the declared charset, then a <meta> charset, then UTF-8."""
    for match in (_CHARSET.search(content_type), _META_CHARSET.search(data[:4096])):
        if match:
            name = match.group(1)
            name = name.decode("ascii", "replace") if isinstance(name, bytes) else name
            try:
                return data.decode(name, errors="replace")
            except LookupError:
                continue
    return data.decode("utf-8", errors="replace")


def extract_article(data: bytes, content_type: str, url: str) -> Story:
    """The page's main text as a Markdown story; :class:`SourceError` when there is none."""
    if not is_html(content_type, data):
        kind = content_type.split(";")[0].strip() or "unknown type"
        raise SourceError(f"not an HTML page ({kind})")
    story = parse_html_page(decode_page(data, content_type), "")
    if story is None or len(story.content.split()) < 20:
        raise SourceError("no article text found on the page")
    if not story.link:
        story.link = url
    return story
