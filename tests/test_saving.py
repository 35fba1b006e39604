"""The read-later inbox and story export, through the real core, CLI and app."""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from feedserver import FeedServer
from tuireader.config.settings import Settings
from tuireader.domain.query import StoryQuery
from tuireader.services.library import Library
from tuireader.services.reading import export_story
from tuireader.services.saving import Saver
from tuireader.sources.http import Fetcher, FetchLimits, make_client
from tuireader.storage.database import open_database

LIMITS = FetchLimits(connect_timeout=2, read_timeout=2, deadline=4)
EXE = str(Path(sys.executable).parent / "tuireader")


def tiny_pdf(text: str, title: str) -> bytes:
    """A one-page PDF with a text line and a title, written by hand."""
    stream = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>stream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    conn, _ = open_database(tmp_path / "s.db")
    return Library(conn, Settings())


async def save(library: Library, ref: str) -> tuple[object, bool]:
    async with make_client("tuireader-test", LIMITS) as client:
        return await Saver(library, Fetcher(client, LIMITS)).save(ref)


async def test_save_web_page_markdown_text_and_pdf(
    feed_server: FeedServer, library: Library, tmp_path: Path
) -> None:
    page, new = await save(library, feed_server.url("/pages/article1.html"))
    assert new and page.title == "Tidal energy pilot powers 400 homes in Gullhaven"  # type: ignore[attr-defined]
    note = tmp_path / "note.md"
    note.write_text("---\ntitle: Bike lanes plan\n---\nThe council wants **more** lanes.\n")
    await save(library, str(note))
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(tiny_pdf("Quarterly harbour freight report", "Freight report"))
    doc, _ = await save(library, str(pdf))
    assert doc.title == "Freight report" and "harbour freight" in doc.content  # type: ignore[attr-defined]
    titles = {s.title for s in library.page(StoryQuery(saved=True), 10)}
    assert titles == {
        "Tidal energy pilot powers 400 homes in Gullhaven",
        "Bike lanes plan",
        "Freight report",
    }
    _again, new = await save(library, feed_server.url("/pages/article1.html"))
    assert not new and library.count(StoryQuery(saved=True)) == 3
    feed_server.stop()  # kept offline
    assert "Ewan Coyle" in library.story(page.id).content  # type: ignore[attr-defined]


async def test_bad_saves_are_one_line_errors(
    feed_server: FeedServer, library: Library, tmp_path: Path
) -> None:
    from tuireader.domain.errors import TuireaderError

    for ref in (
        feed_server.url("/404"),
        feed_server.url("/pages/doc.pdf"),
        str(tmp_path / "missing.md"),
        "ftp://example.org/x",
    ):
        with pytest.raises(TuireaderError) as info:
            await save(library, ref)
        assert "\n" not in str(info.value)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(TuireaderError):
        await save(library, str(broken))


async def test_export_formats(feed_server: FeedServer, library: Library) -> None:
    page, _ = await save(library, feed_server.url("/pages/article1.html"))
    story = library.story(page.id)  # type: ignore[attr-defined]
    md = export_story(story, "md")
    assert md.startswith("# Tidal energy pilot") and "Ewan Coyle" in md
    html = export_story(story, "html")
    assert html.startswith("<!DOCTYPE html>") and "<h1>Tidal energy pilot" in html
    assert "<script" not in html
    txt = export_story(story, "txt")
    assert txt.startswith("Tidal energy pilot") and "**" not in txt and "Ewan Coyle" in txt


def test_cli_save_and_show_format(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EXE, *args], env=isolated_env, capture_output=True, text=True, timeout=60
        )

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("")
    saved = run("save", feed_server.url("/pages/article1.html"))
    assert saved.returncode == 0 and saved.stdout.startswith("saved: Tidal energy")
    story_id = json.loads(run("list", "--json").stdout)[0]["id"]
    html = run("show", str(story_id), "--format", "html")
    assert html.returncode == 0 and "<h1>Tidal energy" in html.stdout
    bad = run("save", feed_server.url("/404"))
    assert bad.returncode == 1 and "HTTP 404" in bad.stderr and "Traceback" not in bad.stderr
