"""A refresh of just the sources one added says which failed; only a full refresh in which
nothing could be reached says "Offline"."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._toast import Toast

from apphelpers import make_app, workers_done
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.query import StoryQuery
from tuireader.ui.main_screen import MainScreen

DEAD = "http://127.0.0.1:1/feed.xml"  # nothing listens on port 1: connection refused


def shown(app: object) -> str:
    return " ".join(str(t.render()) for t in app.screen.query(Toast))  # type: ignore[attr-defined]


async def test_one_unreachable_new_feed_is_named_not_called_offline(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        source, _ = app.session.library.add_source(
            Source(url=DEAD, kind=SourceKind.FEED, title="Dead feed")
        )
        screen.start_refresh([source])
        await workers_done(app)
        await pilot.pause()
        said = shown(app)
        assert "Dead feed" in said and "Offline" not in said, said
        assert not screen.status.offline


async def test_a_full_refresh_reaching_nothing_says_offline_once(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for source in app.session.library.sources():  # every feed now points nowhere
            app.session.library.move(source, DEAD.replace("feed", f"f{source.id}"))
        screen.start_refresh(None)
        await workers_done(app)
        await pilot.pause()
        assert "Offline" in shown(app)
        assert screen.status.offline


async def test_a_source_with_no_stories_can_be_refreshed_and_removed(tmp_path: Path) -> None:
    from tuireader.ui.confirm_modal import ConfirmModal
    from tuireader.ui.widgets.sidebar import View

    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        source, _ = app.session.library.add_source(
            Source(url=DEAD, kind=SourceKind.FEED, title="Dead feed")
        )
        assert source.id is not None
        screen.refresh_sidebar()
        screen.show_view(View(f"s{source.id}", "Dead feed", StoryQuery(source_ids=(source.id,))))
        await pilot.pause()
        assert screen.headlines.total == 0
        await pilot.press("r")  # refreshes the source the view shows
        await workers_done(app)
        await pilot.pause()
        assert "Dead feed" in shown(app)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await workers_done(app)
        assert all(s.id != source.id for s in app.session.library.sources())


async def test_u_with_nothing_to_undo_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await pilot.press("u")
        await pilot.pause()
        assert "Nothing to undo." in shown(app)
