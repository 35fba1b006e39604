"""A refresh of just the sources one added says which failed; only a full refresh in which
nothing could be reached says "Offline"."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._toast import Toast

from apphelpers import make_app, workers_done
from tuireader.domain.models import Source, SourceKind
from tuireader.ui.main_screen import MainScreen

DEAD = "http://127.0.0.1:1/feed.xml"  # nothing listens on port 1: connection refused


def shown(app: object) -> str:
    return " ".join(str(t.render()) for t in app.screen.query(Toast))  # type: ignore[attr-defined]


async def test_one_unreachable_new_feed_is_named_not_called_offline(tmp_path: Path) -> None:
    app = make_app(tmp_path / "db")
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
    app = make_app(tmp_path / "db")
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
