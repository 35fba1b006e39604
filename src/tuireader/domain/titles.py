"""Titles and bylines as a reader wants them: no site-name suffix, no e-mail address.

Only a suffix the document itself names as the site's is taken off ("Story | The Courier" on
a page whose site is "The Courier", "Story - Loopback Times" in the feed "Loopback Times"), or
one that every item of a feed of three or more carries; nothing else of a title is touched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from tuireader.domain.text import clean_line

SEPARATORS = (" | ", " - ", " – ", " — ", " :: ")
"""What a site name is set off from the title by."""
SHARED_FROM = 3
"""A suffix every item carries is the feed's only in a feed of at least this many items."""
UNTITLED = "(untitled)"

_SPLIT = re.compile("|".join(re.escape(s) for s in SEPARATORS))
_MAILBOX = r"[^\s@<>()]+@[^\s@<>()]+"
_MAIL_THEN_NAME = re.compile(rf"^\s*<?{_MAILBOX}>?\s*\((?P<name>[^()]+)\)\s*$")
_NAME_THEN_MAIL = re.compile(rf"^\s*(?P<name>[^<>()]+?)\s*[<(]\s*{_MAILBOX}\s*[>)]\s*$")


def fold(name: str) -> str:
    """A name folded for comparing: case, accents, punctuation, spacing and a leading "the"
    ignored ("The Larkfield Courier" and "larkfield courier" fold alike)."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(ch if ch.isalnum() else " " for ch in folded if not unicodedata.combining(ch))
    words = kept.split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def strip_site_suffix(title: str, names: Iterable[str]) -> str:
    """``title`` without a trailing `` | Site`` (any of :data:`SEPARATORS`) whose text is one
    of ``names`` (folded); unchanged when no suffix names the site or nothing would be left."""
    wanted = {f for f in (fold(n) for n in names) if f}
    if not wanted:
        return title
    for match in reversed(list(_SPLIT.finditer(title))):
        head, tail = title[: match.start()].rstrip(), title[match.end() :]
        if head and fold(tail) in wanted:
            return head
    return title


def shared_suffix(titles: Sequence[str]) -> str:
    """The last segment (after a separator) that every title ends with, separator included,
    when there are at least :data:`SHARED_FROM` titles; else ``""``."""
    if len(titles) < SHARED_FROM:
        return ""
    matches = list(_SPLIT.finditer(titles[0]))
    if not matches:
        return ""
    suffix = titles[0][matches[-1].start() :]
    if all(len(t) > len(suffix) and t.endswith(suffix) for t in titles):
        return suffix
    return ""


def tidy_titles(titles: Sequence[str], site_names: Iterable[str]) -> list[str]:
    """A feed's titles without the site name: a suffix naming one of ``site_names`` (the feed's
    title), or one every item shares (see :func:`shared_suffix`)."""
    names = [n for n in site_names if n]
    out = [strip_site_suffix(t, names) for t in titles]
    shared = shared_suffix(out)
    if shared:
        out = [t[: -len(shared)].rstrip() for t in out]
    return out


def person_name(author: str) -> str:
    """A byline's name: "mail@host (Name)" and "Name <mail@host>" become "Name"."""
    match = _MAIL_THEN_NAME.match(author) or _NAME_THEN_MAIL.match(author)
    if match is None:
        return author
    name = match.group("name").strip().strip("\"'").strip()
    return name or author


def display_title(title: str | None) -> str:
    """A title as one printable line, :data:`UNTITLED` when there is nothing to show."""
    return clean_line(title) or UNTITLED
