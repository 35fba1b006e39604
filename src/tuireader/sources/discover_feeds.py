"""Feed autodiscovery: the feeds a web page names in ``<link rel="alternate">`` elements."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from tuireader.domain.text import clean_line, safe_link

logger = logging.getLogger(__name__)

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/rdf+xml",
    }
)
"""The ``type`` of an alternate link that is a feed."""

MAX_SCAN = 2 * 1024 * 1024
"""Only this much of a page is looked into."""

_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>])", re.I)


@dataclass(frozen=True, slots=True)
class FeedLink:
    """One feed a page names."""

    url: str
    """Absolute http(s) URL."""
    title: str = ""
    type: str = ""


def looks_like_html(data: bytes, content_type: str = "") -> bool:
    """Whether a response is a web page (by its declared type or its first bytes)."""
    declared = content_type.split(";", 1)[0].strip().lower()
    if declared in ("text/html", "application/xhtml+xml"):
        return True
    return _HTML_START.match(data[:4096].lstrip(b"\xef\xbb\xbf")) is not None


class _LinkParser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[FeedLink] = []
        self._seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag == "base" and values.get("href"):
            self.base = urljoin(self.base, values["href"].strip())
            return
        if tag != "link":
            return
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").split(";", 1)[0].strip().lower()
        href = values.get("href", "").strip()
        if "alternate" not in rel or kind not in FEED_TYPES or not href:
            return
        url = safe_link(urljoin(self.base, href))
        if url and url not in self._seen:
            self._seen.add(url)
            self.links.append(FeedLink(url, clean_line(values.get("title", "")), kind))

    handle_startendtag = handle_starttag


def feed_links(data: bytes, base_url: str) -> list[FeedLink]:
    """The feeds a page names, in page order, without duplicates; relative hrefs are
    resolved against ``base_url`` (or the page's ``<base href>``)."""
    parser = _LinkParser(base_url)
    try:
        parser.feed(data[:MAX_SCAN].decode("utf-8", errors="replace"))
        parser.close()
    except AssertionError:  # html.parser's answer to some broken declarations ("<![foo]>")
        logger.info("page markup stopped the link scan early: %s", base_url, exc_info=True)
    return parser.links
