"""The article: a plain-text header and the body as Markdown with numbered links."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Markdown, Static

from tuireader.domain.models import Story
from tuireader.domain.text import clean_line, clean_text

LARGE = 60_000
"""Bodies over this many characters are shown as plain text: the Markdown widget builds a
widget per block, which is too slow for a 200 KB page."""


def header_text(story: Story) -> Text:
    """Title, source, author, date, link, category and popularity, all as plain text."""
    text = Text()
    text.append(clean_line(story.title) + "\n", style="bold")
    meta = [
        story.source_title,
        story.author,
        story.published.strftime("%Y-%m-%d %H:%M UTC") if story.published else "",
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
    return text


class ArticlePane(VerticalScroll, can_focus=True):
    """Shows one story; posts :class:`ArticlePane.LinkChosen` for clicked links."""

    DEFAULT_CSS = """
    ArticlePane { padding: 0 1; }
    ArticlePane > #article-header { margin-bottom: 1; }
    ArticlePane > Markdown { margin: 0; padding: 0; }
    """

    class LinkChosen(Message):
        """A link in the article was clicked."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.story: Story | None = None
        self.links: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(
            Text("Choose a story: j/k to move, enter to open, ? for help."), id="article-header"
        )
        yield Markdown("", id="article-body", open_links=False)
        yield Static("", id="article-plain")

    async def show(self, story: Story, markdown: str, links: tuple[str, ...]) -> None:
        """Display a story's reader text."""
        self.story = story
        self.links = links
        self.query_one("#article-header", Static).update(header_text(story))
        body = self.query_one("#article-body", Markdown)
        plain = self.query_one("#article-plain", Static)
        footer = ""
        if links:
            footer = "\n\n---\n\n" + "\n".join(f"{n}. {link}" for n, link in enumerate(links, 1))
        if len(markdown) > LARGE:
            body.display = False
            plain.display = True
            plain.update(Text(clean_text(markdown + footer)))
            await body.update("")
        else:
            plain.display = False
            plain.update("")
            body.display = True
            await body.update(markdown + footer)
        self.scroll_home(animate=False)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self.post_message(self.LinkChosen(event.href))

    @property
    def at_end(self) -> bool:
        """Scrolled to the bottom."""
        return self.scroll_y >= self.max_scroll_y
