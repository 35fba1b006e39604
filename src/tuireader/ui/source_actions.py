"""Source and story-keeping actions of the main screen: add, remove, import, export, save,
full text. A mixin so the screen stays one responsibility per module."""

from __future__ import annotations

from pathlib import Path

from textual import work

from tuireader.domain.errors import SeveralFeedsError, TuireaderError, UsageError
from tuireader.domain.models import FetchStatus, Source
from tuireader.domain.query import StoryQuery
from tuireader.domain.text import clean_line, one_line_error, plural
from tuireader.domain.titles import display_title
from tuireader.services.files import read_user_file, write_user_file
from tuireader.services.reading import export_story
from tuireader.ui.confirm_modal import ConfirmModal
from tuireader.ui.failures import storage_guarded
from tuireader.ui.modals import AddSourceModal, LinkPickerModal, PathModal
from tuireader.ui.paths import open_path
from tuireader.ui.screen_parts import ScreenParts
from tuireader.ui.widgets.story_list import StoryList

EXPORT_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".txt": "txt"}
"""A saved story's format, by the file name's suffix."""


class SourceActions(ScreenParts):
    """What :class:`~tuireader.ui.main_screen.MainScreen` does to sources and stories."""

    def _current_source(self) -> Source | None:
        """The current story's source, else the one source the view shows (a source with
        no stories yet, say a feed that never answered, can still be refreshed or removed)."""
        story = self._target()
        if story is not None and story.source_id is not None:
            wanted = story.source_id
        elif len(self.view_query.source_ids) == 1:
            wanted = self.view_query.source_ids[0]
        else:
            return None
        try:
            found = self.library.find_sources([str(wanted)])
        except UsageError:  # removed meanwhile
            return None
        return found[0] if found else None

    def action_refresh_source(self) -> None:
        source = self._current_source()
        if source is not None:
            self.start_refresh([source])

    def action_refresh_all(self) -> None:
        self.start_refresh(None)

    def action_add_source(self) -> None:
        def added(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self._add_source(answer[0], answer[1])

        self.app.push_screen(AddSourceModal(), added)

    @work(exclusive=True, group="add", exit_on_error=False)
    async def _add_source(self, ref: str, folder: str) -> None:
        """Check, subscribe and fetch through the same service as ``tuireader add``."""
        from tuireader.services.subscribe import subscribe  # loads the network stack

        self.notify(f"Adding {clean_line(ref)}…", markup=False)
        try:
            added = await subscribe(
                self.library, ref, folder=folder, refresher=self.session.refresher
            )
        except SeveralFeedsError as exc:
            self._pick_feed(exc, folder)
            return
        except TuireaderError as exc:
            self.notify(one_line_error(exc), title="Not added", severity="error", markup=False)
            return
        name = clean_line(added.source.name)
        if added.found_on:
            self.notify(f"Found the feed {clean_line(added.source.url)} on the page.", markup=False)
        if not added.new:
            self.notify(f"Already subscribed: {name}", markup=False)
            return
        self.notify(f"Added {name}.", markup=False)
        self._own_source_added()
        self.refresh_sidebar()
        if added.report is not None:
            self._refreshed(added.report)

    def _pick_feed(self, several: SeveralFeedsError, folder: str) -> None:
        """A page that names several feeds: the user picks one, which is then added."""

        def picked(url: str | None) -> None:
            if url:
                self._add_source(url, folder)

        prompt = f"The page names {len(several.feeds)} feeds. Subscribe to which?"
        self.app.push_screen(LinkPickerModal([url for url, _ in several.feeds], prompt), picked)

    def _own_source_added(self) -> None:
        """After a source of the user's own came in: if the first-run samples left with it,
        say so and drop them from every list on screen at once."""
        notices = self.library.take_notices()
        if not notices:
            return
        for notice in notices:
            self.notify(clean_line(notice), title="Sample library removed", timeout=12)
        shown = self.article.story
        if shown is not None and shown.id is not None:
            try:
                self.library.story(shown.id)
            except UsageError:  # the open story was a sample
                self._open_id = None
                self.call_later(self.article.clear)
                for widget_id in ("related", "ranking", "recommended"):
                    self.query_one(f"#{widget_id}", StoryList).show([])
        self.headlines.reload()
        self.refresh_sidebar()
        self._update_status()
        self.session.discovery.invalidate()

    def action_remove_source(self) -> None:
        source = self._current_source()
        if source is None or source.id is None:
            return
        count = self.library.count(StoryQuery(source_ids=(source.id,)))
        name = clean_line(source.name)

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove_source(source)

        self.app.push_screen(
            ConfirmModal(
                f"Remove {name} and its {plural(count, 'story', 'stories')}? "
                "u undoes it afterwards.",
                "remove it",
            ),
            answered,
        )

    @storage_guarded
    def _remove_source(self, source: Source) -> None:
        dropped = self.library.remove_source(source)
        name = clean_line(source.name)
        self.notify(f"Removed {name} ({plural(dropped, 'story', 'stories')}). u undoes it.")
        shown = self.article.story
        if shown is not None and shown.source_id == source.id:
            self._close_story()
        self.headlines.reload()
        self._after_marks()

    def action_import_opml(self) -> None:
        def chosen(path: str | None) -> None:
            if not path:
                return
            try:
                added, skipped = self.library.import_opml(read_user_file(open_path(path)))
            except TuireaderError as exc:
                self.notify(one_line_error(exc), severity="error", markup=False)
                return
            self.notify(f"Imported {plural(len(added), 'feed')} ({skipped} already there).")
            self._own_source_added()
            self.refresh_sidebar()
            if added:
                self.start_refresh(added)

        self.app.push_screen(PathModal("Import which OPML file?"), chosen)

    def action_export_opml(self) -> None:
        def chosen(path: str | None) -> None:
            if not path:
                return
            try:
                write_user_file(open_path(path), self.library.export_opml())
            except TuireaderError as exc:
                self.notify(one_line_error(exc), severity="error", markup=False)
                return
            self.notify(f"Wrote {clean_line(str(open_path(path).resolve()))}", markup=False)

        self.app.push_screen(PathModal("Export subscriptions to:", "subscriptions.opml"), chosen)

    def action_full_text(self) -> None:
        story = self._target()
        if story is None or story.id is None:
            return
        self.notify("Fetching the full text…")
        self._fetch_full_text(story.id)

    @work(exclusive=True, group="fulltext", exit_on_error=False)
    async def _fetch_full_text(self, story_id: int) -> None:
        try:
            async with self.session.refresher() as refresher:
                assert refresher.fulltext is not None
                status = await refresher.fulltext.fetch_one(story_id)
        except TuireaderError as exc:  # anything else goes to the app's handler for workers
            status = one_line_error(exc)
        if status in (FetchStatus.OK, FetchStatus.NOT_MODIFIED):
            stored = status == FetchStatus.OK
            self.notify("Full text stored." if stored else "The page has not changed.")
        else:
            self.notify(f"Full text unavailable: {status}", severity="warning")
        if self._open_id == story_id:
            self._show_story(self.library.story(story_id))

    def action_save_page(self) -> None:
        def chosen(ref: str | None) -> None:
            if ref:
                self.notify("Saving…")
                self._save_page(ref)

        self.app.push_screen(PathModal("Save which page (URL) or file (path) for later?"), chosen)

    @work(exclusive=True, group="save", exit_on_error=False)
    async def _save_page(self, ref: str) -> None:
        try:
            async with self.session.saver() as saver:
                story, new = await saver.save(ref)
        except (TuireaderError, OSError) as exc:  # a bug goes to the app's handler for workers
            self.notify(f"Not saved: {one_line_error(exc)}", severity="error", markup=False)
            return
        self.notify(("Saved: " if new else "Already saved: ") + display_title(story.title))
        self._own_source_added()
        self.headlines.reload()
        self._after_marks()  # the sidebar and the status line count the same stories

    def action_export_story(self) -> None:
        story = self._target()
        if story is None or story.id is None:
            return
        full = self.library.story(story.id)
        name = (full.title or "untitled").lower()
        default = "".join(ch if ch.isalnum() else "-" for ch in name)[:50] + ".md"

        def write(target: Path, fmt: str) -> None:
            try:
                write_user_file(target, export_story(full, fmt))
            except TuireaderError as exc:
                self.notify(one_line_error(exc), severity="error", markup=False)
                return
            self.notify(f"Wrote {clean_line(str(target.resolve()))}", markup=False)

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
                self.app.push_screen(
                    ConfirmModal(question, "replace it"),
                    lambda yes: write(target, fmt) if yes else None,
                )
                return
            write(target, fmt)

        self.app.push_screen(PathModal("Save the story to (.md, .html or .txt):", default), chosen)
