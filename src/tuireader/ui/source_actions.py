"""Source and story-keeping actions of the main screen: add, remove, import, export, save,
full text. A mixin so the screen stays one responsibility per module."""

from __future__ import annotations

from textual import work

from tuireader.domain.errors import TuireaderError, UsageError
from tuireader.domain.models import Source
from tuireader.domain.text import clean_line, one_line_error
from tuireader.domain.titles import display_title
from tuireader.services.library import source_for
from tuireader.services.reading import export_story
from tuireader.ui.modals import AddSourceModal, PathModal
from tuireader.ui.paths import open_path
from tuireader.ui.screen_parts import ScreenParts
from tuireader.ui.widgets.story_list import StoryList


class SourceActions(ScreenParts):
    """What :class:`~tuireader.ui.main_screen.MainScreen` does to sources and stories."""

    def _current_source(self) -> Source | None:
        story = self._target()
        if story is None or story.source_id is None:
            return None
        found = self.library.find_sources([str(story.source_id)])
        return found[0] if found else None

    def action_refresh_source(self) -> None:
        source = self._current_source()
        if source is not None:
            self.start_refresh([source])

    def action_refresh_all(self) -> None:
        self.start_refresh(None)

    def action_add_source(self) -> None:
        def added(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            try:
                source, new = self.library.add_source(source_for(answer[0], answer[1]))
            except TuireaderError as exc:
                self.notify(one_line_error(exc), severity="error")
                return
            if not new:
                self.notify(f"Already subscribed: {clean_line(source.name)}")
                return
            self._own_source_added()
            self.refresh_sidebar()
            self.start_refresh([source])

        self.app.push_screen(AddSourceModal(), added)

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
        if source is None:
            return
        dropped = self.library.remove_source(source)
        self.notify(f"Removed {clean_line(source.name)} ({dropped} stories). u undoes it.")
        self.headlines.reload()
        self._after_marks()

    def action_import_opml(self) -> None:
        def chosen(path: str | None) -> None:
            if not path:
                return
            try:
                added, skipped = self.library.import_opml(open_path(path).read_bytes())
            except (OSError, ValueError, TuireaderError) as exc:
                self.notify(one_line_error(exc), severity="error")
                return
            self.notify(f"Imported {len(added)} feeds ({skipped} already there).")
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
                open_path(path).write_text(self.library.export_opml(), encoding="utf-8")
            except OSError as exc:
                self.notify(one_line_error(exc), severity="error")
                return
            self.notify(f"Wrote {clean_line(path)}")

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
        if status in ("ok", "not modified"):
            self.notify("Full text stored." if status == "ok" else "The page has not changed.")
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
        self.refresh_sidebar()

    def action_export_story(self) -> None:
        story = self._target()
        if story is None or story.id is None:
            return
        full = self.library.story(story.id)
        name = (full.title or "untitled").lower()
        default = "".join(ch if ch.isalnum() else "-" for ch in name)[:50] + ".md"

        def chosen(path: str | None) -> None:
            if not path:
                return
            target = open_path(path)
            fmt = {".html": "html", ".htm": "html", ".txt": "txt"}.get(target.suffix.lower(), "md")
            try:
                target.write_text(export_story(full, fmt), encoding="utf-8")
            except OSError as exc:
                self.notify(one_line_error(exc), severity="error")
                return
            self.notify(f"Wrote {clean_line(str(target))}")

        self.app.push_screen(PathModal("Save the story to (.md, .html or .txt):", default), chosen)
