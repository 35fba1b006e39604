"""The open story: the article with its "also in", the Related, Ranking and Recommended lists
beside it, and its images.

The screen sets :attr:`ReaderPane.story_id`; the pane reads and renders the story off the
event loop, paints the body first, then its page lists, then the computed lists (debounced,
so skimming through stories does not start a computation for each) and the images. When the
body is on screen it posts :class:`ReaderPane.Opened`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.worker import Worker, get_current_worker

from tuireader.domain.discovery import Ranked
from tuireader.domain.errors import TuireaderError, UsageError
from tuireader.domain.text import clean_line, one_line_error, plural
from tuireader.services.browser import open_link
from tuireader.ui.failures import forward_failure
from tuireader.ui.modals import LinkPickerModal
from tuireader.ui.widgets.article_pane import ArticlePane
from tuireader.ui.widgets.story_list import ListLine, StoryList, merged

if TYPE_CHECKING:  # these load later, off the start-up path
    from tuireader.services.discovery import DiscoveryLists
    from tuireader.services.images import ImageCache
    from tuireader.services.reading import OpenedStory

logger = logging.getLogger(__name__)

DISCOVER_DEBOUNCE = 0.2
"""Seconds between opens under which the computed lists wait for the reader to stop."""
LISTS = (("related", "Related"), ("ranking", "Ranking"), ("recommended", "Recommended"))
"""The lists beside the article: (widget id, heading)."""
PAGE_FIELDS = {"related": "related", "ranking": "ranking", "recommended": "recommendation"}
"""Each list's field among the page's own lists."""
EMPTY = {
    # the same words whether or not the open story has just been read to the end (which
    # adds to the profile a moment later); `tuireader recommend` says more
    "recommended": "nothing to recommend yet",
}

OpenStory = Callable[[int], Awaitable["OpenedStory"]]
"""Reads and renders a story off the event loop."""
ListsFor = Callable[[int | None], "DiscoveryLists"]
"""Computes the lists beside a story (called on a worker thread)."""
Images = Callable[[], AbstractAsyncContextManager["ImageCache"]]


class ReaderPane(Horizontal):
    """Owns the open story and everything shown with it."""

    story_id: reactive[int | None] = reactive(None, always_update=True)
    """The story shown; set from the screen (``None``: none). Setting the same id again
    reads the story again (its full text arrived)."""

    class Opened(Message):
        """A story's body is on screen."""

        def __init__(self, story_id: int) -> None:
            super().__init__()
            self.story_id = story_id

    def __init__(
        self,
        open_story: OpenStory,
        lists_for: ListsFor,
        images: Images | None = None,
        *,
        browser: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._browser = browser
        self._open_story = open_story
        self._lists_for = lists_for
        self._images = images
        self._page_lists: dict[str, list[ListLine]] = {}
        self._discover_timer: Timer | None = None
        self._discover_asked = 0.0

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def compose(self) -> ComposeResult:
        yield ArticlePane(id="article")
        with Vertical(id="lists"):
            for widget_id, title in LISTS:
                yield StoryList(title, id=widget_id)

    @property
    def article(self) -> ArticlePane:
        """The article."""
        return self.query_one(ArticlePane)

    def _list(self, widget_id: str) -> StoryList:
        return self.query_one(f"#{widget_id}", StoryList)

    # the open story ---------------------------------------------------------------------
    def watch_story_id(self, story_id: int | None) -> None:
        if story_id is None:
            self._clear()
        else:
            self._load(story_id)

    def _clear(self) -> None:
        self._page_lists = {}
        self.article.clear()
        for widget_id, _ in LISTS:
            self._list(widget_id).show([])

    @work(exclusive=True, group="render", exit_on_error=False)
    async def _load(self, story_id: int) -> None:
        try:
            opened = await self._open_story(story_id)
        except UsageError:  # gone meanwhile (its source removed, the samples left)
            if self.story_id == story_id:
                self.story_id = None
            return
        if self.story_id != story_id:
            return
        reader = opened.reader
        await self.article.show(
            opened.story, reader.markdown, reader.links, opened.note, reader.images
        )
        self.call_after_refresh(self._after_paint, opened)

    def _after_paint(self, opened: OpenedStory) -> None:
        """What follows the body onto the screen; each costs a layout, so the body comes first."""
        story_id = opened.story.id
        if story_id is None or story_id != self.story_id:
            return
        self.post_message(self.Opened(story_id))
        self._show_page_lists(opened)
        if self._images is not None and opened.reader.images:
            self._load_images(story_id, opened.reader.images)

    def _show_page_lists(self, opened: OpenedStory) -> None:
        """The page's own lists at once; the computed ones follow from a worker."""
        self._page_lists = {}
        for widget_id, label in LISTS:
            where = f"from the page's {label} list"
            lines = [
                ListLine(
                    line.title,
                    line.story_id,
                    "from the page",
                    where if line.story_id else f"{where}; not in the library",
                )
                for line in opened.page_lists.get(PAGE_FIELDS[widget_id], [])
            ]
            self._page_lists[widget_id] = page = merged(lines, exclude=opened.story.id)
            self._list(widget_id).show(page, "from the page" if page else "")
        self.recompute(debounce=True)

    # the computed lists -----------------------------------------------------------------
    def recompute(self, debounce: bool = False) -> None:
        """Compute the lists beside the article again (the library changed). With
        ``debounce``, opens in quick succession compute only for the last one."""
        if self._discover_timer is not None:
            self._discover_timer.stop()
            self._discover_timer = None
        story_id = self.story_id
        now = time.monotonic()
        if not debounce or now - self._discover_asked >= DISCOVER_DEBOUNCE:
            self._discover(story_id)
        else:
            self._discover_timer = self.set_timer(
                DISCOVER_DEBOUNCE, lambda: self._discover(story_id)
            )
        self._discover_asked = now

    @work(thread=True, exclusive=True, group="discovery", exit_on_error=False)
    def _discover(self, story_id: int | None) -> None:
        lists = self._lists_for(story_id)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_lists, story_id, lists)

    def _show_lists(self, story_id: int | None, lists: DiscoveryLists) -> None:
        if story_id != self.story_id:
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
        empty = {"ranking": f"nothing in the last {lists.trending_hours} h", **EMPTY}
        for widget_id, items in computed.items():
            page = self._page_lists.get(widget_id, [])
            if items:
                subtitle = "computed" + (" + page" if page else "")
            else:
                subtitle = "from the page" if page else empty.get(widget_id, "")
            self._list(widget_id).show(merged(items, page, exclude=story_id), subtitle)
        also = []
        for i in lists.also_in:
            title, source = lists.titles.get(i, ("", ""))
            also.append(ListLine(source, i, title, f"the same event, as {source} tells it"))
        self.article.show_also_in(also)

    # images -----------------------------------------------------------------------------
    @work(exclusive=True, group="images", exit_on_error=False)
    async def _load_images(self, story_id: int, images: tuple[str, ...]) -> None:
        """Download and draw the article's images; scrolling never waits on this."""
        assert self._images is not None
        async with self._images() as cache:
            for number, url in enumerate(images[:12], 1):
                try:
                    path = await cache.get(url)
                except (TuireaderError, OSError) as exc:  # keeps its [image N] placeholder
                    logger.info("image %s not shown: %s", url, one_line_error(exc))
                    continue
                if self.story_id != story_id:
                    return
                await self.article.add_image(story_id, number, path)

    # links ------------------------------------------------------------------------------
    def open_url(self, url: str) -> None:
        """Open a link in the browser (the configured one, else the system's)."""
        problem = open_link(url, self._browser)
        if problem:
            self.notify(f"{problem}: {clean_line(url)[:80]}", severity="warning", markup=False)

    def _none(self, kind: str) -> str:
        if self.article.story is None:
            return f"Open a story first: its {kind} are numbered in the article."
        return f"This story has no {kind}."

    def open_link(self, n: int) -> None:
        """Open the article's link [n]."""
        links = self.article.links
        if 1 <= n <= len(links):
            self.open_url(links[n - 1])
        elif not links:
            self.notify(self._none("links"))
        else:
            self.notify(f"This story has only {plural(len(links), 'link', 'links')}.")

    def pick_link(self) -> None:
        """Choose one of the article's links to open."""
        self._pick(self.article.links, "links", "Open which link?")

    def open_image(self) -> None:
        """Open one of the article's images (the only one at once)."""
        self._pick(self.article.images, "images", "Open which image?")

    def _pick(self, urls: tuple[str, ...], kind: str, prompt: str) -> None:
        if not urls:
            self.notify(self._none(kind))
        elif len(urls) == 1 and kind == "images":
            self.open_url(urls[0])
        else:
            self.app.push_screen(
                LinkPickerModal(list(urls), prompt),
                lambda url: self.open_url(url) if url else None,
            )
