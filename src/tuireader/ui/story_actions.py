"""The main screen's actions on a story: play or download its enclosures, pipe it to a
command, and say that a refresh brought new stories.

A component with no area on screen, like :class:`~tuireader.ui.source_tasks.SourceTasks`:
it owns the download worker (a thread with its own event loop and database connection, so
the queue never holds a key) and posts each download's progress up to the screen.
"""

from __future__ import annotations

import asyncio
import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import work
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widget import Widget
from textual.worker import Worker

from tuireader.domain.downloads import Download, DownloadState
from tuireader.domain.errors import TuireaderError
from tuireader.domain.models import Story
from tuireader.domain.text import clean_line, one_line_error
from tuireader.services.notify import NewStories, desktop_sequence, run_notify_command
from tuireader.services.session import Session
from tuireader.services.user_commands import pipe, play, split_command, story_payload
from tuireader.ui.failures import forward_failure
from tuireader.ui.modals import LinkPickerModal, PathModal

if TYPE_CHECKING:
    from tuireader.services.downloads import DownloadQueue

T = TypeVar("T")


class StoryActions(Widget):
    """Runs the actions; posts :class:`DownloadMoved`."""

    DEFAULT_CSS = "StoryActions { display: none; }"

    class DownloadMoved(Message):
        """A download was queued, moved on, ended or failed."""

        def __init__(self, download: Download) -> None:
            super().__init__()
            self.download = download

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._runner: Worker[None] | None = None
        self._again = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)
        if event.worker is self._runner and event.worker.is_finished and self._again:
            self._resume()  # queued just as the runner was ending

    def on_mount(self) -> None:
        if self.session.downloads is not None:
            self.call_after_refresh(self._resume)  # what was queued when the app closed

    def _say(self, message: str, severity: SeverityLevel = "information") -> None:
        self.notify(clean_line(message), severity=severity, timeout=8, markup=False)

    # choosing ---------------------------------------------------------------------------
    def choose_enclosure(
        self, story: Story | None, verb: str, then: Callable[[Story, int], object]
    ) -> None:
        """The story's enclosure to act on: the only one, or one chosen from a list."""
        if story is None or not story.enclosures:
            self._say("This story has no enclosures (audio, video, images).")
            return
        if len(story.enclosures) == 1:
            then(story, 1)
            return
        urls = [e.url for e in story.enclosures]

        def chosen(url: str | None) -> None:
            if url:
                then(story, urls.index(url) + 1)

        self.app.push_screen(LinkPickerModal(urls, f"{verb} which enclosure?"), chosen)

    def ask_pipe(self, story_id: int) -> None:
        """Ask for the command (offering ``actions.pipe_command``), then pipe the story."""
        actions = self.session.settings.actions

        def chosen(command: str | None) -> None:
            if not command:
                return
            try:
                argv = split_command(command)
            except TuireaderError as error:
                self._say(one_line_error(error), "error")
                return
            self.pipe(story_id, argv)

        sends = "its link" if actions.pipe_sends == "url" else "Markdown"
        self.app.push_screen(
            PathModal(
                f"Pipe the story ({sends}) to which command? (no shell)",
                shlex.join(actions.pipe_command),
            ),
            chosen,
        )

    # playing ----------------------------------------------------------------------------
    def play(self, story: Story, n: int, download: Download | None) -> None:
        """Play the ``n``-th enclosure: its file when downloaded, else its URL."""
        target = story.enclosures[n - 1].url
        done = download is not None and download.state is DownloadState.DONE
        if done and download is not None and Path(download.path).exists():
            target = download.path
        self._play(target)

    @work(thread=True, group="player", exit_on_error=False)
    def _play(self, target: str) -> None:
        try:
            argv = play(target, self.session.settings.actions.player)
        except TuireaderError as error:
            self.app.call_from_thread(self._say, one_line_error(error), "warning")
            return
        self.app.call_from_thread(self._say, f"Playing with {argv[0]}: {target}")

    # downloading ------------------------------------------------------------------------
    def _on_queue(self, use: Callable[[DownloadQueue], T]) -> T:
        """``use`` on the download queue, opened for it (on a worker thread)."""
        opener = self.session.downloads
        assert opener is not None

        async def run() -> T:
            async with opener() as (downloads, _client):
                return use(downloads)

        return asyncio.run(run())

    @work(thread=True, group="downloads-shown", exclusive=True, exit_on_error=False)
    def show_downloads(self, story_id: int) -> None:
        """Post the story's downloads (the article's rows show them)."""
        for download in self._on_queue(lambda queue: queue.for_story(story_id)):
            self.app.call_from_thread(self.post_message, self.DownloadMoved(download))

    @work(thread=True, group="downloads-queue", exit_on_error=False)
    def download(self, story: Story, n: int) -> None:
        """Queue the ``n``-th enclosure and make sure the queue runs."""
        queued = self._on_queue(lambda queue: queue.enqueue(story, n))
        self.app.call_from_thread(self._queued, queued)

    @work(thread=True, group="downloads-list", exclusive=True, exit_on_error=False)
    def list_downloads(self, then: Callable[[list[Download], str], object]) -> None:
        """Read the whole queue, then hand it (and the folder) to ``then``."""
        every, folder = self._on_queue(lambda queue: (queue.every(), str(queue.folder)))
        self.app.call_from_thread(then, every, folder)

    def _queued(self, download: Download) -> None:
        self.post_message(self.DownloadMoved(download))
        if download.state is DownloadState.DONE:
            self._say(f"Already downloaded: {download.path}")
            return
        self._say(f"Downloading into {os.path.dirname(download.path)}")
        self._resume()

    def _resume(self) -> None:
        running = self._runner
        if running is not None and not running.is_finished:
            self._again = True  # it looks at the queue once more before it ends
            return
        self._again = False
        self._runner = self._run_queue()

    @work(thread=True, group="downloads", exit_on_error=False)
    def _run_queue(self) -> None:
        """Fetch what is queued, again while more is queued meanwhile."""
        opener = self.session.downloads
        assert opener is not None

        def moved(download: Download) -> None:
            self.app.call_from_thread(self.post_message, self.DownloadMoved(download))

        async def run() -> list[Download]:
            async with opener() as (downloads, client):
                return await downloads.run(client, moved)

        while True:
            for ended in asyncio.run(run()):
                if ended.state is DownloadState.DONE:
                    self.app.call_from_thread(self._say, f"Downloaded {ended.path}")
                elif ended.state is DownloadState.FAILED:
                    self.app.call_from_thread(
                        self._say, f"Download failed: {ended.url}: {ended.error}", "warning"
                    )
            if not self._again:
                return
            self._again = False

    # piping -----------------------------------------------------------------------------
    @work(thread=True, group="pipe", exit_on_error=False)
    def pipe(self, story_id: int, argv: list[str]) -> None:
        """Send the story (or its link) to ``argv``'s stdin; its output's last line, or why
        it failed, in a line."""
        actions = self.session.settings.actions
        story = asyncio.run(self.session.reads.run(lambda lib: lib.story(story_id)))
        try:
            done = pipe(
                argv, story_payload(story, actions.pipe_sends), timeout=actions.pipe_timeout
            )
        except TuireaderError as error:
            self.app.call_from_thread(self._say, one_line_error(error), "error")
            return
        lines = [line for line in done.output.splitlines() if line.strip()]
        said = f": {clean_line(lines[-1])[:120]}" if lines else ""
        self.app.call_from_thread(self._say, f"Piped to {argv[0]}{said}")

    # notifications ----------------------------------------------------------------------
    def notify_new(self, new: NewStories) -> None:
        """A refresh brought ``new`` stories: tell the user the ways they asked for."""
        actions = self.session.settings.actions
        if not new.count:
            return
        if actions.notify_bell:
            self.app.bell()
        if actions.notify_desktop:
            sequence = desktop_sequence("tuireader", new.line())
            driver = getattr(self.app, "_driver", None)  # Textual's own OSC 52 goes this way
            if sequence and driver is not None:
                driver.write(sequence)
        if actions.notify_command:
            self._notify_command(new)

    @work(thread=True, group="notify", exit_on_error=False)
    def _notify_command(self, new: NewStories) -> None:
        problem = run_notify_command(self.session.settings.actions.notify_command, new)
        if problem:
            self.app.call_from_thread(self._say, problem, "warning")
