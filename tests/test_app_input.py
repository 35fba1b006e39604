"""The app's ``a`` refuses bad input like ``tuireader add``: same service, nothing kept."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import Input, OptionList

from apphelpers import build_library, make_app, workers_done
from feedserver import FeedServer
from test_cli_input import ONE_FEED, TWO_FEEDS
from tuireader.ui.modals import AddSourceModal, LinkPickerModal

SIZE = (140, 40)


def spy_notes(app: App[None]) -> list[tuple[str, str, bool]]:
    """(severity, message, markup) of every notification the main screen makes."""
    notes: list[tuple[str, str, bool]] = []
    original = app.notify

    def spy(message: str, **kw: object) -> None:
        notes.append((str(kw.get("severity", "information")), message, bool(kw.get("markup", 1))))
        original(message, **kw)  # type: ignore[arg-type]

    app.notify = spy  # type: ignore[method-assign]
    return notes


def urls(home: Path) -> set[str]:
    return {s.url for s in build_library(home).sources()}


async def add(pilot: object, ref: str) -> None:
    """Press a, enter ``ref`` (set at once: typing it key by key only costs time), submit."""
    await pilot.press("a")  # type: ignore[attr-defined]
    modal = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(modal, AddSourceModal)
    modal.query_one("#ref", Input).value = ref
    await pilot.press("enter")  # type: ignore[attr-defined]
    await workers_done(pilot.app)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_add_refuses_what_cannot_be_a_feed_and_keeps_nothing(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    home = tmp_path
    noise = tmp_path / "noise.txt"
    noise.write_bytes(bytes(range(256)) * 4)
    before = urls(home)
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        notes = spy_notes(app)
        for ref, reason in [
            ("http://", "the URL names no host"),
            (feed_server.url("/404"), "HTTP 404"),
            (feed_server.url("/html"), "not a feed, and the page names no feed"),
            (str(tmp_path / "nothing-here"), "no such file or folder"),
            (str(noise), "not text: binary data"),
        ]:
            await add(pilot, ref)
            errors = [(m, markup) for severity, m, markup in notes if severity == "error"]
            assert errors and reason in errors[-1][0], (ref, notes)
            assert errors[-1][1] is False  # the reason quotes the user's input: plain text
    assert urls(home) == before


async def test_add_a_page_subscribes_to_the_feed_it_names(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    home = tmp_path
    page = feed_server.add("/news/index.html", ONE_FEED)
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        total = app.screen.headlines.total  # type: ignore[attr-defined]
        await add(pilot, page)
        assert app.screen.headlines.total == total + 3  # type: ignore[attr-defined]
    assert feed_server.url("/rss2.xml") in urls(home)
    assert page not in urls(home)


async def test_add_a_page_naming_several_feeds_offers_them(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    home = tmp_path
    before = urls(home)
    page = feed_server.add("/two.html", TWO_FEEDS)
    app = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await add(pilot, page)
        picker = app.screen
        assert isinstance(picker, LinkPickerModal)
        assert picker.links == [feed_server.url("/rss2.xml"), feed_server.url("/atom.xml")]
        assert urls(home) == before  # nothing kept while the user chooses
        picker.query_one(OptionList).highlighted = 1
        await pilot.press("enter")
        await workers_done(app)
        await pilot.pause()
    assert urls(home) == before | {feed_server.url("/atom.xml")}
