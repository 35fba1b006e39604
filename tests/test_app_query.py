"""The filter line takes an expression, a filter is saved as a view, and a saved view's
sidebar count follows what a refresh brings."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from apphelpers import make_app, notes_of, workers_done
from feedserver import FeedServer
from test_query_cli import rss
from tuireader.domain.models import Source, SourceKind
from tuireader.ui.main_screen import MainScreen
from tuireader.ui.widgets.headline_list import HeadlineList
from tuireader.ui.widgets.query_box import QueryBox
from tuireader.ui.widgets.sidebar import Sidebar

SIZE = (140, 40)


def view_rows(app: object) -> dict[str, int | None]:
    sidebar = app.screen.query_one(Sidebar)  # type: ignore[attr-defined]
    return {r.label: r.count for r in sidebar.rows if r.view and r.view.id.startswith("view-")}


async def test_filter_takes_an_expression_and_saves_it_as_a_view(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        hl = app.screen.query_one(HeadlineList)
        assert hl.total == 7
        await pilot.press("f", *'title =~ "^(ferry|library)" and author = "Desk"')
        await workers_done(app)
        assert hl.total == 2
        assert {hl.story_at(i).title for i in range(2)} == {  # type: ignore[union-attr]
            "Ferry timetable changes next week",
            "Library extends opening hours",
        }
        await pilot.press("enter")
        assert not isinstance(app.focused, Input)
        await pilot.press("ctrl+s")
        await workers_done(app)
        assert view_rows(app) == {'◇ title =~ "^(ferry|library)" and author = "Desk"': 2}
        await pilot.press("F")
        await workers_done(app)
        assert hl.total == 7
        # plain words are still a filter on the title, as before
        await pilot.press("f", *"seals")
        await workers_done(app)
        assert hl.total == 1
        await pilot.press("enter", "F")
        # a half-typed or broken expression filters nothing, and says where it is wrong
        box = app.screen.query_one(QueryBox)
        notes = notes_of(app)
        await pilot.press("f", *'title =~ "^(the|a"')
        await workers_done(app)
        assert hl.total == 7
        assert box.error.startswith("column 1: bad regex") and "\n" not in box.error
        await pilot.press("enter")
        assert box.shown  # still there to be mended
        assert notes[-1].startswith("column 1: bad regex")
        await pilot.press("backspace", *')"')
        await workers_done(app)
        assert box.error == "" and hl.total < 7
        await pilot.press("enter", "F")
        # what was typed is told as typed: brackets in it are not markup
        await pilot.press("f", *"title # [bold]x")
        await workers_done(app)
        assert "'[bold]x'" in box.error
        shown = box._border_subtitle  # what the border draws
        assert shown is not None and "'[bold]x'" in shown.plain
        await pilot.press("escape", "F")
    again = make_app(tmp_path)  # the view is kept
    async with again.run_test(size=SIZE) as pilot:
        await workers_done(again)
        assert list(view_rows(again).values()) == [2]
        sidebar = again.screen.query_one(Sidebar)
        row = next(r for r in sidebar.rows if r.view and r.view.id == "view-0")
        assert row.view is not None
        screen = again.screen
        assert isinstance(screen, MainScreen)
        screen.show_view(row.view)
        await workers_done(again)
        assert again.screen.query_one(HeadlineList).total == 2
        notes = notes_of(again)
        await pilot.press("X")  # forget it: out of the sidebar, every story shown again
        await workers_done(again)
        assert view_rows(again) == {}
        assert again.screen.query_one(HeadlineList).total == 7
        assert notes[-1].startswith("Forgot title =~")
    third = make_app(tmp_path)  # and it stays forgotten
    async with third.run_test(size=SIZE) as pilot:
        await workers_done(third)
        assert view_rows(third) == {}


async def test_a_saved_views_count_follows_a_refresh(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.add("/v.xml", rss([("g1", "Kernel one", "Ada"), ("g2", "Gardening", "Bea")]))
    app = make_app(
        tmp_path,
        config={
            "views.kernel": {"query": 'title =~ "kernel"'},
            "views.bea": {"query": 'author = "Bea" or author = "Desk"'},
        },
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        source, _ = app.session.library.add_source(Source(url=url, kind=SourceKind.FEED))
        screen.start_refresh([source])
        await workers_done(app)
        await pilot.pause()
        assert view_rows(app) == {"◇ kernel": 1, "◇ bea": 5}
        feed_server.add(
            "/v.xml",
            rss(
                [
                    ("g1", "Kernel one", "Ada"),
                    ("g2", "Gardening", "Bea"),
                    ("g3", "Kernel two", "Ada"),
                    ("g4", "Kernel three", "Bea"),
                ]
            ),
        )
        screen.start_refresh([source])
        await workers_done(app)
        await pilot.pause()
        assert view_rows(app) == {"◇ kernel": 3, "◇ bea": 6}
        # reading one in the view counts it down
        kernel = next(r.view for r in screen.query_one(Sidebar).rows if r.label == "◇ kernel")
        assert kernel is not None
        screen.show_view(kernel)
        await workers_done(app)
        assert screen.headlines.total == 3
        await pilot.press("m")
        await workers_done(app)
        assert view_rows(app)["◇ kernel"] == 2
