"""Plain-text dumps of news pages.

The layout, as saved by "copy all text" tools from many news sites::

    Current:Home > CategoryTitle of the story -Site name
    Title of the story
    View
    Date:2025-04-13 19:22:34
    Body paragraph, one per line...
    veryGood! (42341)
    Related
    - a headline
    Ranking
    - a headline
    Recommendation
    a headline

Every part but the title is optional, and the headings, the like line and the
date come in many wordings; see the tests for the variants understood.
"""

from __future__ import annotations

import re
from datetime import datetime

from tuireader.domain.dates import parse_date, to_utc
from tuireader.domain.ids import story_key
from tuireader.domain.models import ContentType, Story
from tuireader.domain.text import clean_line, clean_text
from tuireader.domain.titles import strip_site_suffix

SUMMARY_LIMIT = 300
"""Characters of the first paragraph kept as the story's summary."""

_SEP = r"[>»›]"
_BREADCRUMB = re.compile(
    rf"^(?:(?:current|location|you are here|position)\s*[:：]?\s*)?home\s*{_SEP}", re.I
)
_CRUMB_SPLIT = re.compile(rf"\s*{_SEP}\s*")
_SITE_SUFFIX = re.compile(r"\s+[-|–—]\s*[^-|–—]+$")
_CAMEL_HEAD = re.compile(r"^(.{3,}?[a-z])(?=[A-Z])")

_BOILERPLATE = re.compile(
    r"^(?:views?|share|share this|print|comments?|font size|text size|a\s*[+-]\s*a?[+-]?|"
    r"advertisement|back to top|close|source|editor|reads?)\s*[:：]?\s*[\d,.]*[kK]?$",
    re.I,
)
_DATE_LABEL = re.compile(
    r"^(?P<label>date|published|posted|updated|modified|time|release time|publish(?:ed)? time|"
    r"publication date)(?:\s+(?:on|at))?\s*[:：]?\s*(?P<value>.+)$",
    re.I,
)
_AUTHOR_LABEL = re.compile(
    r"^(?:author|by|written by|reporter|writer)\s*[:：]\s*(?P<value>.+)$", re.I
)
_SOURCE_LABEL = re.compile(r"^(?:source|editor|responsible editor)\s*[:：]\s*.+$", re.I)
_TAGS_LABEL = re.compile(r"^(?:tags|keywords|topics)\s*[:：]\s*(?P<value>.+)$", re.I)
_FOOTER = re.compile(r"^(?:copyright|©|\(c\)|all rights reserved)", re.I)
_BULLET = re.compile(r"^(?:[-*•·▪●◦–—+]|\d{1,2}[.)、])\s+")

_NUM = r"(?P<num>\d(?:[\d,. ]*\d)?)\s*(?P<unit>[kKmM]?)"
_LIKE_WORD = (
    r"(?:very\s*good|good|great|likes?|liked|votes?|upvotes?|points?|claps?|hearts?|"
    r"thumbs\s*up|👍|❤️?|♥️?|👏)"
)
_LIKE_BEFORE = re.compile(rf"^{_LIKE_WORD}\s*[!:：]?\s*[(\[（]?\s*{_NUM}\s*[)\]）]?$", re.I)
_LIKE_AFTER = re.compile(rf"^[(\[（]?\s*{_NUM}\s*[)\]）]?\s*{_LIKE_WORD}\s*!?$", re.I)

_HEADINGS = {
    "related": "related",
    "see also": "related",
    "read more": "related",
    "more on this": "related",
    "more on this story": "related",
    "ranking": "ranking",
    "rankings": "ranking",
    "most read": "ranking",
    "most popular": "ranking",
    "most viewed": "ranking",
    "popular": "ranking",
    "popular now": "ranking",
    "trending": "ranking",
    "trending now": "ranking",
    "top stories": "ranking",
    "top news": "ranking",
    "hot news": "ranking",
    "recommendation": "recommendation",
    "recommendations": "recommendation",
    "recommended": "recommendation",
    "editors picks": "recommendation",
    "editor picks": "recommendation",
    "you may also like": "recommendation",
    "you might also like": "recommendation",
    "picks for you": "recommendation",
    "don t miss": "recommendation",
    "dont miss": "recommendation",
}
_PREFIXES = {"related": "related", "recommend": "recommendation", "ranking": "ranking"}
_FILLER = {
    "stories", "story", "news", "articles", "article", "posts", "content", "links", "reading",
    "for", "you", "items", "list", "headlines", "this", "week", "today", "now", "on", "the",
    "read", "most", "reads",
}  # fmt: skip


def _section_of(line: str) -> str | None:
    """Which headline list a heading line opens, or ``None``."""
    if len(line) > 40:
        return None
    words = re.sub(r"[^\w]+", " ", line.casefold().replace("'", "").replace("’", "")).split()
    if not words or len(words) > 4:
        return None
    phrase = " ".join(words)
    if phrase in _HEADINGS:
        return _HEADINGS[phrase]
    for prefix, name in _PREFIXES.items():
        if words[0].startswith(prefix) and all(w in _FILLER for w in words[1:]):
            return name
    return None


def _like_count(line: str) -> int | None:
    """The figure on a like line ("veryGood! (42341)", "👍 1,204", "123 likes"), or ``None``."""
    if len(line) > 40:
        return None
    match = _LIKE_BEFORE.match(line) or _LIKE_AFTER.match(line)
    if match is None:
        return None
    digits, unit = match.group("num").replace(" ", ""), match.group("unit").lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(unit, 1)
    try:
        if scale > 1:
            return int(float(digits.replace(",", ".")) * scale)
        return int(re.sub(r"\D", "", digits))
    except ValueError:
        return None


_LOOSE_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%B %d, %Y %H:%M",
    "%B %d, %Y",
    "%b %d, %Y %H:%M",
    "%b %d, %Y",
    "%d %B %Y %H:%M",
    "%d %B %Y",
    "%d %b %Y",
)


def parse_loose_date(text: str) -> datetime | None:
    """A date as news pages write it: ISO, RFC 822, "2025/04/13 19:22", "April 13, 2025"."""
    text = clean_line(text).replace("年", "-").replace("月", "-").replace("日", " ").strip()
    if not text or not re.search(r"\d", text):
        return None
    parsed = parse_date(text)
    if parsed is not None:
        return parsed
    for fmt in _LOOSE_FORMATS:
        try:
            return to_utc(datetime.strptime(text, fmt))
        except ValueError:
            continue
    return None


def _date_meta(line: str) -> tuple[str, datetime] | None:
    """("published" | "updated", when) for a labelled date line, else ``None``."""
    match = _DATE_LABEL.match(line)
    if match is None:
        return None
    when = parse_loose_date(match.group("value"))
    if when is None:
        return None
    label = match.group("label").casefold()
    return ("updated" if label in ("updated", "modified") else "published"), when


def _strip_bullet(line: str) -> tuple[str, bool]:
    match = _BULLET.match(line)
    return (line[match.end() :].strip(), True) if match else (line, False)


def _split_tags(value: str) -> list[str]:
    return [t for t in (clean_line(p) for p in re.split(r"[,;，、|]", value)) if t]


def _from_breadcrumb(line: str, title: str | None) -> tuple[str, str]:
    """(category, title) from a breadcrumb such as "Current:Home > ScamsTitle -Site"."""
    segments = [s for s in _CRUMB_SPLIT.split(line) if s][1:]
    if not segments:
        return "", ""
    last = segments[-1]
    if title and title in last:
        head = last[: last.index(title)].strip()
        if head:
            return head, title
        return (segments[-2] if len(segments) > 1 else ""), title
    bare = _SITE_SUFFIX.sub("", last).strip()
    if title is None:
        # No title line: the last crumb holds the title, maybe glued to the category.
        return (segments[-2] if len(segments) > 1 else ""), bare
    camel = _CAMEL_HEAD.match(bare)
    if camel and bare != last:
        return camel.group(1), title
    return bare, title


def _site_of(crumb: str, title: str | None) -> str:
    """The site's name a breadcrumb ends with ("... -EverVision Finance"), or ``""``.

    With a title line, only what follows the title in the last crumb counts; without one,
    the suffix that :func:`_from_breadcrumb` takes off the title.
    """
    segments = [s for s in _CRUMB_SPLIT.split(crumb) if s][1:]
    if not segments:
        return ""
    last = segments[-1]
    if title and title in last:
        last = last[last.index(title) + len(title) :]
        match = re.match(r"^\s*[-|–—]\s*([^-|–—]+)$", last)
        return clean_line(match.group(1)) if match else ""
    match = _SITE_SUFFIX.search(last)
    return clean_line(match.group(0).strip().lstrip("-|–—")) if match else ""


def _lines(text: str) -> list[str]:
    return [clean_line(line) for line in clean_text(text.lstrip("\ufeff")).split("\n")]


def looks_like_page_dump(text: str) -> bool:
    """Whether a text file looks like a page dump rather than plain prose (cheap)."""
    lines = [line for line in _lines(text) if line]
    if not lines:
        return False
    if any(_BREADCRUMB.match(line) for line in lines[:3]):
        return True
    score = 0
    if any(_date_meta(line) for line in lines[:10]):
        score += 1
    if any(_section_of(line) for line in lines):
        score += 1
    if any(_like_count(line) is not None for line in lines):
        score += 1
    return score >= 2


def parse_page_dump(text: str, path_key: str) -> Story | None:
    """Parse a page dump into a story; ``None`` when no title can be found.

    The site's name, when the breadcrumb ends with one, is the story's ``source_title``.

    ``path_key`` is the file's path relative to the source root; the story's key is
    ``"f:" + path_key`` so re-importing the file keeps its state even if the title changes.
    """
    lines = _lines(text)
    crumb: str | None = None
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    author = ""
    tags: list[str] = []
    body: list[str] = []
    popularity: int | None = None
    lists: dict[str, list[str]] = {"related": [], "ranking": [], "recommendation": []}
    state = "header"  # header -> body -> trailer; "section" and "skip" after a heading
    section = ""
    bulleted: bool | None = None

    for index, line in enumerate(lines):
        if not line:
            continue
        if crumb is None and title is None and index < 3 and _BREADCRUMB.match(line):
            crumb = line
            continue
        heading = _section_of(line)
        if heading is not None:
            state, section, bulleted = "section", heading, None
            continue
        count = _like_count(line) if popularity is None else None
        if count is not None:
            popularity = count
            if state == "body":
                state = "trailer"
            continue
        if state == "skip":
            continue
        if state == "section":
            item, has_bullet = _strip_bullet(line)
            if bulleted is None:
                bulleted = has_bullet
            elif bulleted and not has_bullet:
                state = "skip"  # an unknown block (its own heading) follows the list
                continue
            if item and not _FOOTER.match(item):
                lists[section].append(item)
            continue
        if state in ("header", "trailer"):
            if _BOILERPLATE.match(line) or _SOURCE_LABEL.match(line) or _FOOTER.match(line):
                continue
            dated = _date_meta(line)
            if dated is not None:
                if dated[0] == "updated":
                    updated = updated or dated[1]
                else:
                    published = published or dated[1]
                continue
            if match := _AUTHOR_LABEL.match(line):
                author = author or clean_line(match.group("value"))
                continue
            if match := _TAGS_LABEL.match(line):
                tags.extend(_split_tags(match.group("value")))
                continue
            if state == "trailer":
                continue
            if title is None:
                title = line
                continue
            state = "body"
        if state == "body" and not _BOILERPLATE.match(line):
            body.append(line)

    category = site = ""
    if crumb is not None:
        site = _site_of(crumb, title)
        category, crumb_title = _from_breadcrumb(crumb, title)
        title = strip_site_suffix(title or crumb_title, [site])
    if not title:
        return None
    categories = tuple(dict.fromkeys(t for t in (category, *tags) if t))
    summary = body[0] if body else ""
    if len(summary) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 1].rstrip() + "…"
    published = published or updated
    key = "f:" + path_key if path_key else story_key("", "", title, published)
    return Story(
        key=key,
        title=title,
        author=author,
        published=published,
        updated=updated,
        summary=summary,
        content="\n\n".join(body),
        content_type=ContentType.TEXT,
        categories=categories,
        related=tuple(lists["related"]),
        ranking=tuple(lists["ranking"]),
        recommendation=tuple(lists["recommendation"]),
        popularity=popularity,
        source_title=site,
    )


def parse_plain_text(text: str, path_key: str) -> Story | None:
    """A plain text file as a story: the first non-empty line is the title."""
    cleaned = clean_text(text.lstrip("\ufeff")).strip()
    if not cleaned:
        return None
    first, _, rest = cleaned.partition("\n")
    title = clean_line(first)
    if not title:
        return None
    key = "f:" + path_key if path_key else story_key("", "", title, None)
    return Story(key=key, title=title, content=rest.strip(), content_type=ContentType.TEXT)
