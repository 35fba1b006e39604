"""The lists beside an article tell the truth: Recommended never lists the open story nor
recommends a story for itself, follows the library as it changes, and ``related`` in the CLI
shows what the app shows, with whole words as reasons."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from apphelpers import NOW, make_app, root_at, workers_done
from test_cli import run
from tuireader.domain.models import Source, SourceKind, Story
from tuireader.domain.terms import surface_words
from tuireader.services.library import Library
from tuireader.ui.widgets.headline_list import HeadlineList
from tuireader.ui.widgets.story_list import StoryList

FERRY = [
    ("liked", "Ferry strike closes the harbour", "Ferry crews strike; the harbour is closed."),
    ("talks", "Ferry strike talks resume at the harbour", "Ferry unions and harbour owners talk."),
    ("ends", "Harbour ferry strike ends", "The ferry strike at the harbour ends after talks."),
    ("apple", "Apple harvest best in a decade", "Orchards report record apples this autumn."),
]


def ferry_library(home: Path) -> Library:
    context = root_at(home)
    library = context.library
    source, _ = library.add_source(
        Source(url="http://coast.example/feed.xml", kind=SourceKind.FEED, title="Coast News")
    )
    # long bodies: opening one does not read it to the end (which would make it "liked")
    tail = "<p>More detail follows in the next paragraph.</p>" * 80
    stories = [
        Story(key=k, title=t, content=f"<p>{b}</p>{tail}", published=NOW - timedelta(hours=n + 1))
        for n, (k, t, b) in enumerate(FERRY)
    ]
    counts = library.store(source, [(s, s.title + " " + s.content) for s in stories], 0)
    context.discovery.index(counts.touched)
    return library


def ids_by_title(library: Library) -> dict[str, int]:
    return {t: library.story(i).id or 0 for t, i in _titles(library).items()}


def _titles(library: Library) -> dict[str, int]:
    from tuireader.domain.query import StoryQuery

    return {s.title: s.id or 0 for s in library.page(StoryQuery(), 50)}


def recommended(app: object) -> list[str]:
    widget = app.screen.query_one("#recommended", StoryList)  # type: ignore[attr-defined]
    return [item.title for item in widget.items if item.note != "from the page"]


async def open_title(app: object, pilot: object, title: str) -> None:
    headlines = app.screen.query_one(HeadlineList)  # type: ignore[attr-defined]
    index = next(i for i in range(headlines.total) if headlines.story_at(i).title == title)
    headlines.cursor = index
    await pilot.press("enter")  # type: ignore[attr-defined]
    await workers_done(app)  # type: ignore[arg-type]
    await pilot.pause()  # type: ignore[attr-defined]


async def toggle_read(app: object, pilot: object, title: str) -> None:
    headlines = app.screen.query_one(HeadlineList)  # type: ignore[attr-defined]
    headlines.cursor = next(
        i for i in range(headlines.total) if headlines.story_at(i).title == title
    )
    app.screen.set_focus(headlines)  # type: ignore[attr-defined]
    await pilot.press("m")  # type: ignore[attr-defined]
    await workers_done(app)  # type: ignore[arg-type]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_recommended_never_lists_the_open_story_and_follows_reading(tmp_path: Path) -> None:
    home = tmp_path
    library = ferry_library(home)
    ids = _titles(library)
    library.mark([ids["Ferry strike closes the harbour"]], starred=True)  # liked, still unread
    app = make_app(home)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_title(app, pilot, "Ferry strike talks resume at the harbour")
        shown = recommended(app)
        assert "Harbour ferry strike ends" in shown
        assert "Ferry strike talks resume at the harbour" not in shown  # the open story
        assert "Ferry strike closes the harbour" not in shown  # the liked story itself
        reasons = app.screen.query_one("#recommended", StoryList).items
        assert reasons and all("“Ferry strike closes the harbour”" in r.detail for r in reasons)
        # marked read from the list: the list follows (nobody tells discovery by hand)
        await toggle_read(app, pilot, "Harbour ferry strike ends")
        assert "Harbour ferry strike ends" not in recommended(app)
        await toggle_read(app, pilot, "Harbour ferry strike ends")
        assert "Harbour ferry strike ends" in recommended(app)
        # opened: it leaves the list
        await open_title(app, pilot, "Harbour ferry strike ends")
        assert "Harbour ferry strike ends" not in recommended(app)


async def test_recommended_leaves_out_the_open_story_before_it_counts_as_read(
    tmp_path: Path,
) -> None:
    home = tmp_path
    library = ferry_library(home)
    library.mark([_titles(library)["Ferry strike closes the harbour"]], starred=True)
    app = make_app(home)
    general = replace(app.session.settings.general, mark_read_delay=60.0)
    app.session.settings = replace(app.session.settings, general=general)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_title(app, pilot, "Harbour ferry strike ends")
        assert not library.story(_titles(library)["Harbour ferry strike ends"]).read
        shown = recommended(app)
        assert "Ferry strike talks resume at the harbour" in shown
        assert "Harbour ferry strike ends" not in shown  # open, though still unread


# related: the page's lists, and reasons in whole words -----------------------------------
COASTAL = "Coastal rail line to reopen after storm repairs finish ahead of schedule"


@pytest.fixture
def samples(tmp_path: Path, isolated_env: dict[str, str]) -> Path:
    """The bundled sample library in the data dir the installed command reads."""
    from test_snapshots import sample_home

    sample_home(tmp_path)  # the env's data dir is tmp_path / "data", as the root's here
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text("[general]\nrefresh_on_start = false\n")
    return tmp_path


async def test_related_in_the_cli_shows_the_lists_the_app_shows(
    isolated_env: dict[str, str], samples: Path
) -> None:
    home = samples
    app = make_app(home)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_title(app, pilot, COASTAL)
        in_app = {
            widget: [
                (item.title, item.story_id)
                for item in app.screen.query_one(f"#{widget}", StoryList).items
                # a page's line that is computed too shows the computed reason, then the page's
                if "from the page" in item.detail
            ]
            for widget in ("related", "ranking", "recommended")
        }
    assert all(in_app.values())  # the page dump gives all three lists
    story_id = next(i for t, i in _titles(root_at(home).library).items() if t == COASTAL)
    out = run(isolated_env, "related", str(story_id))
    assert out.returncode == 0, out.stderr
    assert "Nothing yet" not in out.stdout
    for heading in (
        "Related, from the page:",
        "Ranking, from the page:",
        "Recommendation, from the page:",
    ):
        assert heading in out.stdout
    page = json.loads(run(isolated_env, "related", str(story_id), "--json").stdout)["page"]
    in_cli = {
        widget: [(line["title"], line["id"]) for line in page[name]]
        for widget, name in (
            ("related", "related"),
            ("ranking", "ranking"),
            ("recommended", "recommendation"),
        )
    }
    # the same lines (the app lists the computed ones first, the CLI the page's in its order)
    assert {k: sorted(v) for k, v in in_cli.items()} == {k: sorted(v) for k, v in in_app.items()}


WORD = re.compile(r"[^\W_]+")


def test_every_reason_names_whole_words_of_the_stories(
    isolated_env: dict[str, str], samples: Path
) -> None:
    library = root_at(samples).library
    stories = json.loads(run(isolated_env, "list", "--json", "--limit", "100").stdout)
    reasons = 0
    for story in stories:
        related = json.loads(run(isolated_env, "related", str(story["id"]), "--json").stdout)
        for entry in related["related"]:
            reasons += 1
            # shared words, or (related by meaning alone) the other story's words nearest
            # the open story's meaning: whole words either way
            why = entry["why"]
            prefix = next(
                (p for p in ("shares ", "about the same subject: ") if why.startswith(p)), None
            )
            assert prefix and why != prefix, entry
            words = why.removeprefix(prefix).split(", ")
            text = ""
            for sid in (story["id"], entry["id"]):
                shown = library.story(sid)
                text += " " + " ".join(
                    (shown.title, shown.content, shown.summary, *shown.categories)
                )
            written = set(WORD.findall(text.lower()))
            for word in words:
                assert word.lower() in written, (word, entry)
    assert reasons >= 5


def test_surface_words_are_whole_words() -> None:
    words = surface_words(
        "Politics in Larkfield: volunteers map benches",
        "The politics of McAllister. Volunteers said McAllister mapped every bench.",
    )
    assert words["politic"] == "politics"
    assert words["volunteer"] == "volunteers"
    assert words["larkfield"] == "Larkfield" and words["mcallister"] == "McAllister"


def test_related_reasons_are_words_as_written_not_stems(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("[general]\nrefresh_on_start = false\n")
    items = [
        ("a", "Volunteers count seals in the harbours", "Volunteers counted seals in harbours."),
        ("b", "Harbours report more seals, volunteers say", "Seals return to the harbours."),
        ("c", "Orchards report record apples", "Apples everywhere this autumn."),
    ]
    body = "".join(
        f"<item><title>{t}</title><guid>{g}</guid><description>{d}</description></item>"
        for g, t, d in items
    )
    feed = tmp_path / "coast.xml"
    feed.write_text(f"<rss version='2.0'><channel><title>Coast</title>{body}</channel></rss>")
    assert run(isolated_env, "add", str(feed)).returncode == 0
    stories = {s["title"]: s["id"] for s in json.loads(run(isolated_env, "list", "--json").stdout)}
    related = json.loads(run(isolated_env, "related", str(stories[items[0][1]]), "--json").stdout)[
        "related"
    ]
    assert related and related[0]["id"] == stories[items[1][1]]
    words = related[0]["why"].removeprefix("shares ").split(", ")
    assert set(words) <= {"volunteers", "seals", "harbours", "count"}, words
    assert "seals" in words and "harbours" in words


def _feed(path: Path, title: str, items: list[tuple[str, str, str]]) -> Path:
    body = "".join(
        f"<item><title>{t}</title><guid>{g}</guid><description>{d}</description>"
        "<pubDate>Tue, 01 Dec 2026 08:00:00 GMT</pubDate></item>"
        for g, t, d in items
    )
    path.write_text(f"<rss version='2.0'><channel><title>{title}</title>{body}</channel></rss>")
    return path


def test_related_by_meaning_when_no_word_is_shared(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    """Two different matches share no word but are both sport: the one is related to the
    other, with a reason in whole words; a story carried by two feeds is shown once."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("[general]\nrefresh_on_start = false\n")
    sport = _feed(
        tmp_path / "sport.xml",
        "Sport Desk",
        [
            ("m1", "Striker scores twice as Rovers lift the cup", "A late goal sealed the final."),
            ("t1", "Council approves the new library budget", "Councillors voted on Monday."),
        ],
    )
    other = [
        ("m2", "Sprinter breaks the national record at the championships", "She ran 10.8 s."),
        ("f1", "Frost warning for the valley tonight", "Temperatures will fall below zero."),
        ("p1", "Mayor presents the city's spending plan", "The mayor set out the budget."),
        ("t1b", "Council approves the new library budget | Daily Wire", "Councillors voted."),
        ("t1c", "Council approves the new library budget", "Councillors voted on Monday."),
    ]
    daily = _feed(tmp_path / "daily.xml", "Daily Wire", other)
    for feed in (sport, daily):
        assert run(isolated_env, "add", str(feed)).returncode == 0
    stories = {s["title"]: s["id"] for s in json.loads(run(isolated_env, "list", "--json").stdout)}
    out = run(isolated_env, "related", str(stories["Striker scores twice as Rovers lift the cup"]))
    assert "discovery:" not in out.stderr, out.stderr  # meaning is in use
    related = json.loads(
        run(
            isolated_env,
            "related",
            str(stories["Striker scores twice as Rovers lift the cup"]),
            "--json",
        ).stdout
    )["related"]
    sprinter = stories["Sprinter breaks the national record at the championships"]
    assert related and related[0]["id"] == sprinter, related
    why = related[0]["why"]
    assert why.startswith("about the same subject: "), why
    words = why.removeprefix("about the same subject: ").split(", ")
    assert set(words) <= set(WORD.findall(related[0]["title"])), words
    # one story carried three times (two feeds, one with the site's name after the title,
    # one as another item): shown once beside a story on another subject
    plan = stories["Mayor presents the city's spending plan"]
    beside = json.loads(run(isolated_env, "related", str(plan), "--json").stdout)["related"]
    titles = [r["title"].removesuffix(" | Daily Wire") for r in beside]
    assert titles.count("Council approves the new library budget") == 1, titles
