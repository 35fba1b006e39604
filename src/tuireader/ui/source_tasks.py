"""The main screen's long tasks on sources and stories: refresh and sync, add, import and
export, save for later, full text, remove.

A component with no area on screen: it owns the tasks' workers and what they remember (a
refresh covering only some sources, whether "offline" was said), asks its questions in
modals, and posts what changed up to the screen. Network tasks run on a thread with their
own event loop and database connection, so neither a slow server nor another process's
write lock ever holds a key.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker

from tuireader.domain.accounts import Account
from tuireader.domain.errors import SeveralFeedsError, TuireaderError
from tuireader.domain.models import FetchStatus, Source, SourceKind
from tuireader.domain.text import clean_line, one_line_error, plural
from tuireader.domain.titles import display_title
from tuireader.services.files import read_user_file, write_user_file
from tuireader.services.reading import export_story
from tuireader.services.session import Session
from tuireader.ui.confirm_modal import ConfirmModal
from tuireader.ui.failures import forward_failure
from tuireader.ui.modals import AddSourceModal, LinkPickerModal, PathModal
from tuireader.ui.paths import open_path

if TYPE_CHECKING:  # these load with the first refresh, off the start-up path
    from tuireader.services.notify import NewStories
    from tuireader.services.refresh import Refresher
    from tuireader.services.refresh_report import RefreshReport, SourceDone
    from tuireader.services.syncing import AccountSynced

T = TypeVar("T")

EXPORT_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".txt": "txt"}
"""A saved story's format, by the file name's suffix."""


class SourceTasks(Widget):
    """Runs the tasks; posts :class:`Changed`, :class:`Refreshing`, :class:`Syncing`,
    :class:`SyncEnded`, :class:`Refreshed`, :class:`StoryUpdated` and
    :class:`SourceRemoved`."""

    DEFAULT_CSS = "SourceTasks { display: none; }"

    class Changed(Message):
        """Stored stories or sources changed: lists and counts are read again. ``notices``
        are what the library did on its own (the sample library left)."""

        def __init__(self, notices: list[str] | None = None) -> None:
            super().__init__()
            self.notices = notices or []

    class Refreshing(Message):
        """A refresh made progress (``total`` 0: it started)."""

        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

    class Syncing(Message):
        """An account's sync started."""

        def __init__(self, account: str) -> None:
            super().__init__()
            self.account = account

    class SyncEnded(Message):
        """An account's sync ended (``result.error``: how it failed)."""

        def __init__(self, result: AccountSynced) -> None:
            super().__init__()
            self.result = result

    class Refreshed(Message):
        """A refresh (or a sync of the accounts alone) ended."""

        def __init__(self, summary: str, offline: bool) -> None:
            super().__init__()
            self.summary = summary
            self.offline = offline

    class Indexed(Message):
        """Stories were embedded by meaning (after a refresh, or the backlog at start):
        the computed lists beside the article can be better now."""

    class StoryUpdated(Message):
        """A story's stored text changed (its full text arrived)."""

        def __init__(self, story_id: int) -> None:
            super().__init__()
            self.story_id = story_id

    class SourceRemoved(Message):
        """A source and its stories left the library."""

        def __init__(self, source_id: int) -> None:
            super().__init__()
            self.source_id = source_id

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._partial = False
        """The refresh running covers only some sources (just added or imported)."""
        self._said_offline = False
        self._syncing = False
        """Accounts are syncing (on the refresh's thread): another refresh leaves them be."""
        self._said: set[str] = set()
        self._meaning = threading.Lock()
        """One embedding pass at a time (the backlog's and a refresh's)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def _from_thread(self, callback: Callable[..., object], *args: object) -> None:
        self.app.call_from_thread(callback, *args)

    @staticmethod
    def _own_loop(task: Callable[[], Awaitable[T]]) -> T:
        """Run a network task to its end on this (worker) thread, in an event loop of its own."""

        async def run() -> T:
            return await task()

        return asyncio.run(run())

    # refresh ----------------------------------------------------------------------------
    def start_refresh(self, sources: list[Source] | None) -> None:
        """Refresh in the background (every source, then every account, when ``None``; an
        account's feed syncs its account); keys keep working."""
        if sources is None:
            self._start(None, self.session.accounts)
            return
        names = {s.account for s in sources if s.kind is SourceKind.ACCOUNT}
        accounts = [a for a in self.session.accounts if a.name in names]
        self._start([s for s in sources if s.kind is not SourceKind.ACCOUNT], accounts)

    def start_sync(self) -> None:
        """Sync every account in the background, without refreshing the other sources."""
        self._start([], self.session.accounts)

    def _start(self, sources: list[Source] | None, accounts: list[Account]) -> None:
        if accounts and self._syncing:
            self._note("The accounts are syncing already.")
            accounts = []
        if sources == [] and not accounts:
            return
        self._syncing = self._syncing or bool(accounts)
        self._partial = sources is not None
        self.post_message(self.Refreshing(0, 0))
        self._refresh(sources, accounts)

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def _refresh(self, sources: list[Source] | None, accounts: list[Account]) -> None:
        """Fetch the sources (none when ``[]``), then sync the accounts one by one, on this
        thread; progress counts both."""
        from tuireader.services.refresh_report import RefreshReport, SourceDone

        async def run() -> tuple[RefreshReport, list[AccountSynced]]:
            report = RefreshReport()
            fetched = 0
            mark = await self._new_stories_mark()
            if sources is None or sources:
                async with self.session.refresher() as refresher:
                    # a refresh of everything leaves sources that are not due for later
                    async for event in refresher.events(sources, due_only=sources is None):
                        if isinstance(event, SourceDone):
                            fetched = event.total
                            self._progress(event, len(accounts))
                        else:
                            report = event
                    notices = refresher.library.take_notices()
                if notices:
                    self._from_thread(self.post_message, self.Changed(notices))
            synced: list[AccountSynced] = []
            total = fetched + len(accounts)
            for n, account in enumerate(accounts):
                self._from_thread(self.post_message, self.Refreshing(fetched + n, total))
                self._from_thread(self.post_message, self.Syncing(account.name))
                result = await self.session.sync(account)
                synced.append(result)
                self._from_thread(self._account_synced, result)
            await self._tell_new_stories(mark)
            return report, synced

        try:
            report, synced = self._own_loop(run)
        except Exception:  # the status line stops saying "refreshing"; the app's handler
            self._from_thread(self._refreshed, RefreshReport(), [], bool(accounts))  # for
            raise  # failed workers tells
        self._from_thread(self._refreshed, report, synced, bool(accounts))

        self._index_meaning()

    def index_backlog(self) -> None:
        """Embed, in the background, the stories stored without a vector (the sample library
        loaded on first run, a library older than vectors, a refresh cut short)."""
        self._backlog()

    @work(thread=True, exclusive=True, group="meaning", exit_on_error=False)
    def _backlog(self) -> None:
        self._index_meaning()

    def _index_meaning(self) -> None:
        """On a worker thread: the rest of indexing (the model loads on first use); the
        lists beside the article are computed again when it embedded anything."""

        async def meaning() -> int:
            async with self.session.refresher() as refresher:
                if refresher.discovery is None:
                    return 0
                done = refresher.discovery.index_meaning()
                if done.problem:
                    self._from_thread(self._said_once, done.problem)
                return done.embedded

        with self._meaning:
            embedded = self._own_loop(meaning)
        if embedded:
            self._from_thread(self.post_message, self.Indexed())

    # notifications after a refresh that brought new stories (issue 13) ---------------------
    class NewStoriesArrived(Message):
        """A refresh stored new stories (posted only when a notification is asked for)."""

        def __init__(self, new: NewStories) -> None:
            super().__init__()
            self.new = new

    def _notifying(self) -> bool:
        actions = self.session.settings.actions
        return bool(actions.notify_command or actions.notify_bell or actions.notify_desktop)

    async def _new_stories_mark(self) -> int | None:
        """Before a refresh: the newest story id, when the user asked to be told."""
        if not self._notifying():
            return None
        return await self.session.reads.run(lambda lib: lib.newest_story_id())

    async def _tell_new_stories(self, mark: int | None) -> None:
        if mark is None:
            return
        from tuireader.services.notify import new_stories

        new = await self.session.reads.run(lambda lib: new_stories(lib, mark))
        if new.count:
            self._from_thread(self.post_message, self.NewStoriesArrived(new))

    def _progress(self, event: SourceDone, accounts: int) -> None:
        """On the refresh's thread: progress up to the screen (the accounts to sync after
        the sources counted in), a failed source in a line."""
        from tuireader.services.refresh_report import Outcome

        result = event.result
        self._from_thread(self.post_message, self.Refreshing(event.done, event.total + accounts))
        # a source that cannot be reached is said on its own when only some were refreshed
        # (just added or imported); in a full refresh, all of them failing means "offline"
        partial = self._partial
        if result.message and result.outcome is Outcome.FAILED and (partial or not result.offline):
            self._from_thread(
                self._say,
                result.message,
                clean_line(result.source.label)[:80],
            )

    def _said_once(self, message: str) -> None:
        """Our own fault, said once a session in a line (its traceback is in the log)."""
        if message in self._said:
            return
        self._said.add(message)
        self.notify(clean_line(message), title="Discovery", severity="warning", markup=False)

    def _say(self, message: str, title: str) -> None:
        self.notify(message, title=title, severity="warning", timeout=8, markup=False)

    def _account_synced(self, result: AccountSynced) -> None:
        """An account's sync ended: a failure in one line naming the account and why."""
        if result.failed:
            self.notify(
                result.line(), title="Sync failed", severity="warning", timeout=10, markup=False
            )
        self.post_message(self.SyncEnded(result))

    def _refreshed(
        self,
        report: RefreshReport,
        synced: list[AccountSynced] | None = None,
        syncing: bool = False,
    ) -> None:
        if syncing:
            self._syncing = False
        offline = report.offline and not self._partial
        if offline and not self._said_offline:
            self._said_offline = True
            self.notify(
                "Offline: no source could be reached. Reading from the cache.", severity="warning"
            )
        if report.stopped:
            self.notify(
                f"Refresh stopped: {clean_line(report.stopped)}. What is stored can still be read.",
                severity="error",
                timeout=15,
                markup=False,
            )
        parts = [report.summary()] if report.results else []
        parts += [result.line() for result in synced or ()]
        self.post_message(self.Refreshed(" · ".join(parts), offline))

    # adding -----------------------------------------------------------------------------
    def add_source(self) -> None:
        """Ask for a URL or path and subscribe to it."""

        def added(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self._add(answer[0], answer[1])

        self.app.push_screen(AddSourceModal(), added)

    @work(thread=True, exclusive=True, group="add", exit_on_error=False)
    def _add(self, ref: str, folder: str) -> None:
        """Check, subscribe and fetch through the same service as ``tuireader add``."""
        from tuireader.services.subscribe import Added, subscribe  # the network stack

        self._from_thread(self._note, f"Adding {clean_line(ref)}…")

        async def run() -> tuple[Added, list[str]]:
            async with self.session.refresher() as refresher:

                @contextlib.asynccontextmanager
                async def opened() -> AsyncIterator[Refresher]:
                    yield refresher

                added = await subscribe(refresher.library, ref, folder=folder, refresher=opened)
                return added, refresher.library.take_notices()

        try:
            added, notices = self._own_loop(run)
        except SeveralFeedsError as exc:
            self._from_thread(self._pick_feed, exc, folder)
            return
        except TuireaderError as exc:
            self._from_thread(self._error, one_line_error(exc), "Not added")
            return
        self._from_thread(self._added, added, notices)

    def _note(self, message: str) -> None:
        self.notify(message, markup=False)

    def _error(self, message: str, title: str = "") -> None:
        self.notify(message, title=title, severity="error", markup=False)

    def _added(self, added: object, notices: list[str]) -> None:
        from tuireader.services.subscribe import Added

        assert isinstance(added, Added)
        name = clean_line(added.source.name)
        if added.found_on:
            self._note(f"Found the feed {clean_line(added.source.url)} on the page.")
        if not added.new:
            self._note(f"Already subscribed: {name}")
            return
        self._note(f"Added {name}.")
        self.post_message(self.Changed(notices))
        if added.report is not None:
            self._refreshed(added.report)

    def _pick_feed(self, several: SeveralFeedsError, folder: str) -> None:
        """A page that names several feeds: the user picks one, which is then added."""

        def picked(url: str | None) -> None:
            if url:
                self._add(url, folder)

        prompt = f"The page names {len(several.feeds)} feeds. Subscribe to which?"
        self.app.push_screen(LinkPickerModal([url for url, _ in several.feeds], prompt), picked)

    # removing ---------------------------------------------------------------------------
    def remove_source(self, source: Source, count: int) -> None:
        """Ask, then unsubscribe (undoable)."""
        name = clean_line(source.name)

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(source)

        self.app.push_screen(
            ConfirmModal(
                f"Remove {name} and its {plural(count, 'story', 'stories')}? "
                "u undoes it afterwards.",
                "remove it",
            ),
            answered,
        )

    @work(group="remove", exit_on_error=False)
    async def _remove(self, source: Source) -> None:
        try:
            dropped = await self.session.writes.run(lambda lib: lib.remove_source(source))
        except TuireaderError as exc:
            self._error(f"Not removed: {one_line_error(exc)}")
            return
        name = clean_line(source.name)
        self._note(f"Removed {name} ({plural(dropped, 'story', 'stories')}). u undoes it.")
        assert source.id is not None
        self.post_message(self.SourceRemoved(source.id))
        self.post_message(self.Changed())

    # OPML -------------------------------------------------------------------------------
    def import_opml(self) -> None:
        """Ask for an OPML file and subscribe to its feeds."""

        def chosen(path: str | None) -> None:
            if path:
                self._import(path)

        self.app.push_screen(PathModal("Import which OPML file?"), chosen)

    @work(group="import", exit_on_error=False)
    async def _import(self, path: str) -> None:
        try:
            data = await asyncio.to_thread(read_user_file, open_path(path))
            added, skipped, notices = await self.session.writes.run(
                lambda lib: (*lib.import_opml(data), lib.take_notices())
            )
        except TuireaderError as exc:
            self._error(one_line_error(exc))
            return
        self._note(f"Imported {plural(len(added), 'feed')} ({skipped} already there).")
        self.post_message(self.Changed(notices))
        if added:
            self.start_refresh(added)

    def export_opml(self) -> None:
        """Ask for a file and write every feed to it as OPML."""

        def chosen(path: str | None) -> None:
            if path:
                self._export_opml(open_path(path))

        self.app.push_screen(PathModal("Export subscriptions to:", "subscriptions.opml"), chosen)

    @work(group="export", exit_on_error=False)
    async def _export_opml(self, target: Path) -> None:
        try:
            await self.session.reads.run(lambda lib: write_user_file(target, lib.export_opml()))
        except TuireaderError as exc:
            self._error(one_line_error(exc))
            return
        self._note(f"Wrote {clean_line(str(target.resolve()))}")

    # stories ----------------------------------------------------------------------------
    def full_text(self, story_id: int) -> None:
        """Fetch (or refetch) a story's page and keep its article text."""
        self.notify("Fetching the full text…")
        self._full_text(story_id)

    @work(thread=True, exclusive=True, group="fulltext", exit_on_error=False)
    def _full_text(self, story_id: int) -> None:
        async def run() -> str:
            async with self.session.refresher() as refresher:
                assert refresher.fulltext is not None
                return await refresher.fulltext.fetch_one(story_id)

        try:
            status = self._own_loop(run)
        except TuireaderError as exc:  # anything else goes to the app's handler for workers
            status = one_line_error(exc)
        self._from_thread(self._full_text_done, story_id, status)

    def _full_text_done(self, story_id: int, status: str) -> None:
        if status in (FetchStatus.OK, FetchStatus.NOT_MODIFIED):
            stored = status == FetchStatus.OK
            self.notify("Full text stored." if stored else "The page has not changed.")
        else:
            self.notify(f"Full text unavailable: {status}", severity="warning", markup=False)
        self.post_message(self.StoryUpdated(story_id))

    def save_page(self) -> None:
        """Ask for a URL or path and keep it in the Saved view."""

        def chosen(ref: str | None) -> None:
            if ref:
                self.notify("Saving…")
                self._save(ref)

        self.app.push_screen(PathModal("Save which page (URL) or file (path) for later?"), chosen)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, ref: str) -> None:
        async def run() -> tuple[str, bool, list[str]]:
            async with self.session.saver() as saver:
                story, new = await saver.save(ref)
                return story.title, new, saver.library.take_notices()

        try:
            title, new, notices = self._own_loop(run)
        except (TuireaderError, OSError) as exc:  # a bug goes to the app's handler for workers
            self._from_thread(self._error, f"Not saved: {one_line_error(exc)}")
            return
        said = ("Saved: " if new else "Already saved: ") + display_title(title)
        self._from_thread(self._note, said)
        self._from_thread(self.post_message, self.Changed(notices))

    def export_story(self, story_id: int, title: str) -> None:
        """Ask for a file name and write the story to it (.md, .html or .txt)."""
        name = (title or "untitled").lower()
        default = "".join(ch if ch.isalnum() else "-" for ch in name)[:50] + ".md"

        def chosen(path: str | None) -> None:
            if not path:
                return
            target = open_path(path)
            fmt = EXPORT_FORMATS.get(target.suffix.lower())
            if fmt is None:
                self.notify(
                    f"Give the file a .md, .html or .txt name, not {clean_line(target.name)!r}.",
                    severity="warning",
                    markup=False,
                )
                return
            if target.exists():
                question = f"Replace {clean_line(str(target.resolve()))}?"

                def answered(yes: bool | None) -> None:
                    if yes:
                        self._export_story(story_id, target, fmt)

                self.app.push_screen(ConfirmModal(question, "replace it"), answered)
                return
            self._export_story(story_id, target, fmt)

        self.app.push_screen(PathModal("Save the story to (.md, .html or .txt):", default), chosen)

    @work(group="export", exit_on_error=False)
    async def _export_story(self, story_id: int, target: Path, fmt: str) -> None:
        try:
            await self.session.reads.run(
                lambda lib: write_user_file(target, export_story(lib.story(story_id), fmt))
            )
        except TuireaderError as exc:
            self._error(one_line_error(exc))
            return
        self._note(f"Wrote {clean_line(str(target.resolve()))}")
