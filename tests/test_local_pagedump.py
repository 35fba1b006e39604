"""Page dumps: the plain-text news page layout and its many variants."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tuireader.domain.models import ContentType
from tuireader.sources.local.pagedump import (
    looks_like_page_dump,
    parse_loose_date,
    parse_page_dump,
    parse_plain_text,
)

FIXTURES = Path(__file__).parent / "fixtures" / "local"
REPO = Path(__file__).resolve().parent.parent
SAMPLE_NAME = "000_b0af3b7295f0ef33.txt"


def shared_sample() -> Path:
    """The sample page dump in ``shared/samples``, which lies beside the repository.

    In a git worktree the repository's main checkout is asked too: ``shared/`` lies beside it.
    """
    roots = [REPO]
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # no git: only the plain layout is looked at
        found = None
    if found is not None and found.returncode == 0 and found.stdout.strip():
        roots.append(Path(found.stdout.strip()).parent)
    candidates = [root.parent / "shared" / "samples" / SAMPLE_NAME for root in roots]
    return next((c for c in candidates if c.is_file()), candidates[0])


SHARED_SAMPLE = shared_sample()

BASIC = """\
Current:Home > WeatherHail closes mountain pass for a day -Fictional Daily
Hail closes mountain pass for a day
View
Date:2026-01-05 06:30:00
First paragraph about the hail.
Second paragraph about the road.
veryGood! (512)
Related
- Snow ploughs ordered early
- Bus routes change for winter
Ranking
- Snow ploughs ordered early
- Ski season opens
Recommendation
Ski season opens
Ski season opens
"""


def test_basic_layout() -> None:
    story = parse_page_dump(BASIC, "news/hail.txt")
    assert story is not None
    assert story.key == "f:news/hail.txt"
    assert story.title == "Hail closes mountain pass for a day"
    assert story.published == datetime(2026, 1, 5, 6, 30, tzinfo=UTC)
    assert story.categories == ("Weather",)
    assert story.content == "First paragraph about the hail.\n\nSecond paragraph about the road."
    assert story.content_type is ContentType.TEXT
    assert story.popularity == 512
    assert story.related == ("Snow ploughs ordered early", "Bus routes change for winter")
    assert story.ranking == ("Snow ploughs ordered early", "Ski season opens")
    assert story.recommendation == ("Ski season opens", "Ski season opens")
    assert looks_like_page_dump(BASIC)


def test_key_is_stable_when_title_is_edited() -> None:
    edited = BASIC.replace("Hail closes mountain pass for a day\n", "Hail closes pass\n")
    first = parse_page_dump(BASIC, "a/b.txt")
    second = parse_page_dump(edited, "a/b.txt")
    assert first is not None and second is not None
    assert first.key == second.key == "f:a/b.txt"
    assert second.title == "Hail closes pass"


def test_variant_fixture_headings_reordered_and_reworded() -> None:
    story = parse_page_dump((FIXTURES / "variant_dump.txt").read_text("utf-8"), "variant.txt")
    assert story is not None
    assert story.title == "Harvest festival moves indoors after week of rain"
    assert story.categories == ("Community", "festival", "weather")
    assert story.author == "Dana Whitlock"
    assert story.published == datetime(2026, 9, 26, tzinfo=UTC)
    assert story.popularity == 1204
    assert story.content.split("\n\n") == [
        "The annual harvest festival will be held in the exhibition hall this year.",
        "Organisers said the field was too wet for stalls and tractors.",
    ]
    assert story.ranking == ("Market hall roof repaired", "Apple press returns")
    assert story.related == ("Rain breaks September record",)
    assert story.recommendation == ("Pumpkin contest rules", "Choir needs tenors")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("veryGood! (42341)", 42341),
        ("good!(33)", 33),
        ("Likes: 120", 120),
        ("👍 1,204", 1204),
        ("123 likes", 123),
        ("Likes (7)", 7),
        ("❤️ 2.5k", 2500),
    ],
)
def test_like_wordings(line: str, expected: int) -> None:
    text = f"Title here\nDate: 2026-02-02\nBody line.\n{line}\nRelated\n- Other\n"
    story = parse_page_dump(text, "x.txt")
    assert story is not None
    assert story.popularity == expected
    assert story.content == "Body line."


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("RELATED", "related"),
        ("  related stories  ", "related"),
        ("Related:", "related"),
        ("Recommended", "recommendation"),
        ("Recommended for you", "recommendation"),
        ("Most read", "ranking"),
        ("Ranking", "ranking"),
        ("MOST POPULAR", "ranking"),
    ],
)
def test_heading_wordings(heading: str, field: str) -> None:
    text = f"A title\nDate: 2026-03-03\nBody.\n{heading}\n- Item one\n- Item two\n"
    story = parse_page_dump(text, "x.txt")
    assert story is not None
    assert getattr(story, field) == ("Item one", "Item two")
    assert story.content == "Body."


def test_sections_missing_and_no_date() -> None:
    text = "Current:Home > World > Quiet day at the summit -Site\nQuiet day at the summit\n"
    text += "View\nNothing much happened.\nDelegates went home early.\n"
    story = parse_page_dump(text, "q.txt")
    assert story is not None
    assert story.published is None
    assert story.categories == ("World",)
    assert story.related == story.ranking == story.recommendation == ()
    assert story.popularity is None
    assert story.content == "Nothing much happened.\n\nDelegates went home early."


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Date: 2025-04-13", datetime(2025, 4, 13, tzinfo=UTC)),
        ("Published: 2025-04-13T10:00:00Z", datetime(2025, 4, 13, 10, tzinfo=UTC)),
        ("Posted on April 13, 2025", datetime(2025, 4, 13, tzinfo=UTC)),
        ("Date:2025/04/13 19:22", datetime(2025, 4, 13, 19, 22, tzinfo=UTC)),
    ],
)
def test_date_formats(line: str, expected: datetime) -> None:
    story = parse_page_dump(f"Some title\n{line}\nBody text.\n", "d.txt")
    assert story is not None
    assert story.published == expected
    assert story.content == "Body text."


def test_boilerplate_is_not_body() -> None:
    text = "Current:Home > TechGadget recall -Site\nGadget recall\nView\nShare\nDate:2026-01-01\n"
    text += "Real body.\nAdvertisement\nMore body.\n"
    story = parse_page_dump(text, "g.txt")
    assert story is not None
    assert story.content == "Real body.\n\nMore body."
    assert "View" not in story.content and "Current:" not in story.content
    assert story.categories == ("Tech",)


def test_unsafe_characters_are_stripped() -> None:
    story = parse_page_dump("Bad\x1b[31m title\u202e\nDate: 2026-01-01\nBody\x07.\n", "u.txt")
    assert story is not None
    assert story.title == "Bad title"  # the escape sequence goes whole
    assert story.content == "Body."


def test_no_title_gives_none() -> None:
    assert parse_page_dump("", "e.txt") is None
    assert parse_page_dump("\n\nView\n\n", "e.txt") is None


def test_title_from_breadcrumb_when_no_title_line() -> None:
    story = parse_page_dump("Current:Home > Sport > Late goal wins the cup -Site\n", "b.txt")
    assert story is not None
    assert story.title == "Late goal wins the cup"
    assert story.categories == ("Sport",)


def test_looks_like_page_dump_rejects_prose() -> None:
    prose = "Shopping list\nApples\nMilk\n\nRemember to call the plumber on Tuesday.\n"
    assert not looks_like_page_dump(prose)
    assert not looks_like_page_dump("")
    assert looks_like_page_dump("Title\nDate: 2026-01-01\nBody\nLikes: 4\n")


def test_plain_text_story() -> None:
    story = parse_plain_text("\ufeffMy notes\n\nLine one.\nLine two.\n", "notes.txt")
    assert story is not None
    assert story.key == "f:notes.txt"
    assert story.title == "My notes"
    assert story.content == "Line one.\nLine two."
    assert parse_plain_text("  \n", "e.txt") is None


def test_loose_dates() -> None:
    assert parse_loose_date("13 April 2025") == datetime(2025, 4, 13, tzinfo=UTC)
    assert parse_loose_date("soon") is None


def test_shared_sample_facts() -> None:
    if not SHARED_SAMPLE.is_file():
        if os.environ.get("CI"):  # CI lays shared/ beside its clone: it must be found there
            pytest.fail(f"shared sample not found at {SHARED_SAMPLE}")
        pytest.skip(f"shared sample not present at {SHARED_SAMPLE}")
    story = parse_page_dump(SHARED_SAMPLE.read_text("utf-8"), SHARED_SAMPLE.name)
    assert story is not None
    assert story.title == (
        "Putin accepts invitation to visit China in October after meeting "
        "Chinese foreign minister in Moscow"
    )
    assert story.published == datetime(2025, 4, 13, 19, 22, 34, tzinfo=UTC)
    assert story.categories == ("Scams",)
    assert story.content_type is ContentType.TEXT
    paragraphs = story.content.split("\n\n")
    assert paragraphs[0].startswith("MOSCOW (AP) —")
    assert paragraphs[-1].endswith("initially announced in July.")
    assert len(paragraphs) == 9
    assert all(p not in ("View",) and not p.startswith("Current:") for p in paragraphs)
    assert story.popularity == 42341
    assert len(story.related) == 10
    assert len(story.ranking) == 8
    assert len(story.recommendation) == 8
    assert story.related[0] == (
        "SFO's new sensory room helps neurodivergent travelers fight flying jitters"
    )
    assert story.ranking[-1] == story.related[7]
    assert story.recommendation[1] == story.recommendation[6]
    assert story.recommendation[-1].startswith("NCAA committee face threats")
    assert story.key == "f:" + SHARED_SAMPLE.name
    assert looks_like_page_dump(SHARED_SAMPLE.read_text("utf-8"))


@pytest.mark.parametrize(
    ("text", "site"),
    [
        ((FIXTURES / "evervision_dump.txt").read_text("utf-8"), "EverVision Finance"),
        (BASIC, "Fictional Daily"),
        ("Current:Home > Sport > Late goal wins the cup -Site\n", "Site"),
        ("Current:Home > World\nRiver rises after a week of rain\nBody.\n", ""),
        ("Current:Home > WorldRiver rises - again\nRiver rises - again\nBody.\n", ""),
    ],
    ids=["fixture", "basic", "crumb-only", "no-site", "dash-in-title"],
)
def test_site_name_from_the_breadcrumb(text: str, site: str) -> None:
    story = parse_page_dump(text, "dump.txt")
    assert story is not None
    assert story.source_title == site
    assert site == "" or site not in story.title
