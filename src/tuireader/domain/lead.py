"""What carries a story's meaning, free of one outlet's habits.

An outlet dresses its stories the same way every time: a site name after the title
(" | The Courier", " - Valley Wire"), a section or label before it ("Sport |", "LIVE:"),
a dateline, credits and a "read more" line around the body. None of that says what the story
is about, and none of it is shared by another outlet's version of the same event, so
discovery reads a story through :func:`discovery_title` and :func:`lead` only: its own title
and the first sentences of its own words.
"""

from __future__ import annotations

import re

LEAD_WORDS = 60
"""What an event is about is said first: the title and about this many words of the body."""

_SUFFIX = re.compile(r"\s+(?:\||::|·|[-–—])\s+(?P<tail>[^|·:\-–—]{1,40})$")
_NAME_WORD = re.compile(r"^(?:[A-Z0-9][\w'’.&]*|of|the|and|on|de|la|&)$")
_LABEL = re.compile(
    r"^\s*(?:\[[^\]]{1,24}\]|(?:live|breaking|update[d]?|watch|video|analysis|opinion|"
    r"exclusive|explainer|comment|podcast|in pictures|photos|listen|latest|just in|"
    r"news|brief|in brief)\b\s*(?:\d+\s*)?[:|–—-])\s*",
    re.I,
)
_SECTION_PREFIX = re.compile(r"^\s*(?P<head>[A-Za-z][\w&’' ]{0,24}?)\s*\|\s+(?=\S)")

_END = r"(?:\.+|…|$)"
_FURNITURE: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (triggers, re.compile(pattern, re.I))
    for triggers, pattern in (
        (("appeared first",), rf"the post .{{1,200}}? appeared first on [^.]{{1,120}}{_END}"),
        (
            ("continue reading", "read more", "click here"),
            rf"(?:continue reading|read more|click here to read more)\b[^.]{{0,80}}{_END}",
        ),
        (("read the full",), rf"read the full (?:story|article)\b[^.]{{0,80}}{_END}"),
        (("sign up",), rf"sign up (?:for|to) (?:our|the)\b[^.]{{0,100}}{_END}"),
        (("newsletter",), rf"subscribe (?:to|for)\b[^.]{{0,100}}newsletter[^.]{{0,40}}{_END}"),
        (
            ("copyright", "credit", "caption"),
            rf"(?:image|photo|picture|video)\s*(?:copyright|credit|caption)\b[^.]{{0,80}}{_END}",
        ),
        (("copyright",), rf"\bcopyright\s+©?\s*\d{{4}}[^.]{{0,60}}{_END}"),
        (("©",), rf"©\s*\d{{4}}[^.]{{0,60}}{_END}"),
        (("rights reserved",), r"all rights reserved\.?"),
        (
            ("share this", "share on"),
            r"share (?:this|on) (?:story|article|facebook|twitter|x)\b[^.]{0,40}",
        ),
        (("follow us",), rf"follow us on [^.]{{0,60}}{_END}"),
        (("updated",), rf"this (?:story|article) (?:was|has been) updated\b[^.]{{0,80}}{_END}"),
        (("advertisement",), r"\badvertisement\b"),
    )
)
"""An outlet's furniture, each pattern with the words without which it cannot match (most
bodies hold none of them, and are never searched)."""
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z .,'’-]{1,40}|[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}),?\s*"
    r"(?:\([A-Za-z .]{1,30}\)\s*)?[-–—:]\s+(?=[A-Z])"
)
_DIGIT = re.compile(r"\d")
_AGENCY = re.compile(r"^\s*\((?:AP|AFP|Reuters|PA|dpa|Bloomberg|UPI)\)\s*[-–—:]?\s*", re.I)


def _looks_like_a_name(tail: str) -> bool:
    """A site name or section: a few words, each capitalised (or a joining word)."""
    words = tail.split()
    return 1 <= len(words) <= 5 and all(_NAME_WORD.match(w) for w in words)


def discovery_title(title: str) -> str:
    """A title without what any outlet adds to all its titles: a trailing site or section
    name after a separator (" | Site", " - Site", " — Site"), a label or a section before
    it ("LIVE:", "Sport |", "[Video]"). The title is kept whole when nothing would be left
    of it, or when the trailing part reads as words of the title rather than a name.
    """
    out = title.strip()
    for _ in range(3):  # "Story - Section | Site"
        match = _SUFFIX.search(out)
        if match is None or not _looks_like_a_name(match.group("tail").strip()):
            break
        head = out[: match.start()].rstrip()
        if len(head.split()) < 2:
            break
        out = head
    for _ in range(2):
        label = _LABEL.match(out)
        if label and len(out[label.end() :].split()) >= 3:
            out = out[label.end() :]
            continue
        section = _SECTION_PREFIX.match(out)
        if (
            section
            and _looks_like_a_name(section.group("head"))
            and len(out[section.end() :].split()) >= 3
        ):
            out = out[section.end() :]
            continue
        break
    return out.strip()


def strip_boilerplate(body: str) -> str:
    """A body without an outlet's furniture: a dateline or agency tag before the first
    sentence ("LONDON (Reuters) -"), "The post … appeared first on …", "Continue reading",
    newsletter and sharing prompts, picture credits and copyright lines."""
    text = _AGENCY.sub("", body)
    dateline = _DATELINE.match(text)
    if dateline and dateline.end() < 60:
        text = _AGENCY.sub("", text[dateline.end() :])
    lower = text.lower()
    for triggers, pattern in _FURNITURE:
        if any(word in lower for word in triggers):
            text = pattern.sub(" ", text)
    return " ".join(text.split())


def lead(body: str, words: int = LEAD_WORDS) -> str:
    """The first ``words`` words of a body, its furniture taken off."""
    # furniture is cut first, from a generous prefix only (a word is rarely 12 characters)
    return " ".join(strip_boilerplate(body[: words * 12 + 400]).split()[:words])


def body_of(indexed: str) -> str:
    """The body of a story's indexed text (``title \\n sections \\n body``, see
    :func:`tuireader.domain.plain_text.story_text`); a text without those lines is all body."""
    parts = indexed.split("\n", 2)
    return parts[2] if len(parts) == 3 else indexed


_SENTENCE_START = (".", "!", "?", ":", ";", "—", "–", "-", '"', "“")


def without_names(text: str) -> str:
    """The text without its names and figures: capitalised words inside a sentence and
    words holding a digit. What is left says what kind of story it is (a match, a quake, a
    merger): the names and numbers say which one, and the words' side compares those."""
    kept: list[str] = []
    previous = ""
    for word in text.split():
        inside = bool(previous) and not previous.endswith(_SENTENCE_START)
        if not (inside and word[:1].isupper()) and not _DIGIT.search(word):
            kept.append(word)
        previous = word
    return " ".join(kept)


def meaning_text(title: str, body: str, words: int = LEAD_WORDS) -> str:
    """What a story is embedded by: its own title and lead, nothing an outlet adds, and
    without names and figures (:func:`without_names`). Sections are left out: one outlet
    files a match under "Sport", another under "Football", a third under nothing at all."""
    head = discovery_title(title)
    text = lead(body, words)
    if head and text.startswith(head):  # a brief whose body repeats its title
        text = text[len(head) :].lstrip(" .:-–—")
    whole = f"{head}. {text}".lstrip(" .") if text else head
    return without_names(whole) or whole
