"""The article: a plain-text header and the body as Markdown with numbered links."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Label, Static

from tuireader.domain.dates import date_line
from tuireader.domain.models import Story
from tuireader.domain.text import clean_line, clean_text
from tuireader.domain.titles import display_title
from tuireader.ui.commands import Scope, bindings
from tuireader.ui.graphics import load_picture
from tuireader.ui.widgets.enclosure_list import EnclosureList
from tuireader.ui.widgets.story_list import ListLine, StoryList

LARGE = 60_000
"""Bodies over this many characters are shown as plain text in chunks: one Static would
re-wrap all of a 200 KB page on every repaint; chunks are laid out once and only the
visible ones are drawn. Smaller bodies are one Rich Markdown renderable (headings, lists,
quotes, code, tables) in one Static: no widget per block to mount and lay out."""
PLACEHOLDER = "Choose a story: j/k to move, enter to open, ? for help."
CHUNK = 4_000
FIRST_CHUNKS = 3


def chunked(text: str, size: int = CHUNK) -> list[str]:
    """``text`` cut at paragraph breaks into pieces of about ``size`` characters."""
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for paragraph in text.split("\n\n"):
        if current and length + len(paragraph) > size:
            chunks.append("\n\n".join(current))
            current, length = [], 0
        current.append(paragraph)
        length += len(paragraph) + 2
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def header_text(story: Story, note: str = "") -> Text:
    """Title, source, author, date, link, category and popularity, all as plain text."""
    text = Text()
    text.append(display_title(story.title) + "\n", style="bold")
    meta = [
        story.source_title,
        story.author,
        date_line(story.published, story.updated, story.first_seen),
    ]
    text.append(" · ".join(clean_line(m) for m in meta if m) + "\n", style="italic")
    if story.link:
        text.append(clean_line(story.link) + "\n", style="underline")
    extra = []
    if story.categories:
        extra.append("Category: " + ", ".join(clean_line(c) for c in story.categories))
    if story.popularity is not None:
        extra.append(f"Popularity: {story.popularity:,}")
    if extra:
        text.append("  ".join(extra) + "\n", style="dim")
    if note:
        text.append(clean_line(note) + "\n", style="italic dim")
    return text


class ArticlePane(VerticalScroll, can_focus=True):
    """Shows one story; links are opened by number (1–9, L), never from the text itself.

    With focus, the moving keys scroll the text."""

    BINDINGS = [b for b in bindings(Scope.FOCUSED) if b.id != "open"]

    DEFAULT_CSS = """
    ArticlePane { padding: 0 1; }
    ArticlePane > #article-header { margin-bottom: 1; }
    ArticlePane > #article-body { height: auto; }
    ArticlePane > #also-in { height: auto; max-height: 8; }
    ArticlePane > #article-images { height: auto; }
    ArticlePane > #article-plain { height: auto; }
    ArticlePane > #article-plain > Static { margin-bottom: 1; }
    ArticlePane .-image { height: 16; width: auto; }
    """

    class Finished(Message):
        """The reader reached the end of the story."""

        def __init__(self, story_id: int) -> None:
            super().__init__()
            self.story_id = story_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.story: Story | None = None
        self.links: tuple[str, ...] = ()
        self.images: tuple[str, ...] = ()
        self._finished = False

    def on_mount(self) -> None:
        self.query_one("#also-in").display = False

    def compose(self) -> ComposeResult:
        yield Static(Text(PLACEHOLDER), id="article-header")
        yield EnclosureList(id="enclosures")
        yield StoryList("Also in", id="also-in")
        yield Static(id="article-body")
        yield Vertical(id="article-plain")
        yield Vertical(id="article-images")

    async def show(
        self,
        story: Story,
        markdown: str,
        links: tuple[str, ...],
        note: str = "",
        images: tuple[str, ...] = (),
    ) -> None:
        """Display a story's reader text."""
        self.story = story
        self.links = links
        self.images = images
        await self.query_one("#article-images", Vertical).remove_children()
        self.query_one("#article-header", Static).update(header_text(story, note))
        await self.enclosure_list.show(story.enclosures)
        body = self.query_one("#article-body", Static)
        plain = self.query_one("#article-plain", Vertical)
        await plain.remove_children()
        footer = ""
        if links:
            footer = "\n\n---\n\n" + "\n".join(f"{n}. {link}" for n, link in enumerate(links, 1))
        if len(markdown) > LARGE:
            body.display = False
            plain.display = True
            chunks = chunked(clean_text(markdown + footer))
            # the first screenfuls at once, the rest after they are painted
            await plain.mount_all(Static(Text(c)) for c in chunks[:FIRST_CHUNKS])
            if len(chunks) > FIRST_CHUNKS:
                self.call_after_refresh(self._mount_rest, story.id, chunks[FIRST_CHUNKS:])
        else:
            plain.display = False
            body.display = True
            from rich.markdown import Markdown  # loaded after start-up (warmed up then)

            body.update(Markdown(markdown + footer, hyperlinks=False))
        self._finished = False
        self.scroll_home(animate=False)
        self.call_after_refresh(self._check_end)

    def clear(self) -> None:
        """Show no story (it was removed)."""
        self.story = None
        self.links = ()
        self.images = ()
        self.query_one("#article-header", Static).update(Text(PLACEHOLDER))
        self.call_later(self.enclosure_list.show, ())
        self.query_one("#article-body", Static).update("")
        self.query_one("#article-plain", Vertical).remove_children()
        self.query_one("#article-images", Vertical).remove_children()
        self.show_also_in([])
        self.scroll_home(animate=False)

    async def _mount_rest(self, story_id: int | None, chunks: list[str]) -> None:
        if self.story is not None and self.story.id == story_id:
            await self.query_one("#article-plain", Vertical).mount_all(
                Static(Text(c)) for c in chunks
            )

    async def add_image(self, story_id: int, number: int, path: Path) -> None:
        """Draw a downloaded image below the text (terminals with Kitty graphics or Sixel)."""
        if self.story is None or self.story.id != story_id:
            return
        picture = await asyncio.to_thread(load_picture, path)
        if picture is None or self.story is None or self.story.id != story_id:
            return
        from textual_image.widget import Image  # imported before start-up by the app

        box = self.query_one("#article-images", Vertical)
        await box.mount(Label(f"[image {number}]", markup=False), Image(picture, classes="-image"))

    @property
    def enclosure_list(self) -> EnclosureList:
        """The open story's enclosures and their downloads."""
        return self.query_one(EnclosureList)

    def show_also_in(self, items: list[ListLine]) -> None:
        """Other versions of the same event, so they can be opened."""
        also = self.query_one("#also-in", StoryList)
        also.show(items)
        also.display = bool(items)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._check_end()

    def action_cursor_down(self) -> None:
        """Scroll down a line."""
        self.scroll_down(animate=False)

    def action_cursor_up(self) -> None:
        """Scroll up a line."""
        self.scroll_up(animate=False)

    def action_first(self) -> None:
        """To the top."""
        self.scroll_home(animate=False)

    def action_last(self) -> None:
        """To the end."""
        self.scroll_end(animate=False)

    def action_page_down(self) -> None:
        """Down a screenful."""
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        """Up a screenful."""
        self.scroll_page_up(animate=False)

    def _check_end(self) -> None:
        if self.story is not None and not self._finished and self.at_end:
            self._finished = True
            self.post_message(self.Finished(self.story.id or 0))

    @property
    def at_end(self) -> bool:
        """Scrolled to the bottom."""
        return self.scroll_y >= self.max_scroll_y
