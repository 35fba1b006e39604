"""Every figure is true: trending looks only at its window, an age is the story's age, an
undated story goes by when it was first seen (and says so), a future date shows as a date."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from apphelpers import NOW, make_app, root_at, workers_done
from test_cli import run
from tuireader.config.settings import Settings
from tuireader.domain.dates import age_words, short_age, story_age
from tuireader.domain.models import Source, SourceKind, Story
from tuireader.domain.query import StoryQuery
from tuireader.services.library import Library
from tuireader.storage.database import connect, open_database
from tuireader.storage.migrations import migrate
from tuireader.ui.widgets.headline_list import HeadlineList
from tuireader.ui.widgets.story_list import StoryList


def feed(items: list[tuple[str, datetime | None]]) -> str:
    body = ""
    for title, when in items:
        date = f"<pubDate>{format_datetime(when)}</pubDate>" if when else ""
        body += (
            f"<item><title>{title}</title><guid>{title}</guid>{date}"
            f"<description>{title} in the harbour town, said the harbour master.</description>"
            "</item>"
        )
    return f"<rss version='2.0'><channel><title>Times</title>{body}</channel></rss>"


def add_feed(env: dict[str, str], tmp_path: Path, items: list[tuple[str, datetime | None]]) -> Path:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text("[general]\nrefresh_on_start = false\n")
    path = tmp_path / "times.xml"
    path.write_text(feed(items))
    added = run(env, "add", str(path))
    assert added.returncode == 0, added.stderr
    return path


# trending: its window, and true ages --------------------------------------------------------
def test_trending_of_a_library_with_nothing_recent_is_empty_and_says_so(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    add_feed(isolated_env, tmp_path, [("Three weeks old", now - timedelta(weeks=3))])
    assert json.loads(run(isolated_env, "trending", "--json").stdout) == []
    out = run(isolated_env, "trending").stdout
    assert "Nothing in the last 48 hours." in out and "0h old" not in out


def test_trending_ages_are_the_stories_ages(isolated_env: dict[str, str], tmp_path: Path) -> None:
    now = datetime.now(UTC)
    add_feed(
        isolated_env,
        tmp_path,
        [
            ("Five hours old", now - timedelta(hours=5, minutes=10)),
            ("Three weeks old", now - timedelta(weeks=3)),
        ],
    )
    trending = json.loads(run(isolated_env, "trending", "--json").stdout)
    assert [t["title"] for t in trending] == ["Five hours old"]
    assert trending[0]["why"].startswith("1 source · 5h old")


def test_first_run_trending_ages_are_true(isolated_env: dict[str, str]) -> None:
    trending = json.loads(run(isolated_env, "trending", "--json").stdout)  # the sample library
    stories = {
        s["id"]: s for s in json.loads(run(isolated_env, "list", "--json", "--limit", "500").stdout)
    }
    now = datetime.now(UTC)
    for entry in trending:
        story = stories[entry["id"]]
        age = entry["why"].split(" · ")[1]
        if story["published"] is None:
            assert age.startswith("first seen"), entry
            continue
        hours = (now - datetime.fromisoformat(story["published"])).total_seconds() / 3600
        assert age == f"{hours:.0f}h old" and hours <= 48, entry


def _library_at(home: Path, stories: list[Story]) -> Library:
    context = root_at(home)
    library = context.library
    source, _ = library.add_source(
        Source(url="http://times.example/feed.xml", kind=SourceKind.FEED, title="Times")
    )
    counts = library.store(source, [(s, s.title + " " + s.content) for s in stories], 0)
    context.discovery.index(counts.touched)
    return library


def _story(key: str, title: str, when: datetime | None) -> Story:
    return Story(key=key, title=title, published=when, content=f"<p>{title} at the quay.</p>")


async def _ranking_after_open(home: Path) -> StoryList:
    app = make_app(home)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("G", "enter")  # the oldest: a list never shows the open story itself
        await workers_done(app)
        await pilot.pause()
        return app.screen.query_one("#ranking", StoryList)


async def test_the_apps_ranking_looks_only_at_its_window(tmp_path: Path) -> None:
    home = tmp_path
    _library_at(
        home,
        [
            _story("old", "Ferry strike three weeks ago", NOW - timedelta(weeks=3)),
            _story("new", "Ferry strike ends", NOW - timedelta(hours=5)),
        ],
    )
    ranking = await _ranking_after_open(home)
    assert [(r.title, r.note) for r in ranking.items] == [
        ("Ferry strike ends", "1 source · 5h old")
    ]


async def test_the_apps_ranking_says_when_nothing_is_recent(tmp_path: Path) -> None:
    home = tmp_path
    _library_at(home, [_story("old", "Ferry strike three weeks ago", NOW - timedelta(weeks=3))])
    ranking = await _ranking_after_open(home)
    assert ranking.items == []
    assert ranking.border_subtitle == "nothing in the last 48 h"


# undated stories: first seen ---------------------------------------------------------------
def test_an_undated_story_keeps_the_time_it_was_first_seen(tmp_path: Path) -> None:
    clock = [NOW.timestamp() - 3 * 3600]
    conn, _ = open_database(tmp_path / "t.db")
    library = Library(conn, Settings(), clock=lambda: clock[0])
    source, _ = library.add_source(Source(url="http://t.example/f", kind=SourceKind.FEED))
    undated = Story(key="u", title="Undated notice", content="first text")
    dated = Story(key="d", title="Dated story", published=NOW - timedelta(hours=2))
    library.store(source, [(undated, ""), (dated, "")], 0)
    clock[0] = NOW.timestamp()  # three hours later the undated story changes
    undated.content = "changed text"
    counts = library.store(source, [(undated, ""), (dated, "")], 0)
    assert counts.changed == 1
    titles = [s.title for s in library.page(StoryQuery(), 10)]
    assert titles == ["Dated story", "Undated notice"]  # it did not jump to the top
    shown = library.page(StoryQuery(), 10)[1]
    assert shown.first_seen == NOW - timedelta(hours=3) and shown.published is None
    assert story_age(shown.dated, shown.first_seen, NOW) == "~3h"


def test_undated_stories_say_first_seen_in_list_and_show(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    add_feed(isolated_env, tmp_path, [("An undated notice", None)])
    listed = run(isolated_env, "list")
    assert "An undated notice  (first seen now)" in listed.stdout, listed.stdout
    data = json.loads(run(isolated_env, "list", "--json").stdout)[0]
    assert data["published"] is None and data["first_seen"]
    shown = run(isolated_env, "show", str(data["id"])).stdout
    assert "Date: undated, first seen " in shown


async def test_the_app_marks_an_undated_story_with_its_first_seen_age(tmp_path: Path) -> None:
    home = tmp_path
    library = _library_at(home, [])
    source = library.sources()[0]
    library._stories.clock = lambda: NOW.timestamp() - 3 * 3600
    library.store(source, [(_story("u", "Undated notice", None), "")], 0)
    app = make_app(home)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        headlines = app.screen.query_one(HeadlineList)
        story = headlines.story_at(0)
        assert story is not None and story.title == "Undated notice"
        line = headlines._line(story, False, 100, headlines.rich_style).text
        assert line.rstrip().endswith("~3h")
        await pilot.press("enter")
        await workers_done(app)
        await pilot.pause()
        header = str(app.screen.query_one("#article-header").render())
        assert "undated, first seen 2026-11-20 09:00 UTC" in header


# future dates: the date, not "now" ----------------------------------------------------------
def test_a_future_date_shows_as_the_date() -> None:
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert short_age(now + timedelta(days=5), now) == "11-25"
    assert short_age(now + timedelta(days=90), now) == "2027"
    assert short_age(now + timedelta(minutes=2), now) == "now"  # a server's clock skew
    assert short_age(now - timedelta(hours=3), now) == "3h"
    assert age_words(now + timedelta(days=5), None, now) == "2026-11-25"


def test_the_cli_shows_a_future_date_as_the_date(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    ahead = datetime.now(UTC) + timedelta(days=400)
    add_feed(isolated_env, tmp_path, [("From the future", ahead)])
    listed = run(isolated_env, "list").stdout
    assert f"From the future  ({ahead:%Y-%m-%d})" in listed, listed


# the migration ------------------------------------------------------------------------------
@pytest.mark.parametrize("start", range(1, 7))  # the versions before step 7 made the fix
def test_upgrade_gives_undated_stories_their_first_seen_time(tmp_path: Path, start: int) -> None:
    path = tmp_path / "old.db"
    conn = connect(path)
    migrate(conn, target=start)
    conn.execute("INSERT INTO sources (id, url, kind, added_at) VALUES (1, 'http://o/', 'feed', 0)")
    # an undated story first seen at 5000, moved to 9000 by a later change; a dated one
    conn.execute(
        "INSERT INTO stories (source_id, key, title, sort_time, fetched_at)"
        " VALUES (1, 'u', 'Undated', 9000, 5000)"
    )
    conn.execute(
        "INSERT INTO stories (source_id, key, title, published, sort_time, fetched_at)"
        " VALUES (1, 'd', 'Dated', 7000, 7000, 8000)"
    )
    conn.commit()
    conn.close()
    conn, _ = open_database(path)
    rows = dict(conn.execute("SELECT key, sort_time FROM stories").fetchall())
    assert rows == {"u": 5000, "d": 7000}
    assert [s.title for s in Library(conn, Settings()).page(StoryQuery(), 5)] == [
        "Dated",
        "Undated",
    ]


async def test_the_app_shows_a_future_date_as_the_date(tmp_path: Path) -> None:
    home = tmp_path
    _library_at(home, [_story("f", "Dated next week", NOW + timedelta(days=5))])
    app = make_app(home)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        headlines = app.screen.query_one(HeadlineList)
        story = headlines.story_at(0)
        assert story is not None and story.title == "Dated next week"
        line = headlines._line(story, False, 100, headlines.rich_style).text
        assert line.rstrip().endswith("11-25"), line
