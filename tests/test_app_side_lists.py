"""The lists beside the article: each story once, every word shown, a sign that more lines
follow, a line the library does not hold, and a reason for every line."""

from __future__ import annotations

import contextlib
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Input

from apphelpers import NOW, build_library, database, make_app, notes_of, settle, workers_done
from tuireader.domain.models import Story
from tuireader.services.discovery import Discovery
from tuireader.storage.database import connect
from tuireader.storage.discovery_repo import DiscoveryRepo
from tuireader.ui.main_screen import MainScreen
from tuireader.ui.widgets.story_list import ListLine, StoryList, merged

SIZE = (140, 40)


def add_story(home: Path, story: Story, source_name: str = "Harbor Gazette") -> None:
    library = build_library(home)
    source = next(s for s in library.sources() if s.name == source_name)
    counts = library.store(source, [(story, story.title + " " + story.content)], 0)
    with contextlib.closing(connect(database(home))) as conn:
        Discovery(DiscoveryRepo(conn)).index(counts.touched)
    library.close()


async def open_titled(pilot: object, title: str) -> MainScreen:
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, MainScreen)
    hl = screen.headlines
    index = next(i for i in range(hl.total) if hl.story_at(i).title == title)  # type: ignore[union-attr]
    hl.move_to(index)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)
    return screen


def test_merged_keeps_the_first_of_each_story_and_both_reasons() -> None:
    computed = [ListLine("A", 1, "shares x", "Desk: shares x"), ListLine("B", 2, "", "Desk: y")]
    page = [
        ListLine("A", 1, "from the page", "from the page's Related list"),
        ListLine("Elsewhere", None, "from the page", "not in the library"),
        ListLine("elsewhere ", None, "from the page", "not in the library"),
        ListLine("Me", 9, "from the page", "from the page's Related list"),
    ]
    out = merged(computed, page, exclude=9)
    assert [(r.title, r.story_id) for r in out] == [("A", 1), ("B", 2), ("Elsewhere", None)]
    assert out[0].detail == "Desk: shares x; from the page's Related list"


async def test_no_story_twice_and_why_on_every_line(tmp_path: Path) -> None:
    home = tmp_path
    add_story(
        home,
        Story(
            key="h9",
            title="Harbour ferry gets a new timetable",
            link="http://harbor.example/9",
            published=NOW,
            content="<p>The harbour ferry runs later.</p>",
            related=(
                "Ferry timetable changes next week",
                "Ferry timetable changes next week",
                "Harbour ferry gets a new timetable",  # the page lists itself
                "A story not in the library",
            ),
        ),
    )
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_titled(pilot, "Harbour ferry gets a new timetable")
        related = screen.query_one("#related", StoryList)
        ids = [i.story_id for i in related.items if i.story_id is not None]
        titles = [i.title for i in related.items]
        assert len(ids) == len(set(ids)) and len(titles) == len(set(titles))
        assert screen.article.story is not None
        assert screen.article.story.id not in ids  # never the open story itself
        ferry = next(i for i in related.items if i.title == "Ferry timetable changes next week")
        assert "shares" in ferry.detail  # computed...
        assert "from the page's Related list" in ferry.detail  # ...and on the page: one line
        assert related.border_subtitle.startswith("computed + page")
        # "why" answers on every line, the page's own ones too
        related.focus()
        notes = notes_of(app)
        for n in range(len(related.items)):
            related.highlighted = n
            await pilot.press("w")
            assert notes[-1] != "Highlight a line in Related, Ranking or Recommended first."
        assert notes[-1] == "from the page's Related list; not in the library"


async def test_choosing_a_line_not_in_the_library_offers_a_search(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_titled(pilot, "Compiler release adds faster builds")
        related = screen.query_one("#related", StoryList)
        related.focus()
        related.highlighted = [i.title for i in related.items].index("A story not in the library")
        notes = notes_of(app)
        await pilot.press("enter")
        await pilot.pause()
        assert any("“A story not in the library” is not in the library" in n for n in notes)
        box = screen.query_one("#query-input", Input)
        assert not box.has_class("-hidden") and box.value == "A story not in the library"
        assert screen.article.story is not None
        assert screen.article.story.title == "Compiler release adds faster builds"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.view_query.search == "A story not in the library"
        assert screen.headlines.total == 0


LONG = [
    f"Story number {n} about the harbour council and its long-running plans for the "
    f"old quay wordend{n}"
    for n in range(8)
]


async def shown_lines(pilot: object, widget: StoryList) -> list[str]:
    """Every line the list shows, scrolling through it as a reader would."""
    height = widget.scrollable_content_region.height
    total = len(widget._lines)
    seen: dict[int, str] = {}
    for top in range(0, total, height):
        widget.scroll_to(y=top, animate=False, immediate=True)
        await pilot.pause()  # type: ignore[attr-defined]
        first = int(widget.scroll_offset.y)
        for y in range(height):
            seen.setdefault(first + y, widget.render_line(y).text)
    widget.scroll_to(y=0, animate=False, immediate=True)
    await pilot.pause()  # type: ignore[attr-defined]
    return [seen[n] for n in sorted(seen) if n < total]


class OneList(App[None]):
    """A story list filled before its first layout, as the main screen fills its lists."""

    CSS = "StoryList { width: 40; height: auto; max-height: 12; }"

    def compose(self) -> ComposeResult:
        yield StoryList("Related", id="related")

    def on_mount(self) -> None:
        self.query_one(StoryList).show(
            [ListLine(t, None, "from the page") for t in LONG], "from the page"
        )


async def test_long_lists_show_every_word_and_say_that_they_scroll() -> None:
    app = OneList()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        related = app.query_one(StoryList)
        text = " ".join(" ".join(await shown_lines(pilot, related)).split())
        for n in range(len(LONG)):
            assert f"wordend{n} · from the page" in text  # no last word cut off
        more = related.hidden_below
        assert more > 0 and related.border_subtitle == f"from the page · ↓ {more} more"
        related.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert related.border_subtitle == "from the page"  # at the end: nothing more
        related.show([ListLine(t, None, "from the page") for t in LONG[:1]], "from the page")
        await pilot.pause()
        assert related.border_subtitle == "from the page"  # no scrolling, no hint


async def test_x_on_a_highlighted_line_dismisses_that_story(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_titled(pilot, "Ferry timetable changes next week")
        await workers_done(app)
        related = screen.query_one("#related", StoryList)
        line = next((i for i in related.items if i.story_id is not None), None)
        assert line is not None, "the fixture library relates something to the ferry story"
        related.focus()
        related.highlighted = related.items.index(line)
        await pilot.press("x")
        await workers_done(app)
        with contextlib.closing(connect(database(tmp_path))) as conn:
            dismissed = {i for (i,) in conn.execute("SELECT id FROM stories WHERE dismissed = 1")}
        assert dismissed == {line.story_id}  # the highlighted line, not the open story


async def test_on_first_run_every_sample_story_has_related_stories(tmp_path: Path) -> None:
    """The sample library is loaded before the app starts, with no refresh after it: the
    app embeds it by meaning once the list is up, and every story then has a Related list
    (the words alone leave some sample stories with none)."""
    app = make_app(tmp_path, first_run=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, MainScreen)
        hl = screen.headlines
        titles = [hl.story_at(i).title for i in range(hl.total)]  # type: ignore[union-attr]
        assert len(titles) > 10
        for title in titles:
            await open_titled(pilot, title)
            related = screen.query_one("#related", StoryList)
            assert related.items, f"no related stories for {title!r}"
    with contextlib.closing(connect(database(tmp_path))) as conn:
        (vectors,) = conn.execute("SELECT count(*) FROM story_vectors").fetchone()
    assert vectors == len(titles)
