"""Actions say what they did, or why they did nothing, and ask before doing much."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from apphelpers import NOW, build_library, make_app, notes_of, settle
from tuireader.domain.models import Story
from tuireader.domain.query import StoryQuery
from tuireader.ui.confirm_modal import ConfirmModal
from tuireader.ui.main_screen import MainScreen

SIZE = (140, 40)


async def open_titled(pilot: object, title: str) -> MainScreen:
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, MainScreen)
    hl = screen.headlines
    hl.move_to(next(i for i in range(hl.total) if hl.story_at(i).title == title))  # type: ignore[union-attr]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)
    return screen


async def test_export_says_the_full_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_titled(pilot, "Ferry timetable changes next week")
        notes = notes_of(app)
        await pilot.press("e")
        await pilot.pause()
        box = app.screen.query_one("#path")
        box.value = "ferry.md"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert (work / "ferry.md").read_text(encoding="utf-8").startswith("# Ferry")
        assert notes[-1] == f"Wrote {work / 'ferry.md'}"


async def _export_to(pilot: object, app: object, name: str) -> None:
    await pilot.press("e")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    app.screen.query_one("#path").value = name  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_export_asks_before_replacing_and_wants_a_known_suffix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuireader.ui.confirm_modal import ConfirmModal

    monkeypatch.chdir(tmp_path)
    (tmp_path / "kept.md").write_text("mine", encoding="utf-8")
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_titled(pilot, "Ferry timetable changes next week")
        notes = notes_of(app)
        await _export_to(pilot, app, "kept.md")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await pilot.pause()
        assert (tmp_path / "kept.md").read_text(encoding="utf-8") == "mine"
        await _export_to(pilot, app, "kept.md")
        await pilot.press("y")
        await pilot.pause()
        assert (tmp_path / "kept.md").read_text(encoding="utf-8").startswith("# Ferry")
        await _export_to(pilot, app, "story.pdf")
        assert not (tmp_path / "story.pdf").exists()
        assert "Give the file a .md, .html or .txt name" in notes[-1]
        await _export_to(pilot, app, "/no/such/folder/x.md")
        assert notes[-1] == "cannot write /no/such/folder/x.md: there is no folder /no/such/folder"


async def test_link_keys_on_a_story_without_links_say_so(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        notes = notes_of(app)
        await pilot.press("1")
        assert notes[-1] == "Open a story first: its links are numbered in the article."
        screen = await open_titled(pilot, "Compiler release adds faster builds")
        notes = notes_of(app)
        assert not screen.article.links
        await pilot.press("1")
        assert notes[-1] == "This story has no links."
        await pilot.press("L")
        assert notes[-1] == "This story has no links."
        assert not isinstance(app.screen, ConfirmModal)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Links" not in titles  # the palette offers only what can run
        await pilot.press("escape")
        screen = await open_titled(pilot, "Ferry timetable changes next week")
        notes = notes_of(app)
        assert len(screen.article.links) == 1
        await pilot.press("5")
        assert notes[-1] == "This story has only 1 link."


async def test_remove_source_asks_and_clears_the_article(tmp_path: Path) -> None:
    home = tmp_path
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_titled(pilot, "Ferry timetable changes next week")
        await pilot.resize_terminal(60, 30)  # the question wraps in a narrow terminal
        await pilot.pause()
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "Remove Harbor Gazette and its 4 stories?" in app.screen.question
        question = app.screen.query_one("#question")
        assert question.region.right <= app.screen.query_one(".dialog").content_region.right
        await pilot.press("n")
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert screen.headlines.total == 7 and screen.article.story is not None
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert screen.headlines.total == 3
        assert screen.article.story is None and screen.article.links == ()
        header = screen.query_one("#article-header")
        assert "Ferry" not in str(header.render())
        assert [s.name for s in build_library(home).sources()] == ["Valley Tech"]
        await pilot.press("escape", "u")
        await settle(pilot)
        assert screen.headlines.total == 7


def add_many(home: Path, count: int) -> None:
    library = build_library(home)
    source = next(s for s in library.sources() if s.name == "Valley Tech")
    stories = [
        Story(
            key=f"many{n}",
            title=f"Bulk story {n}",
            link=f"http://valley.example/many/{n}",
            published=NOW - timedelta(hours=n),
            content=f"<p>Story {n}.</p>",
        )
        for n in range(count)
    ]
    library.store(source, [(s, s.title) for s in stories], 0)
    library.close()


async def test_marking_many_read_asks_first_and_undo_stays(tmp_path: Path) -> None:
    home = tmp_path
    add_many(home, 60)
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        library = build_library(home)
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert app.screen.question.startswith("Mark 67 stories in All read?")
        await pilot.press("escape")
        await pilot.pause()
        assert library.count(StoryQuery(unread=True)) == 67
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert library.count(StoryQuery(unread=True)) == 0
        await pilot.press("u")
        await pilot.pause()
        assert library.count(StoryQuery(unread=True)) == 67
        # M on a story of the big source asks too; on the small one it does not
        screen = app.screen
        assert isinstance(screen, MainScreen)
        hl = screen.headlines
        hl.move_to(next(i for i in range(hl.total) if hl.story_at(i).title == "Bulk story 3"))  # type: ignore[union-attr]
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert app.screen.question.startswith("Mark 63 stories of Valley Tech read?")
        await pilot.press("enter")
        await pilot.pause()
        assert library.count(StoryQuery(unread=True)) == 4
        hl.move_to(next(i for i in range(hl.total) if hl.story_at(i).title.startswith("Ferry")))  # type: ignore[union-attr]
        await pilot.press("M")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmModal)
        assert library.count(StoryQuery(unread=True)) == 0
        await pilot.press("u", "u")
        await pilot.pause()
        assert library.count(StoryQuery(unread=True)) == 67
