"""The download queue: every download, newest first, each with its progress bar."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, ProgressBar, Static

from tuireader.domain.downloads import Download, DownloadState, size_line
from tuireader.domain.text import clean_line


def download_line(download: Download) -> Text:
    """``ep1.mp3 · 12.0 MB of 48.2 MB · queued``, as plain text."""
    name = clean_line(download.path.rsplit("/", 1)[-1])
    got = size_line(download.received) if download.received else ""
    if got and download.total and download.state is not DownloadState.DONE:
        got += f" of {size_line(download.total)}"
    state = download.state.value
    if download.error:
        state += ": " + clean_line(download.error)[:80]
    return Text(" · ".join(p for p in (name, got, state) if p))


class DownloadRow(Horizontal):
    """One download and its bar."""

    DEFAULT_CSS = """
    DownloadRow { height: auto; }
    DownloadRow > .-line { width: 1fr; height: auto; }
    DownloadRow > ProgressBar { width: auto; height: 1; }
    """

    def __init__(self, download: Download) -> None:
        super().__init__()
        self.download = download

    def compose(self) -> ComposeResult:
        yield Static(download_line(self.download), classes="-line")
        yield ProgressBar(show_eta=False)

    def on_mount(self) -> None:
        self.show(self.download)

    def show(self, download: Download) -> None:
        """Its state now."""
        self.download = download
        self.query_one(".-line", Static).update(download_line(download))
        bar = self.query_one(ProgressBar)
        bar.display = download.state is not DownloadState.FAILED
        bar.update(total=download.total, progress=download.received if download.total else 0)


class DownloadsModal(ModalScreen[None]):
    """The queue, kept up to date while open (:meth:`show_download`)."""

    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close")]

    def __init__(self, downloads: Sequence[Download], folder: str) -> None:
        super().__init__()
        self.downloads = list(downloads)
        self.folder = folder

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide tall"):
            yield Label(Text(f"Downloads into {clean_line(self.folder)} · escape closes"))
            if not self.downloads:
                yield Label("Nothing downloaded yet: d on a story's enclosure queues it.")
            for download in self.downloads:
                yield DownloadRow(download)

    def show_download(self, download: Download) -> None:
        """A download moved: its row follows (a new one is added at the top)."""
        for row in self.query(DownloadRow):
            if row.download.id == download.id:
                row.show(download)
                return
        scroll = self.query_one(VerticalScroll)
        scroll.mount(DownloadRow(download), after=scroll.children[0])
