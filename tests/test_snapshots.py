"""A few snapshots of the real app: fixed size, clock and theme; no cursor blink."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from apphelpers import first_run_home, make_app, workers_done

SIZE = (130, 36)


def sample_home(tmp_path: Path) -> Path:
    """A home holding the bundled sample library, loaded by the root as on a first run
    (first seen: the app's "now")."""
    first_run_home(tmp_path).close()
    return tmp_path


async def settled(pilot: Pilot[None]) -> None:
    """Every worker done (discovery lists filled), so the picture never depends on timing."""
    await workers_done(pilot.app)
    await pilot.pause()


def test_main_view_on_the_sample_library(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(sample_home(tmp_path)), terminal_size=SIZE, run_before=settled)


def test_article_open(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def open_second(pilot: Pilot[None]) -> None:
        await settled(pilot)  # the sample library embedded by meaning, as at every start
        await pilot.press("j", "enter")
        # the side lists are computed after a short debounce (j then enter is skimming): wait
        # for them, not only for the workers running now, which under load can be none yet
        for _ in range(100):
            await workers_done(pilot.app)
            await pilot.pause(0.02)
            if pilot.app.screen.query_one("#related").items:  # type: ignore[attr-defined]
                break
        await workers_done(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(sample_home(tmp_path)), terminal_size=SIZE, run_before=open_second)


def test_help_screen(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def help_open(pilot: Pilot[None]) -> None:
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, run_before=help_open)


def test_narrow_terminal_hides_the_sidebar(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(tmp_path), terminal_size=(70, 24), run_before=settled)


def test_narrow_terminal_b_shows_the_sidebar_over_the_list(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def sidebar_over(pilot: Pilot[None]) -> None:
        await settled(pilot)
        await pilot.press("b", "j")
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=(70, 24), run_before=sidebar_over)
