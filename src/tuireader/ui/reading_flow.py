"""Reading: opening a story, painting its body first, then the counts, page lists, computed
lists and images that follow it. A part of the main screen."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from textual import on, work
from textual.worker import get_current_worker

from tuireader.domain.discovery import Ranked
from tuireader.domain.errors import StorageError, TuireaderError
from tuireader.domain.models import Story
from tuireader.domain.text import one_line_error
from tuireader.services.reading import full_text_note, page_lists, reader_text
from tuireader.ui.failures import storage_guarded, storage_refused
from tuireader.ui.modals import LinkPickerModal
from tuireader.ui.screen_parts import ScreenParts
from tuireader.ui.widgets.article_pane import ArticlePane
from tuireader.ui.widgets.story_list import ListLine, StoryList, merged

if TYPE_CHECKING:  # these load later, off the start-up path
    from tuireader.content.reader import ReaderText
    from tuireader.services.discovery import DiscoveryLists

logger = logging.getLogger(__name__)

DISCOVER_DEBOUNCE = 0.2
"""Seconds between opens under which the computed lists wait for the reader to stop."""
SMALL_BODY = 20_000
"""Bodies under this many characters are rendered on the spot; larger ones in a thread."""


class ReadingFlow(ScreenParts):
    """What the main screen does when a story is opened."""

    def open_story(self, story: Story, focus: bool = True) -> None:
        """Show a story and mark it read (after the configured delay).

        The read mark is written at once; the body is painted before anything else on screen
        changes (counts, page lists and computed lists follow it).
        """
        assert story.id is not None
        full = self.library.story(story.id)
        self._open_id = full.id
        self._pending_focus = full.id if focus else None
        marked = False
        delay = self.session.settings.general.mark_read_delay
        if not full.read:
            if delay > 0:
                self.set_timer(delay, lambda: self._mark_read_if_open(full))
            else:
                try:
                    self.library.mark([story.id], read=True)
                except StorageError as error:  # read-only or a full disk: still shown
                    storage_refused(self, error)
                else:
                    full.read = marked = True
                    self.headlines.update_story(full)
        if len(full.body) + len(full.full_text) < SMALL_BODY:
            reader = reader_text(full)  # a few ms: no thread hand-off
            self.call_later(self._present, full, reader, full_text_note(full), marked, focus)
        else:
            self._render_story(full, marked, focus)

    def _refresh_lists(self) -> None:
        """Compute the lists beside the article again (after "not interested")."""
        self._discover(self._open_id)

    def _close_story(self) -> None:
        """Empty the article pane and its lists (the story is gone from the library)."""
        self._open_id = None
        self._page_lists = {}
        self.article.clear()
        for widget_id in ("related", "ranking", "recommended"):
            self.query_one(f"#{widget_id}", StoryList).show([])
        if self.focused is self.article or self.focused is None:
            self.set_focus(self.headlines)

    def _show_story(self, story: Story) -> None:
        """Render a story again (after its full text arrived)."""
        self._render_story(story)

    @storage_guarded
    def _mark_read_if_open(self, story: Story) -> None:
        if self._open_id != story.id:
            return
        assert story.id is not None
        self.library.mark([story.id], read=True)
        story.read = True
        self.headlines.update_story(story)
        self._after_marks()

    @work(thread=True, exclusive=True, group="render", exit_on_error=False)
    def _render_story(self, story: Story, marked: bool = False, focus: bool = False) -> None:
        reader = reader_text(story)
        note = full_text_note(story)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(
                self.call_later, self._present, story, reader, note, marked, focus
            )

    async def _present(
        self, story: Story, reader: ReaderText, note: str, marked: bool, focus: bool = False
    ) -> None:
        if story.id != self._open_id:
            return
        await self.article.show(story, reader.markdown, reader.links, note, reader.images)
        self.call_after_refresh(self._after_open, story, reader, marked, focus)

    def _after_open(
        self, story: Story, reader: ReaderText, marked: bool, focus: bool = False
    ) -> None:
        """What follows the body onto the screen: focus (and so the footer), counts, page
        lists, computed lists, images. Each of them costs a layout; the body comes first."""
        if story.id != self._open_id:
            return
        if focus and self._pending_focus == story.id:  # unless the reader went back meanwhile
            self.set_focus(self.article)
        self._pending_focus = None
        if marked:
            self._after_marks()
        self._show_page_lists(story)
        if self.session.inline_images and reader.images and story.id is not None:
            self._load_images(story.id, reader.images)

    @work(exclusive=True, group="images", exit_on_error=False)
    async def _load_images(self, story_id: int, images: tuple[str, ...]) -> None:
        """Download and draw the article's images; scrolling never waits on this."""
        async with self.session.images() as cache:
            for number, url in enumerate(images[:12], 1):
                try:
                    path = await cache.get(url)
                except (TuireaderError, OSError) as exc:  # keeps its [image N] placeholder
                    logger.info("image %s not shown: %s", url, one_line_error(exc))
                    continue
                if self._open_id != story_id:
                    return
                await self.article.add_image(story_id, number, path)

    def action_open_image(self) -> None:
        images = self.article.images
        if not images:
            self.notify(
                "This story has no images."
                if self.article.story is not None
                else "Open a story first: its images are numbered in the article."
            )
        elif len(images) == 1:
            self._open_url(images[0])
        else:
            self.app.push_screen(
                LinkPickerModal(images, "Open which image?"),
                lambda url: self._open_url(url) if url else None,
            )

    def _show_page_lists(self, story: Story | None) -> None:
        """The page's own lists at once; computed ones follow from a worker."""
        self._page_lists = {}
        if story is not None:
            lists = page_lists(story, self.library.match_titles)
            for widget_id, name, label in (
                ("related", "related", "Related"),
                ("ranking", "ranking", "Ranking"),
                ("recommended", "recommendation", "Recommended"),
            ):
                where = f"from the page's {label} list"
                self._page_lists[widget_id] = merged(
                    [
                        ListLine(
                            line.title,
                            line.story_id,
                            "from the page",
                            where if line.story_id else f"{where}; not in the library",
                        )
                        for line in lists[name]
                    ],
                    exclude=story.id,
                )
        for widget_id in ("related", "ranking", "recommended"):
            page = self._page_lists.get(widget_id, [])
            self.query_one(f"#{widget_id}", StoryList).show(page, "from the page" if page else "")
        # debounced: skimming through stories does not start a computation for each one,
        # but an open after a pause computes at once
        if self._discover_timer is not None:
            self._discover_timer.stop()
            self._discover_timer = None
        story_id = story.id if story is not None else None
        now = time.monotonic()
        if now - self._discover_asked >= DISCOVER_DEBOUNCE:
            self._discover(story_id)
        else:
            self._discover_timer = self.set_timer(
                DISCOVER_DEBOUNCE, lambda: self._discover(story_id)
            )
        self._discover_asked = now

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Load the HTML converter while the reader looks at the list, not on the first open."""
        reader_text(Story(key="", title="", content="<p>warm up</p>"))
        import rich.markdown  # noqa: F401 - the article's renderer, before it is needed

    @work(thread=True, exclusive=True, group="discovery", exit_on_error=False)
    def _discover(self, story_id: int | None) -> None:
        lists = self.session.discovery.lists_for(story_id)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_lists, story_id, lists)

    def _show_lists(self, story_id: int | None, lists: DiscoveryLists) -> None:
        if story_id != self._open_id:
            return

        def rows(ranked: list[Ranked]) -> list[ListLine]:
            out = []
            for r in ranked:
                title, source = lists.titles.get(r.id, ("", ""))
                out.append(ListLine(title, r.id, r.why.split("  (")[0], f"{source}: {r.why}"))
            return out

        computed = {
            "related": rows(lists.related),
            "ranking": rows(lists.ranking),
            "recommended": rows(lists.recommended),
        }
        empty = {
            "ranking": f"nothing in the last {lists.trending_hours} h",
            # the same words whether or not the open story has just been read to the end
            # (which adds to the profile a moment later); `tuireader recommend` says more
            "recommended": "nothing to recommend yet",
        }
        for widget_id, items in computed.items():
            page = self._page_lists.get(widget_id, [])
            self.query_one(f"#{widget_id}", StoryList).show(
                merged(items, page, exclude=story_id),
                "computed" + (" + page" if page else "")
                if items
                else ("from the page" if page else empty.get(widget_id, "")),
            )
        also = []
        for i in lists.also_in:
            title, source = lists.titles.get(i, ("", ""))
            also.append(ListLine(source, i, title, f"the same event, as {source} tells it"))
        self.article.show_also_in(also)

    @on(ArticlePane.Finished)
    @storage_guarded
    def _finished(self, event: ArticlePane.Finished) -> None:
        self.library.mark_finished(event.story_id)

    def _after_marks(self) -> None:
        self.refresh_sidebar()
        self._update_status()
