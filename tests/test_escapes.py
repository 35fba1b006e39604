"""Terminal escape sequences are removed whole, at every door, in every input format.

Removing control characters one by one leaves the body of a sequence behind as text
(``[31mRED``, ``]0;My title``, an OSC 8 link's hidden URL). Each family is written here in
its 7-bit form (and 8-bit where one exists) and must vanish entirely, keeping the readable
text around it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rawservers import answering, raw_server
from test_cli import run
from tuireader.domain.text import clean_line, clean_text
from tuireader.sources.feedparse import parse_feed
from tuireader.sources.guard import guard_xml

# family -> (the sequence wrapped around a word, the word that must remain)
FAMILIES: dict[str, tuple[str, str]] = {
    "csi": ("\x1b[31mRed\x1b[0m", "Red"),
    "csi-private": ("\x1b[?25l\x1b[2J\x1b[1;1HHome", "Home"),
    "csi-8bit": ("\x9b1mBold\x9b0m", "Bold"),
    "osc-bel": ("\x1b]0;My title\x07Window", "Window"),
    "osc-st": ("\x1b]52;c;aGVsbG8=\x1b\\Clip", "Clip"),
    "osc8-link": (
        "\x1b]8;;http://evil.example/x\x1b\\Official link\x1b]8;;\x1b\\",
        "Official link",
    ),
    "osc-8bit": ("\x9d0;hidden\x9cShown", "Shown"),
    "dcs": ("\x1bPq#0;2;0;0;0#0~~\x1b\\Sixel", "Sixel"),
    "dcs-8bit": ("\x90q#0;2\x9cDevice", "Device"),
    "apc": ("\x1b_Ga=T,f=100;AAAA\x1b\\Graphic", "Graphic"),
    "pm": ("\x1b^secretpm\x1b\\Privacy", "Privacy"),
    "sos": ("\x1bXsecretsos\x1b\\Start", "Start"),
    "two-byte": ("\x1b7Saved\x1b8\x1b(B\x1b=", "Saved"),
}
# What must never reach a screen: the sequences' bodies.
RESIDUE = (
    "[31m",
    "[0m",
    "[?25",
    "[2J",
    "]0;",
    "]52",
    "52;c",
    "aGVsbG8",
    "]8;",
    "8;;",
    "evil.example",
    "hidden",
    "q#0",
    "Ga=T",
    "AAAA",
    "secretpm",
    "secretsos",
    "(B",
)
C0_C1 = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]


def hostile(word: str = "") -> str:
    """Every family in one string, each between plain words."""
    return " ".join(f"a{seq}z" for seq, _ in FAMILIES.values()) + (" " + word if word else "")


def visible() -> list[str]:
    return [f"a{kept}z" for _, kept in FAMILIES.values()]


def assert_clean(text: str) -> None:
    for bad in RESIDUE:
        assert bad not in text, f"residue {bad!r} in {text[:300]!r}"
    for ch in C0_C1:
        if ch in "\n\t\r":
            continue
        assert ch not in text, f"control {ord(ch):#x} in {text[:300]!r}"


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_family_goes_whole_and_keeps_its_text(family: str) -> None:
    seq, kept = FAMILIES[family]
    assert clean_line(f"before {seq} after") == f"before {kept} after"
    assert clean_text(f"l1\nx{seq}y\nl3") == f"l1\nx{kept}y\nl3"


def test_unterminated_string_sequence_stops_at_the_line_end() -> None:
    assert clean_text("a\x1b]0;title never ends\nsecond line") == "a\nsecond line"
    assert clean_line("a\x1b]8;;http://x.example/ b") == "a"
    assert clean_line("csi cut \x1b[31") == "csi cut"


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_xml_guard_removes_raw_and_referenced_escapes(family: str) -> None:
    seq, kept = FAMILIES[family]
    written = seq.encode()  # 8-bit forms are UTF-8 characters, cleaned after parsing
    doc = (
        b"<rss version='2.0'><channel><title>t</title>"
        b"<item><title>x" + written + b"y</title><guid>1</guid></item>"
        b"<item><title>p"
        + seq.replace("\x1b", "&#27;").replace("\x07", "&#x7;").encode()
        + b"q</title><guid>2</guid></item></channel></rss>"
    )
    feed = parse_feed(doc, "http://feed.example/")
    assert [s.title for s in feed.stories] == [f"x{kept}y", f"p{kept}q"]
    assert b"\x1b" not in guard_xml(doc)


# --- every format, every field, through the installed command ------------------------------


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def write_inputs(folder: Path) -> dict[str, Path]:
    """One file per format, each carrying every family in title, author, body, source."""
    h = hostile()
    x = _xml(h)
    files = {
        "rss": folder / "feed.xml",
        "atom": folder / "feed.atom",
        "jsonfeed": folder / "feed.json",
        "html": folder / "page.html",
        "markdown": folder / "note.md",
        "text": folder / "plain.txt",
        "pagedump": folder / "dump.txt",
    }
    files["rss"].write_text(
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>RSS {x}</title>"
        f"<item><title>RSS item {x}</title><guid>r1</guid><author>rss@x.example ({x})</author>"
        f"<description>RSS body {x}</description>"
        f"<enclosure url='http://x.example/a.mp3' type='audio/{x}' length='1'/>"
        "</item></channel></rss>",
        encoding="utf-8",
    )
    files["atom"].write_text(
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>Atom {x}</title><id>urn:a</id><updated>2026-11-30T10:00:00Z</updated>"
        f"<entry><title>Atom item {x}</title><id>urn:a:1</id>"
        f"<updated>2026-11-30T10:00:00Z</updated><author><name>{x}</name></author>"
        f"<content type='html'>Atom body {x}</content></entry></feed>",
        encoding="utf-8",
    )
    files["jsonfeed"].write_text(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": f"JSON {h}",
                "items": [
                    {
                        "id": "j1",
                        "title": f"JSON item {h}",
                        "content_text": f"JSON body {h}",
                        "authors": [{"name": h}],
                        "attachments": [{"url": "http://x.example/b.mp3", "mime_type": h}],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    files["html"].write_text(
        f"<html><head><title>HTML item {x}</title>"
        f"<meta name='author' content='{x}'></head><body><article><h1>HTML item {x}</h1>"
        + "".join(f"<p>HTML body paragraph {i}: {x}</p>" for i in range(4))
        + "</article></body></html>",
        encoding="utf-8",
    )
    files["markdown"].write_text(
        f"---\ntitle: 'Markdown item {h}'\nauthor: 'md {h}'\n---\n\nMarkdown body {h}\n",
        encoding="utf-8",
    )
    files["text"].write_text(f"Text item {h}\n\nText body {h}\n", encoding="utf-8")
    files["pagedump"].write_text(
        f"Current:Home > World {h} -Dump Site {h}\n"
        f"Dump item {h}\n"
        "Date:2026-11-30 10:00:00\n"
        f"Dump body {h}\n"
        f"Dump second paragraph {h}\n"
        "Related\n"
        f"Related line {h}\n",
        encoding="utf-8",
    )
    return files


def test_every_format_and_door_is_clean(isolated_env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    files = write_inputs(folder)
    for path in files.values():
        added = run(isolated_env, "add", str(path))
        assert added.returncode == 0, (path.name, added.stderr)
        assert_clean(added.stdout + added.stderr)
    listed = run(isolated_env, "list", "--json", "--limit", "100")
    assert listed.returncode == 0, listed.stderr
    stories = [s for s in json.loads(listed.stdout) if "Northwind" not in s.get("source", "")]
    assert_clean(listed.stdout)
    titles = " ".join(s["title"] for s in stories)
    for word in ("RSS item", "Atom item", "JSON item", "HTML item", "Markdown item"):
        assert word in titles
    for kept in visible():
        assert kept in titles  # the readable text between sequences stays
    human = run(isolated_env, "list", "--limit", "100")
    assert_clean(human.stdout)
    sources = run(isolated_env, "sources", "--json")
    assert_clean(sources.stdout)
    sources_human = run(isolated_env, "sources")
    assert_clean(sources_human.stdout)
    for story in stories:
        shown = run(isolated_env, "show", str(story["id"]))
        assert shown.returncode == 0, shown.stderr
        assert_clean(shown.stdout)
        as_json = run(isolated_env, "show", str(story["id"]), "--json")
        assert_clean(as_json.stdout)
    bodies = " ".join(
        run(isolated_env, "show", str(s["id"])).stdout for s in stories if "item" in s["title"]
    )
    for word in ("RSS body", "Atom body", "JSON body", "Markdown body", "Text body"):
        assert word in bodies


# --- server error text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        b"HTTP/1.1 500 Bad \x1b[31mRed\x1b]0;title\x07 x\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 502 \x1b]8;;http://evil.example/\x1b\\Official link\x1b]8;;\x1b\\\r\n"
        b"Content-Length: 0\r\n\r\n",
        b"\x1b[31m\x1b]52;c;aGVsbG8=\x07garbage, not HTTP\r\n\r\n",
    ],
)
def test_server_error_text_is_clean(isolated_env: dict[str, str], response: bytes) -> None:
    with raw_server(answering(response)) as url:
        added = run(isolated_env, "add", url, "--no-fetch")
        assert added.returncode == 0, added.stderr
        refreshed = run(isolated_env, "refresh")
        assert refreshed.returncode == 1
        assert_clean(refreshed.stdout + refreshed.stderr)
        assert "Traceback" not in refreshed.stderr
        status = run(isolated_env, "sources", "--json")
        assert_clean(status.stdout)


# --- stored strings: cleaned by a migration -----------------------------------------------


def test_migration_cleans_what_older_versions_stored(tmp_path: Path) -> None:
    from tuireader.storage.database import connect, open_database
    from tuireader.storage.migrations import migrate

    path = tmp_path / "old.db"
    conn = connect(path)
    migrate(conn, target=6)
    conn.execute(
        "INSERT INTO sources (id, url, kind, title, etag, added_at)"
        " VALUES (1, 'http://o/', 'feed', 'Feed \x1b]0;My title\x07', '\"v1\"', 0)"
    )
    # what the old cleaner stored: the ESC gone, the body of the sequence left as text
    conn.execute(
        "INSERT INTO stories (source_id, key, title, author, sort_time, fetched_at, read, starred,"
        " content) VALUES (1, 'k', '[31mRED [0m news', 'Ann\x1b[1m', 5, 5, 1, 1,"
        " '<p>see ]8;;http://evil.example/x\\Official link]8;;\\ now</p>')"
    )
    conn.execute(
        "INSERT INTO story_search (rowid, title, body) VALUES (1, '[31mRED [0m news', 'x')"
    )
    conn.commit()
    conn.close()
    conn, _ = open_database(path)
    title, author, content, read, starred = conn.execute(
        "SELECT title, author, content, read, starred FROM stories"
    ).fetchone()
    assert (title, author, read, starred) == ("RED  news", "Ann", 1, 1)
    assert content == "<p>see Official link now</p>"
    source_title, etag = conn.execute("SELECT title, etag FROM sources").fetchone()
    assert source_title == "Feed " and etag is None  # read again on the next refresh
    # the search index is not shown; it is written again when the source is read again
