"""Titles without the site's name, "(untitled)" for none, bylines without e-mail addresses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apphelpers import make_app, root_at, workers_done
from feedserver import FeedServer
from test_cli import run
from tuireader.domain.ids import story_key
from tuireader.domain.models import Source, SourceKind, Story
from tuireader.domain.titles import (
    display_title,
    person_name,
    shared_suffix,
    strip_site_suffix,
    tidy_titles,
)
from tuireader.sources.feedparse import parse_feed
from tuireader.sources.local.htmlpage import parse_html_page
from tuireader.ui.widgets.article_pane import ArticlePane
from tuireader.ui.widgets.headline_list import HeadlineList

TITLES = Path(__file__).parent / "fixtures" / "titles"


def feed(name: str) -> list[Story]:
    return parse_feed((TITLES / name).read_bytes(), "http://loopback.example/feed").stories


@pytest.mark.parametrize("sep", [" | ", " - ", " – ", " — ", " :: "])
def test_a_suffix_naming_the_site_goes_after_every_separator(sep: str) -> None:
    title = f"Harbour tunnel opens early{sep}The Larkfield Courier"
    assert strip_site_suffix(title, ["The Larkfield Courier"]) == "Harbour tunnel opens early"
    assert strip_site_suffix(title, ["larkfield  COURIER"]) == "Harbour tunnel opens early"


def test_real_title_text_stays() -> None:
    site = ["The Larkfield Courier"]
    for title in (
        "Review - The new parking app keeps logging people out",
        "Apples | Oranges",
        "The Larkfield Courier",  # nothing would be left
        "Harbour tunnel opens early | The Larkfield Courier extra",
        "Harbour tunnel opens early-The Larkfield Courier",  # no spaced separator
        "Why The Larkfield Courier changed its masthead",
    ):
        assert strip_site_suffix(title, site) == title
    assert strip_site_suffix("Story | Site", []) == "Story | Site"
    assert strip_site_suffix("Story | Site", [""]) == "Story | Site"


def test_a_suffix_shared_by_every_item_of_three_or_more() -> None:
    three = ["A - Times", "B - part two - Times", "C - Times"]
    assert shared_suffix(three) == " - Times"
    assert tidy_titles(three, []) == ["A", "B - part two", "C"]
    assert shared_suffix(three[:2]) == ""
    assert shared_suffix([*three, "D"]) == ""
    assert shared_suffix([*three, " - Times"]) == ""  # one item would lose everything
    assert tidy_titles(["x - Times", "y - Times", "z - Times"], ["Times"]) == ["x", "y", "z"]


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("desk@northwind.example (Lena Farrow)", "Lena Farrow"),
        ("Lena Farrow <desk@northwind.example>", "Lena Farrow"),
        ('"Lena Farrow" <desk@northwind.example>', "Lena Farrow"),
        ("Lena Farrow (desk@northwind.example)", "Lena Farrow"),
        ("desk@northwind.example", "desk@northwind.example"),
        ("Lena Farrow", "Lena Farrow"),
        ("Lena Farrow (Editor)", "Lena Farrow (Editor)"),
        ("", ""),
    ],
)
def test_person_name(raw: str, name: str) -> None:
    assert person_name(raw) == name


def test_display_title() -> None:
    assert display_title("") == "(untitled)"
    assert display_title(" \x1b\t") == "(untitled)"
    assert display_title("Ferry\nnews") == "Ferry news"


def test_rss_feed_named_suffix_bylines_and_empty_title() -> None:
    stories = feed("loopback-times.xml")
    assert [s.title for s in stories] == [
        "Port 8080 reopens after maintenance",
        "Review - the new packet scheduler",
        "Apples - Oranges",
        "",
    ]
    assert [s.author for s in stories] == [
        "Lena Farrow",
        "Tomas Reyes",
        "night@loopback.example",
        "",
    ]
    assert [s.key for s in stories] == ["lt-1", "lt-2", "lt-3", "lt-4"]


def test_atom_suffix_every_item_shares_and_two_items_are_too_few() -> None:
    assert [s.title for s in feed("shared-suffix.atom")] == [
        "Ping times fall across the city",
        "Router festival draws record crowd",
        "Cable car - the final span is in place",
    ]
    assert [s.title for s in feed("two-items.atom")] == ["Tides - Part two", "Moons - Part two"]


def test_json_feed_suffix_naming_the_feed() -> None:
    assert [s.title for s in feed("named-site.json")] == [
        "Five walks along the old canal",
        "Recipe: smoky lentil stew",
    ]


def test_title_keys_are_made_before_the_suffix_goes() -> None:
    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Times</title>'
        b"<item><title>Port reopens - Loopback Times</title></item></channel></rss>"
    )
    (story,) = parse_feed(data, "http://loopback.example/feed").stories
    assert story.title == "Port reopens"
    assert story.key == story_key("", "", "Port reopens - Loopback Times", None)  # as stored


def test_html_page_suffix_naming_the_site() -> None:
    page = (TITLES / "courier-site-name.html").read_text("utf-8")
    story = parse_html_page(page, "courier.html")
    assert story is not None
    assert story.title == "Harbour tunnel opens two months early"
    assert story.source_title == "The Larkfield Courier"
    assert story.author == "Mira Okonjo"


def test_html_page_title_with_a_dash_is_kept_whole() -> None:
    page = (TITLES / "review-title.html").read_text("utf-8")
    story = parse_html_page(page, "review.html")
    assert story is not None
    assert story.title == "Review - The new parking app keeps logging people out"


def test_html_page_without_extraction_still_loses_the_site_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tuireader.sources.local import htmlpage

    monkeypatch.setattr(htmlpage, "_extract", lambda page: None)  # no trafilatura document
    page = Path(__file__).parents[1] / "src/tuireader/assets/library/pages/harbour-tunnel.html"
    story = parse_html_page(page.read_text("utf-8"), "harbour-tunnel.html")
    assert story is not None
    assert story.title == "Harbour tunnel opens two months early"
    assert story.source_title == "The Larkfield Courier"


def test_cli_titles_and_authors_on_a_loopback_feed(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    url = feed_server.add("/lt.xml", (TITLES / "loopback-times.xml").read_bytes())
    added = run(isolated_env, "add", url)
    assert added.returncode == 0, added.stderr
    listed = run(isolated_env, "list").stdout
    assert "Port 8080 reopens after maintenance  (" in listed
    assert "Review - the new packet scheduler  (" in listed
    assert "| Loopback Times" not in listed and "- Loopback Times" not in listed
    assert "(untitled)" in listed
    stories = json.loads(run(isolated_env, "list", "--json").stdout)
    untitled = [s for s in stories if s["title"] == ""]  # JSON keeps the raw, empty title
    assert len(untitled) == 1
    shown = run(isolated_env, "show", str(untitled[0]["id"])).stdout
    assert shown.startswith("# (untitled)\n")
    first = next(s for s in stories if s["title"].startswith("Port 8080"))
    assert first["author"] == "Lena Farrow"
    assert "Author: Lena Farrow\n" in run(isolated_env, "show", str(first["id"])).stdout


async def test_app_shows_untitled_for_an_empty_title(tmp_path: Path) -> None:
    home = tmp_path
    context = root_at(home)
    source, _ = context.library.add_source(Source(url="http://lt.example/f", kind=SourceKind.FEED))
    context.library.store(source, [(Story(key="e1", title="", content="<p>body</p>"), "")], 0)
    context.close()
    app = make_app(home)
    async with app.run_test(size=(140, 40)) as pilot:
        await workers_done(app)
        headlines = app.screen.query_one(HeadlineList)
        assert headlines.total == 1
        assert headlines.render_text(0).plain == "(untitled)"
        await pilot.press("enter")
        await workers_done(app)
        await pilot.pause()
        header = app.screen.query_one("#article-header").render()
        assert str(header).startswith("(untitled)")
        assert app.screen.query_one(ArticlePane).story is not None
