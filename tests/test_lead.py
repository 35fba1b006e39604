"""What carries a story's meaning: an outlet's dressing neither makes nor breaks a match."""

from __future__ import annotations

import pytest

from tuireader.domain.lead import (
    body_of,
    discovery_title,
    lead,
    meaning_text,
    strip_boilerplate,
    without_names,
)
from tuireader.domain.models import ContentType
from tuireader.domain.plain_text import story_text
from tuireader.domain.terms import term_counts


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Quake shakes Lornaby before dawn | Harbor Gazette", "Quake shakes Lornaby before dawn"),
        ("Quake shakes Lornaby - Valley Wire", "Quake shakes Lornaby"),
        ("Rates rise to 5% — The Daily Post | News", "Rates rise to 5%"),
        (
            "LIVE: Storm Idris hits the coast as winds rise",
            "Storm Idris hits the coast as winds rise",
        ),
        ("Sport | Harrowgate win the Westland Cup final", "Harrowgate win the Westland Cup final"),
        ("[Video] Crowds greet the marathon winner", "Crowds greet the marathon winner"),
        # kept whole: the part after the dash is the title's own words, or nothing is left
        ("Fed raises rates - what it means for you", "Fed raises rates - what it means for you"),
        ("Storm - live", "Storm - live"),
        ("Jean-Paul wins - again and again", "Jean-Paul wins - again and again"),
        ("Mayor wins runoff", "Mayor wins runoff"),
        ("Live: Updates", "Live: Updates"),
    ],
)
def test_discovery_title_drops_what_an_outlet_adds(title: str, expected: str) -> None:
    assert discovery_title(title) == expected


def test_strip_boilerplate_keeps_the_story_only() -> None:
    body = (
        "LONDON (Reuters) - The central bank raised rates by half a point. Sign up for our"
        " newsletter to get the news first. The post Rates rise appeared first on Metro"
        " Daily. Continue reading..."
    )
    assert strip_boilerplate(body) == "The central bank raised rates by half a point."
    assert strip_boilerplate("Floods swamp the valley.") == "Floods swamp the valley."
    assert lead("one two three four five", words=3) == "one two three"


def test_without_names_keeps_what_kind_of_story() -> None:
    text = "Kellsport elects first woman mayor. Voters chose Priya Anand-Holt with 52% of votes."
    assert without_names(text) == "Kellsport elects first woman mayor. Voters chose with of votes."


def test_meaning_text_of_a_brief_that_repeats_its_title() -> None:
    brief = meaning_text("Quake hits the town | Wire", "Quake hits the town. Homes damaged.")
    assert brief == "Quake hits the town. Homes damaged."


def test_body_of_an_indexed_text() -> None:
    indexed = story_text("Title", "<p>Body words</p>", ContentType.HTML, ("Sport",))
    assert body_of(indexed) == "Body words"
    assert body_of("no lines at all") == "no lines at all"


def _terms(title: str, body: str, sections: tuple[str, ...]) -> set[str]:
    indexed = story_text(title, body, ContentType.TEXT, sections)
    return set(term_counts(title, indexed, sections))


def test_an_outlets_dressing_neither_makes_nor_breaks_a_match() -> None:
    body = "The river burst its banks overnight and rescuers moved families to higher ground."
    plain = _terms("River floods the valley", body, ())
    dressed = _terms(
        "LIVE: River floods the valley | Valley Wire",
        body + " Continue reading... The post River floods appeared first on Valley Wire.",
        ("Weather", "Valley Wire"),
    )
    assert dressed == plain  # breaks nothing
    other = _terms(
        "Council approves a new library | Valley Wire",
        "The council voted to build a library beside the park. Continue reading...",
        ("Weather", "Valley Wire"),
    )
    assert not other & dressed  # and makes nothing: no shared section, suffix or furniture
