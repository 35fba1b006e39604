"""The open story's enclosures, numbered, each with its download's progress bar."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import ProgressBar, Static

from tuireader.domain.downloads import Download, DownloadState, size_line
from tuireader.domain.models import Enclosure
from tuireader.domain.text import clean_line


def enclosure_line(n: int, enclosure: Enclosure, download: Download | None = None) -> Text:
    """``[a1] audio/mpeg · 12.3 MB · https://…/ep.mp3 · downloaded``, as plain text."""
    parts = [clean_line(enclosure.type) or "file", size_line(enclosure.length)]
    parts.append(clean_line(enclosure.url))
    if download is not None:
        if download.state is DownloadState.DONE:
            parts.append("downloaded")
        elif download.state is DownloadState.FAILED:
            parts.append("failed: " + clean_line(download.error)[:80])
        else:
            parts.append("downloading" if download.received else "queued")
    return Text(f"[a{n}] " + " · ".join(p for p in parts if p))


class EnclosureRow(Horizontal):
    """One enclosure: its line, and a progress bar while it downloads."""

    DEFAULT_CSS = """
    EnclosureRow { height: auto; }
    EnclosureRow > .-line { width: 1fr; height: auto; }
    EnclosureRow > ProgressBar { width: auto; height: 1; }
    """

    def __init__(self, n: int, enclosure: Enclosure) -> None:
        super().__init__(classes="-enclosure")
        self.n = n
        self.enclosure = enclosure
        self.download: Download | None = None

    def compose(self) -> ComposeResult:
        yield Static(enclosure_line(self.n, self.enclosure), classes="-line")
        bar = ProgressBar(show_eta=False)
        bar.display = False
        yield bar

    def show_download(self, download: Download) -> None:
        """Its download's state: the bar moves while it is queued or running."""
        self.download = download
        self.query_one(".-line", Static).update(enclosure_line(self.n, self.enclosure, download))
        bar = self.query_one(ProgressBar)
        bar.display = download.state is DownloadState.QUEUED
        total = download.total or self.enclosure.length
        bar.update(total=total, progress=download.received if total else 0)


class EnclosureList(Vertical):
    """The enclosures of the story shown (hidden when it has none)."""

    DEFAULT_CSS = "EnclosureList { height: auto; margin-bottom: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.enclosures: tuple[Enclosure, ...] = ()

    def on_mount(self) -> None:
        self.display = False

    async def show(self, enclosures: tuple[Enclosure, ...]) -> None:
        """List ``enclosures`` (none: hidden)."""
        self.enclosures = enclosures
        await self.remove_children()
        self.display = bool(enclosures)
        if enclosures:
            await self.mount_all(EnclosureRow(n, e) for n, e in enumerate(enclosures, 1))

    def show_download(self, download: Download) -> None:
        """A download moved: the row of its URL shows it."""
        for row in self.query(EnclosureRow):
            if row.enclosure.url == download.url:
                row.show_download(download)

    def downloaded(self, n: int) -> Download | None:
        """The ``n``-th enclosure's download, when shown here."""
        rows = list(self.query(EnclosureRow))
        return rows[n - 1].download if 1 <= n <= len(rows) else None
