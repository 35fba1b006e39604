"""Saved HTML pages: the article's text and metadata, without the site's navigation."""

from __future__ import annotations

import html
import logging
import re
from pathlib import PurePosixPath
from typing import Any

from tuireader.domain.dates import parse_date
from tuireader.domain.errors import ComponentError, SourceError
from tuireader.domain.ids import story_key
from tuireader.domain.models import ContentType, Story
from tuireader.domain.text import clean_line, clean_text, safe_link, strip_escapes
from tuireader.domain.titles import SEPARATORS, person_name, strip_site_suffix

logger = logging.getLogger(__name__)

_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_TAGS = re.compile(r"<[^>]+>")
_ESCAPE_REF = re.compile(r"&#(?:0*27|[xX]0*1[bB]);")
HEAD_BYTES = 256 * 1024
"""How far into a page its ``<meta>`` tags are looked for."""
_DATE_PARAMS = {
    "original_date": True,
    # No guessing from dates that merely appear in the text.
    "extensive_search": False,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


def _extract(page: str) -> Any:
    """Trafilatura's document for ``page``, or ``None``; never touches the network.

    Raises :class:`ComponentError` when trafilatura (or a library under it) does not import.
    """
    try:
        import trafilatura  # slow to import: only when a page is actually read
    except ImportError as exc:
        raise ComponentError(
            f"HTML extraction unavailable: {exc} — run `tuireader doctor`"
        ) from exc

    options: dict[str, Any] = {
        "output_format": "python",
        "with_metadata": True,
        "include_comments": False,
        "include_formatting": True,
        "include_tables": True,
        "include_images": False,
        "include_links": False,
        "date_extraction_params": dict(_DATE_PARAMS),
    }
    document = trafilatura.bare_extraction(page, favor_precision=True, **options)
    if not (getattr(document, "text", None) or "").strip():
        # A short or oddly built page: accept more text rather than none.
        document = trafilatura.bare_extraction(page, favor_recall=True, **options) or document
    return document


def _drop_title_heading(text: str, title: str) -> str:
    first, _, rest = text.partition("\n")
    if clean_line(first.lstrip("#")) == title:
        return rest.lstrip("\n")
    return text


def _metas(page: str) -> dict[str, str]:
    """The page's ``<meta property|name=... content=...>`` values by lower-cased name."""
    found: dict[str, str] = {}
    for tag in _META.findall(page[:HEAD_BYTES]):
        attrs = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(tag)
        }
        name = (attrs.get("property") or attrs.get("name") or "").lower()
        if name and attrs.get("content", "").strip():
            found.setdefault(name, clean_line(attrs["content"]))
    return found


def _tag_text(match: re.Match[str] | None) -> str:
    return clean_line(html.unescape(_TAGS.sub(" ", match.group(1)))) if match else ""


def _page_title(page: str, metas: dict[str, str], site_names: list[str], fallback: str) -> str:
    """The headline as the page itself gives it, without a suffix that names the site.

    The page's own words come first (og:title, then ``<title>``): trafilatura's title is
    used only without them, as it cuts "Review - The new ferry app" to "Review".
    """
    own = metas.get("og:title") or metas.get("twitter:title") or _tag_text(_TITLE_TAG.search(page))
    if not own:
        return fallback
    title = strip_site_suffix(own, site_names)
    for match in _H1.finditer(page):
        heading = _tag_text(match)
        if heading and title.startswith(heading) and title[len(heading) :].startswith(SEPARATORS):
            return heading  # the page's headline; what follows it is the site's
    return title


def _str(document: Any, name: str) -> str:
    value = getattr(document, name, None) if document is not None else None
    return clean_line(value) if isinstance(value, str) else ""


def parse_html_page(page: str, path_key: str) -> Story | None:
    """A saved HTML page as a Markdown story: title, date, author, canonical link, main text.

    The title falls back to ``<title>`` and then the file stem of ``path_key``.
    The key is ``"f:" + path_key``. Raises :class:`ComponentError` when the extractor is
    not installed right, :class:`SourceError` when it fails on this page.
    """
    # escape sequences go whole before the extractor sees them: it drops control characters
    # one by one and would keep the rest of a sequence as text
    page = strip_escapes(_ESCAPE_REF.sub("\x1b", page.lstrip("\ufeff")))
    if not page.strip():
        return None
    try:
        document = _extract(page)
    except ComponentError:
        raise
    except Exception as exc:  # trafilatura/lxml fail in many ways on odd markup
        logger.exception("extracting %s failed", path_key or "a fetched page")
        raise SourceError(
            f"could not extract the page's text ({type(exc).__name__}: {exc})"
        ) from exc
    metas = _metas(page)
    site = metas.get("og:site_name") or metas.get("application-name") or _str(document, "sitename")
    site_names = [site, _str(document, "sitename")]
    title = _page_title(page, metas, site_names, _str(document, "title"))
    if not title and path_key:
        title = clean_line(PurePosixPath(path_key).stem)
    if not title:
        return None
    text = clean_text(getattr(document, "text", None) or "").strip()
    text = _drop_title_heading(text, title)
    published = parse_date(_str(document, "date"))
    link = safe_link(_str(document, "url"))
    categories = [
        clean_line(str(c))
        for attr in ("categories", "tags")
        for c in (getattr(document, attr, None) or [])
    ]
    key = "f:" + path_key if path_key else story_key("", link, title, published)
    return Story(
        key=key,
        title=title,
        link=link,
        author=person_name(_str(document, "author") or metas.get("author", "")),
        published=published,
        summary=_str(document, "description"),
        content=text,
        content_type=ContentType.MARKDOWN,
        categories=tuple(dict.fromkeys(c for c in categories if c)),
        source_title=site,
    )
