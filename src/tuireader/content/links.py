"""Numbering the openable links and images of one document."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from tuireader.content.escape import escape_text
from tuireader.domain.text import clean_line, safe_link

# Hosts (or host labels) that serve tracking pixels, share buttons and feed ads, not pictures.
_TRACKER_HOST_PARTS = (
    "feedburner.",
    "feedsportal.",
    "doubleclick.",
    "feedblitz.",
    "feeds.wordpress.com",
    "stats.wordpress.com",
    "stats.wp.com",
    "pixel.wp.com",
    "google-analytics.",
    "googletagmanager.",
    "scorecardresearch.",
    "quantserve.",
    "fbcdn-pixel",
    "ad.doubleclick",
    "analytics.",
)


def is_tracker_url(url: str) -> bool:
    """Whether an image URL points at a known tracker or feed-ad host."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return True
    if not host:
        return False
    if any(part in host for part in _TRACKER_HOST_PARTS):
        return True
    return "pixel" in host.split(".")


class LinkTable:
    """The numbered links and images of one document, with relative URLs resolved.

    The same URL always gets the same number; numbers are 1-based.
    """

    def __init__(self, base_url: str = "") -> None:
        self._base = clean_line(base_url)
        self._links: list[str] = []
        self._link_numbers: dict[str, int] = {}
        self._images: list[str] = []
        self._image_numbers: dict[str, int] = {}

    @property
    def links(self) -> tuple[str, ...]:
        """The links numbered so far, link ``N`` at index ``N - 1``."""
        return tuple(self._links)

    @property
    def images(self) -> tuple[str, ...]:
        """The images numbered so far, image ``N`` at index ``N - 1``."""
        return tuple(self._images)

    def resolve(self, href: str | None) -> str:
        """``href`` as an absolute http(s) URL, or ``""`` if it is not one."""
        if not href:
            return ""
        href = clean_line(href).replace(" ", "%20")
        if not href:
            return ""
        if href.startswith("//") and not self._base:
            href = "https:" + href
        try:
            url = urljoin(self._base, href) if self._base else href
        except ValueError:
            return ""
        return safe_link(url)

    def add_link(self, url: str) -> int:
        """The number of ``url`` (an already resolved http(s) URL) among the links."""
        number = self._link_numbers.get(url)
        if number is None:
            self._links.append(url)
            number = self._link_numbers[url] = len(self._links)
        return number

    def add_image(self, url: str) -> int:
        """The number of ``url`` (an already resolved http(s) URL) among the images."""
        number = self._image_numbers.get(url)
        if number is None:
            self._images.append(url)
            number = self._image_numbers[url] = len(self._images)
        return number


def image_placeholder(number: int | None, alt: str) -> str:
    """``[image N: alt]``, ``[image N]``, or ``[image: alt]`` for an unnumbered image.

    The alt text is escaped for Markdown.
    """
    alt = escape_text(clean_line(alt).replace("[", "(").replace("]", ")"))
    label = "image" if number is None else f"image {number}"
    return f"[{label}: {alt}]" if alt else f"[{label}]"
