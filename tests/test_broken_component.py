"""A broken component never passes silently, and what was read while it was broken is read
again once it works: the extractor's import is broken (as lxml 6 without lxml_html_clean
broke it), then mended."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from feedserver import FeedServer
from test_cli import run
from tuireader.config.settings import GeneralSettings, Settings
from tuireader.domain.errors import ComponentError
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.query import StoryQuery
from tuireader.services.fulltext import FullText
from tuireader.services.library import Library
from tuireader.services.refresh import Outcome, Refresher
from tuireader.sources.http import Fetcher, FetchLimits, make_client
from tuireader.sources.local.htmlpage import parse_html_page
from tuireader.storage.database import open_database

PAGE = Path(__file__).parent / "fixtures" / "pages" / "article1.html"
LIMITS = FetchLimits(connect_timeout=2, read_timeout=2, deadline=4)
BROKEN = 'raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")\n'


def break_trafilatura(monkeypatch: pytest.MonkeyPatch) -> None:
    """``import trafilatura`` raises ImportError in this process until the test ends."""
    monkeypatch.setitem(sys.modules, "trafilatura", None)


def broken_env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """An environment whose ``import trafilatura`` raises ImportError, as on a fresh venv
    where lxml no longer provides html_clean."""
    fake = tmp_path / "broken-site" / "trafilatura"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(BROKEN)
    return {**env, "PYTHONPATH": str(fake.parent)}


@pytest.fixture
def library(tmp_path: Path) -> Library:
    conn, _ = open_database(tmp_path / "t.db")
    return Library(conn, Settings(general=GeneralSettings(full_text="auto")))


@contextlib.asynccontextmanager
async def refresher(library: Library) -> AsyncIterator[Refresher]:
    async with make_client("tuireader-test", LIMITS) as client:
        pages = FullText(library, Fetcher(client, replace(LIMITS, per_host=2)))
        yield Refresher(library, Fetcher(client, LIMITS), None, pages)


def test_a_missing_extractor_is_an_error_not_an_empty_story(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    break_trafilatura(monkeypatch)
    with pytest.raises(ComponentError, match=r"HTML extraction unavailable.*tuireader doctor"):
        parse_html_page(PAGE.read_text(encoding="utf-8"), "article1.html")


async def test_degraded_local_load_is_read_again_once_mended(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(PAGE, folder / "article1.html")
    source, _ = library.add_source(Source(url=str(folder), kind=SourceKind.LOCAL))
    with monkeypatch.context() as patch:
        break_trafilatura(patch)
        async with refresher(library) as r:
            report = await r.refresh([source])
        (result,) = report.results
        assert result.outcome is Outcome.FAILED
        assert "HTML extraction unavailable" in result.message
        assert not library.sources()[0].fingerprint  # nothing says "already read"
    async with refresher(library) as r:  # mended: the next refresh reads the files again
        report = await r.refresh(library.sources())
    assert report.results[0].outcome is Outcome.UPDATED, report.results[0].message
    (story,) = library.page(StoryQuery(), 10)
    assert "breakwater" in library.story(story.id or 0).content
    async with refresher(library) as r:  # and then skips them while unchanged
        report = await r.refresh(library.sources())
    assert report.results[0].outcome is Outcome.UNCHANGED


async def test_a_bad_file_still_keeps_the_fingerprint(library: Library, tmp_path: Path) -> None:
    """The other side: a file that is bad in itself is not read again and again."""
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "broken.json").write_text("{not json")
    (folder / "note.md").write_text("# A note\n\nSome words.\n")
    source, _ = library.add_source(Source(url=str(folder), kind=SourceKind.LOCAL))
    async with refresher(library) as r:
        report = await r.refresh([source])
    assert report.results[0].outcome is Outcome.UPDATED
    assert "broken.json" in report.results[0].message
    async with refresher(library) as r:
        report = await r.refresh(library.sources())
    assert report.results[0].outcome is Outcome.UNCHANGED


async def test_page_that_failed_through_our_fault_is_fetched_again(
    feed_server: FeedServer, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = feed_server.add("/page.html", PAGE.read_bytes())
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
        "<description>One line.</description></item>"
        for title, link, guid in (
            ("Tidal pilot", page, "g1"),
            ("Gone page", feed_server.url("/404"), "g2"),
        )
    )
    feed = feed_server.add(
        "/f.xml", f"<rss version='2.0'><channel><title>S</title>{items}</channel></rss>".encode()
    )
    library.add_source(Source(url=feed, kind=SourceKind.FEED))
    with monkeypatch.context() as patch:
        break_trafilatura(patch)
        async with refresher(library) as r:
            report = await r.refresh()
    assert report.full_text is not None and report.full_text.failed == 2
    ids = {s.title: s.id or 0 for s in library.page(StoryQuery(), 10)}
    broken = library.story(ids["Tidal pilot"])
    assert broken.full_text_status.startswith("internal error: HTML extraction unavailable")
    assert "no article text" not in broken.full_text_status
    async with refresher(library) as r:  # mended; the feed itself has not changed
        report = await r.refresh()
    assert report.full_text is not None and report.full_text.fetched == 1
    mended = library.story(ids["Tidal pilot"])
    assert mended.full_text_status == "ok" and "breakwater" in mended.full_text
    assert feed_server.hits["/page.html"] == 2
    assert feed_server.hits["/404"] == 1  # a page that is gone is not asked for again


def test_cli_save_fails_loudly_when_extraction_is_broken(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    env = broken_env(isolated_env, tmp_path)
    saved = run(env, "save", str(PAGE))
    assert saved.returncode == 1, saved.stdout + saved.stderr
    assert "HTML extraction unavailable" in saved.stderr
    assert "tuireader doctor" in saved.stderr and "Traceback" not in saved.stderr
    assert "saved" not in saved.stdout
    listed = json.loads(run(isolated_env, "list", "--json", "--search", "breakwater").stdout)
    assert listed == []


def test_cli_local_html_source_fails_loudly_then_loads_once_mended(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(PAGE, folder / "article1.html")
    added = run(broken_env(isolated_env, tmp_path), "add", str(folder))
    assert added.returncode == 1, added.stdout + added.stderr
    assert "FAILED" in added.stderr and "HTML extraction unavailable" in added.stderr
    again = run(isolated_env, "refresh", str(folder))
    assert again.returncode == 0, again.stderr
    found = json.loads(run(isolated_env, "list", "--json", "--search", "breakwater").stdout)
    assert len(found) == 1


def test_a_parser_bug_is_logged_and_marks_the_load_degraded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from tuireader.sources.feedparse import parse_feed
    from tuireader.sources.local import loader

    def buggy(text: str, rel: str) -> None:
        raise TypeError("a bug of ours")

    (tmp_path / "a.md").write_text("# A\n\ntext\n")
    (tmp_path / "b.json").write_text("{broken")
    monkeypatch.setattr(loader, "parse_markdown", buggy)
    result = loader.load_path(tmp_path, parse_feed)
    assert result.degraded
    assert dict(result.errors)["a.md"].startswith("internal error: TypeError")
    assert "a bug of ours" in caplog.text and "Traceback" in caplog.text
    monkeypatch.undo()
    (tmp_path / "a.md").unlink()
    assert not loader.load_path(tmp_path, parse_feed).degraded  # a bad file alone is not
