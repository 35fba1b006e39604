"""Enclosures in the app: listed in the article, played by the player, downloaded with a
progress bar; the pipe key sends the story to a real command."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

from textual.widgets import ProgressBar

from apphelpers import build_library, make_app, notes_of, root_at, settle
from fileserver import FileServer, serving
from tuireader.domain.models import Enclosure, Source, SourceKind, Story
from tuireader.domain.query import StoryQuery
from tuireader.ui.downloads_modal import DownloadRow, DownloadsModal
from tuireader.ui.main_screen import MainScreen
from tuireader.ui.widgets.enclosure_list import EnclosureList, EnclosureRow

SIZE = (140, 40)
RECORDER = str(Path(__file__).with_name("recorder.py"))
AUDIO = os.urandom(200_000)
TITLE = "Harbour seals podcast"


def records(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def add_podcast(home: Path, server: FileServer) -> None:
    library = build_library(home)
    source, _ = library.add_source(
        Source(url="http://podcast.example/feed.xml", kind=SourceKind.FEED, title="Podcast")
    )
    story = Story(
        key="pod-1",
        title=TITLE,
        link="http://podcast.example/1",
        content="<p>Seals sing in the harbour at night.</p>",
        enclosures=(
            Enclosure(server.url("/ep1.mp3"), "audio/mpeg", len(AUDIO)),
            Enclosure(server.url("/cover.jpg"), "image/jpeg", None),
        ),
    )
    library.store(source, [(story, story.title)], 0)


def app_for(home: Path, **actions: str) -> object:
    return make_app(home, config={"actions": actions})  # type: ignore[dict-item]


async def open_podcast(pilot: object) -> MainScreen:
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, MainScreen)
    hl = screen.headlines
    hl.move_to(next(i for i in range(hl.total) if hl.story_at(i).title == TITLE))  # type: ignore[union-attr]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)
    return screen


async def test_enclosures_are_listed_played_and_downloaded_with_progress(
    tmp_path: Path,
) -> None:
    played = tmp_path / "played.jsonl"
    server = FileServer({"/ep1.mp3": AUDIO, "/cover.jpg": b"jpeg"}).start()
    server.gate = threading.Event()  # each body stops half-way until the test lets it go
    try:
        add_podcast(tmp_path, server)
        app = make_app(
            tmp_path,
            config={
                "actions": {
                    "player": [sys.executable, RECORDER, str(played), "--no-video"],  # type: ignore[dict-item]
                    "download_dir": str(tmp_path / "dl"),
                }
            },
        )
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_podcast(pilot)
            listing = screen.query_one(EnclosureList)
            rows = list(listing.query(EnclosureRow))
            assert listing.display and len(rows) == 2
            first = str(rows[0].query_one(".-line").render())
            assert first.startswith("[a1] audio/mpeg · 195.3 KB · " + server.url("/ep1.mp3"))

            await pilot.press("P")  # two enclosures: which one?
            await pilot.pause()
            await pilot.press("enter")
            await settle(pilot)
            for _ in range(100):
                if records(played):
                    break
                await pilot.pause(0.05)
            [run] = records(played)
            assert run["argv"] == ["--no-video", server.url("/ep1.mp3")]
            assert run["stdin"] == "" and run["tty"] is False  # detached: no terminal

            await pilot.press("d")
            await pilot.pause()
            await pilot.press("enter")
            bar = rows[0].query_one(ProgressBar)
            for _ in range(200):  # the server holds the body half-way: the bar shows it
                if bar.display and bar.progress and bar.total:
                    break
                await pilot.pause(0.05)
            assert bar.display and bar.total == len(AUDIO)
            assert 0 < bar.progress < len(AUDIO)
            assert "downloading" in str(rows[0].query_one(".-line").render())
            server.gate.set()
            for _ in range(200):
                if "downloaded" in str(rows[0].query_one(".-line").render()):
                    break
                await pilot.pause(0.05)
            await settle(pilot)
            assert (tmp_path / "dl" / "ep1.mp3").read_bytes() == AUDIO
            assert not bar.display

            await pilot.press("P")  # downloaded: it plays from the file
            await pilot.pause()
            await pilot.press("enter")
            await settle(pilot)
            for _ in range(100):
                if len(records(played)) == 2:
                    break
                await pilot.pause(0.05)
            assert records(played)[1]["argv"] == ["--no-video", str(tmp_path / "dl" / "ep1.mp3")]

            await pilot.press("W")  # the whole queue
            await settle(pilot)
            assert isinstance(app.screen, DownloadsModal)
            [row] = list(app.screen.query(DownloadRow))
            assert str(row.query_one(".-line").render()) == "ep1.mp3 · 195.3 KB · done"
            assert row.query_one(ProgressBar).percentage == 1.0
    finally:
        server.stop()


async def test_a_missing_player_is_a_one_line_notice(tmp_path: Path) -> None:
    with serving({}) as server:
        add_podcast(tmp_path, server)
        app = make_app(
            tmp_path,
            config={"actions": {"player": ["no-such-player-here"]}},  # type: ignore[dict-item]
        )
        async with app.run_test(size=SIZE) as pilot:
            await open_podcast(pilot)
            notes = notes_of(app)
            await pilot.press("P")
            await pilot.pause()
            await pilot.press("enter")
            await settle(pilot)
            assert notes == ["player not found: 'no-such-player-here' (set actions.player)"]


async def test_the_download_queue_resumes_when_the_app_starts_again(tmp_path: Path) -> None:
    with serving({"/ep1.mp3": AUDIO, "/cover.jpg": b"jpeg"}) as server:
        add_podcast(tmp_path, server)
        app = app_for(tmp_path, download_dir=str(tmp_path / "dl"))
        context = root_at(tmp_path)
        story = context.library.story(context.library.ids(StoryQuery(search="seals"))[0])
        context.downloads().enqueue(story, 2)  # queued by an earlier session, never fetched
        context.close()
        async with app.run_test(size=SIZE) as pilot:  # type: ignore[attr-defined]
            for _ in range(200):
                if (tmp_path / "dl" / "cover.jpg").exists():
                    break
                await pilot.pause(0.05)
            await settle(pilot)
        assert (tmp_path / "dl" / "cover.jpg").read_bytes() == b"jpeg"
