"""The enclosure download queue against a loopback server: Range, resume, cap, 404."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

from fileserver import FileServer, serving
from tuireader.domain.downloads import Download, DownloadState, file_name
from tuireader.domain.models import Enclosure, Source, SourceKind, Story
from tuireader.domain.query import StoryQuery
from tuireader.services.downloads import DownloadQueue
from tuireader.sources.download import make_download_client
from tuireader.storage.database import open_database

AUDIO = os.urandom(300_000)


def story_with(tmp_path: Path, *urls: str) -> tuple[DownloadQueue, Story]:
    from tuireader.config.settings import Settings
    from tuireader.services.library import Library

    conn, _ = open_database(tmp_path / "db.sqlite")
    library = Library(conn, Settings())
    source, _ = library.add_source(Source(url="http://x.example/feed", kind=SourceKind.FEED))
    story = Story(
        key="s1", title="Episode one", enclosures=tuple(Enclosure(u, "audio/mpeg") for u in urls)
    )
    library.store(source, [(story, "text")], seen_since=0)
    stored = library.story(library.ids(StoryQuery())[0])
    return DownloadQueue(conn, tmp_path / "downloads", pause=0.05), stored


def run(queue: DownloadQueue, seen: list[Download] | None = None) -> list[Download]:
    async def go() -> list[Download]:
        async with make_download_client("test", 2, 2) as client:
            return await queue.run(client, seen.append if seen is not None else None, step=1)

    return asyncio.run(go())


def test_a_file_is_fetched_whole_into_the_folder(tmp_path: Path) -> None:
    with serving({"/ep1.mp3": AUDIO}) as server:
        queue, story = story_with(tmp_path, server.url("/ep1.mp3"))
        queued = queue.enqueue(story, 1)
        assert queued.state is DownloadState.QUEUED
        seen: list[Download] = []
        [done] = run(queue, seen)
    assert done.state is DownloadState.DONE and done.received == len(AUDIO)
    assert Path(done.path) == tmp_path / "downloads" / "ep1.mp3"
    assert Path(done.path).read_bytes() == AUDIO
    assert not Path(done.part_path).exists()
    assert seen[-1].fraction == 1.0 and any(0 < (d.fraction or 0) < 1 for d in seen)
    assert queue.for_story(story.id or 0)[0].state is DownloadState.DONE


def test_an_interrupted_file_resumes_with_a_range_request(tmp_path: Path) -> None:
    with serving({"/drop/ep.mp3": AUDIO}) as server:
        queue, story = story_with(tmp_path, server.url("/drop/ep.mp3"))
        queue.enqueue(story, 1)
        [done] = run(queue)
        ranges = [r for p, r in server.ranges if p == "/drop/ep.mp3"]
    assert done.state is DownloadState.DONE
    assert Path(done.path).read_bytes() == AUDIO
    assert ranges[0] == "" and ranges[1].startswith("bytes=")
    assert 0 < int(ranges[1].removeprefix("bytes=").rstrip("-")) < len(AUDIO)


def test_the_queue_survives_a_restart_and_resumes_the_part_file(tmp_path: Path) -> None:
    with serving({"/ep.mp3": AUDIO}) as server:
        queue, story = story_with(tmp_path, server.url("/ep.mp3"))
        download = queue.enqueue(story, 1)
        part = Path(download.part_path)
        part.parent.mkdir(parents=True)
        part.write_bytes(AUDIO[:1000])  # what an earlier run fetched before it was closed
        conn, _ = open_database(tmp_path / "db.sqlite")  # a new process: the queue is stored
        again = DownloadQueue(conn, tmp_path / "downloads")
        assert [d.url for d in again.queued()] == [server.url("/ep.mp3")]
        [done] = run(again)
        assert server.ranges[-1] == ("/ep.mp3", "bytes=1000-")
    assert Path(done.path).read_bytes() == AUDIO


def test_a_server_ignoring_range_starts_the_file_over(tmp_path: Path) -> None:
    with serving({"/ep.mp3": AUDIO}) as server:
        server.honour_range = False
        queue, story = story_with(tmp_path, server.url("/ep.mp3"))
        download = queue.enqueue(story, 1)
        Path(download.part_path).parent.mkdir(parents=True)
        Path(download.part_path).write_bytes(b"junk" * 10)
        [done] = run(queue)
    assert Path(done.path).read_bytes() == AUDIO


def test_a_file_over_the_cap_fails_and_leaves_nothing(tmp_path: Path) -> None:
    with serving({"/big.mp3": AUDIO}) as server:
        queue, story = story_with(tmp_path, server.url("/big.mp3"))
        queue.max_bytes = 100_000
        queue.enqueue(story, 1)
        [failed] = run(queue)
    assert failed.state is DownloadState.FAILED
    assert failed.error == "293.0 KB, over the 97.7 KB limit"  # said before any byte came
    assert not Path(failed.path).exists() and not Path(failed.part_path).exists()


def test_a_file_without_a_length_is_cut_off_at_the_cap(tmp_path: Path) -> None:
    with serving({"/nolength/big.mp3": AUDIO}) as server:
        queue, story = story_with(tmp_path, server.url("/nolength/big.mp3"))
        queue.max_bytes = 100_000
        queue.enqueue(story, 1)
        [failed] = run(queue)
    assert failed.state is DownloadState.FAILED and failed.error == "over the 97.7 KB limit"
    assert not Path(failed.path).exists() and not Path(failed.part_path).exists()


def test_a_missing_file_fails_once_and_can_be_queued_again(tmp_path: Path) -> None:
    with serving({}) as server:
        queue, story = story_with(tmp_path, server.url("/gone.mp3"))
        queue.enqueue(story, 1)
        [failed] = run(queue)
        assert failed.state is DownloadState.FAILED and failed.error == "HTTP 404"
        assert len(server.ranges) == 1  # a 404 is not retried
        assert queue.queued() == []
        server.files["/gone.mp3"] = AUDIO
        assert queue.enqueue(story, 1).state is DownloadState.QUEUED
        [done] = run(queue)
    assert done.state is DownloadState.DONE


def test_one_host_gets_one_file_at_a_time(tmp_path: Path) -> None:
    server = FileServer({"/a.mp3": AUDIO, "/b.mp3": AUDIO}).start()
    try:
        queue, story = story_with(tmp_path, server.url("/a.mp3"), server.url("/b.mp3"))
        queue.enqueue(story, 1)
        queue.enqueue(story, 2)
        order: list[tuple[str, DownloadState]] = []
        run_seen: list[Download] = []
        run(queue, run_seen)
        for d in run_seen:
            if not order or order[-1][0] != d.url:
                order.append((d.url, d.state))
    finally:
        server.stop()
    assert [u for u, _ in order] == [server.url("/a.mp3"), server.url("/b.mp3")]


def test_file_names_are_safe() -> None:
    assert file_name("http://x.example/a/ep%201.mp3?x=1") == "ep 1.mp3"
    assert file_name("http://x.example/", "Ep: one/two\x1b[31m") == "Ep_ one_two"
    assert file_name("http://x.example/..", "") == "enclosure"
    assert file_name("http://x.example/.hidden") == "hidden"


def test_a_file_waiting_for_its_host_leaves_the_slot_to_another_host(tmp_path: Path) -> None:
    """Two at once in all, one a host: with two files on a slow host and one on another,
    the other host's file does not wait behind the slow host's second one."""
    busy = FileServer({"/a1.mp3": AUDIO, "/a2.mp3": AUDIO}).start()
    other = FileServer({"/b.mp3": AUDIO}).start()
    busy.gate = threading.Event()  # each of the busy host's files stalls half-way
    try:
        elsewhere = other.url("/b.mp3").replace("127.0.0.1", "localhost")  # another host
        queue, story = story_with(tmp_path, busy.url("/a1.mp3"), busy.url("/a2.mp3"), elsewhere)
        for n in (1, 2, 3):
            queue.enqueue(story, n)
        finished: list[str] = []

        def moved(download: Download) -> None:
            if download.state is DownloadState.DONE:
                finished.append(download.url)
                busy.gate.set()  # type: ignore[union-attr]

        async def go() -> list[Download]:
            async with make_download_client("test", 2, 2) as client:
                return await queue.run(client, moved)

        ended = asyncio.run(go())
    finally:
        busy.stop()
        other.stop()
    assert [d.state for d in ended] == [DownloadState.DONE] * 3, [(d.url, d.error) for d in ended]
    assert finished[0] == elsewhere, finished
