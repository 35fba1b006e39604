"""Bad input is refused at the door: the installed command answers with one line and exit 2
(exit 1 when a server fails), and nothing is stored."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from feedserver import FeedServer
from test_cli import run

ONE_FEED = (
    b"<!DOCTYPE html><html><head><title>Harbor Gazette</title>"
    b'<link rel="stylesheet" href="/style.css">'
    b'<link rel="alternate" type="application/rss+xml" title="Harbor Gazette" href="../rss2.xml">'
    b"</head><body><p>Welcome</p></body></html>"
)
TWO_FEEDS = (
    b"<html><head>"
    b'<link rel="alternate" type="application/rss+xml" title="Stories" href="/rss2.xml">'
    b'<link rel="alternate" type="application/atom+xml" title="Comments" href="/atom.xml">'
    b"</head><body></body></html>"
)


@pytest.fixture
def env(isolated_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """A user with a config file (so no sample library is seeded) and no sources."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("[general]\nrefresh_on_start = false\n")
    return isolated_env


def stored(env: dict[str, str]) -> list[dict[str, object]]:
    result = run(env, "sources", "--json")
    assert result.returncode == 0, result.stderr
    sources: list[dict[str, object]] = json.loads(result.stdout)
    return sources


def refused(env: dict[str, str], *args: str, code: int = 2) -> str:
    """Run a command that must be refused; returns its one stderr line."""
    result = run(env, *args)
    assert result.returncode == code, (args, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("tuireader: ")
    assert "internal error" not in lines[0] and "Traceback" not in result.stderr
    return lines[0]


def test_bad_opml_and_export_path_are_usage_errors(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text("this is <not xml")
    empty = tmp_path / "empty.opml"
    empty.write_bytes(b"")
    assert "bad.opml: not OPML" in refused(env, "import", str(bad))
    assert "empty.opml: not OPML: the file is empty" in refused(env, "add", str(empty))
    assert "no such file or folder" in refused(env, "import", str(tmp_path / "missing.opml"))
    assert "it is a folder" in refused(env, "import", str(tmp_path))
    assert "not a regular file" in refused(env, "import", "/dev/null")
    assert "there is no folder /no/such/dir" in refused(env, "export", "/no/such/dir/x.opml")
    assert "it is a folder" in refused(env, "export", str(tmp_path))
    assert stored(env) == []


def test_unusable_data_and_config_dirs_are_usage_errors(
    env: dict[str, str], tmp_path: Path
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert "not a folder" in refused(env, "--data-dir", str(a_file), "sources")
    line = refused(env, "--config-dir", str(a_file), "sources")
    assert "config" in line and "not a folder" in line
    assert "cannot make" in refused(env, "--config-dir", str(a_file / "sub"), "config", "--write")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    secret = tmp_path / "secret.opml"
    secret.write_text("<opml/>")
    secret.chmod(0)
    assert "permission denied" in refused(env, "import", str(secret))


def test_urls_that_cannot_be_feeds_are_refused_before_anything_is_stored(
    env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    assert "the URL names no host: http://" in refused(env, "add", "http://")
    assert "only http(s) URLs" in refused(env, "add", "ftp://example.org/feed")
    line = refused(env, "add", "example.org/feed")
    assert "no such file or folder" in line and "https://example.org/feed" in line
    assert "HTTP 404" in refused(env, "add", feed_server.url("/404"))
    assert "not a feed" in refused(env, "add", feed_server.url("/garbage"))
    line = refused(env, "add", feed_server.url("/html"))
    assert "not a feed, and the page names no feed" in line
    # the server failing is not the user's fault: exit 1, and still nothing is kept
    line = refused(env, "add", feed_server.url("/500"), code=1)
    assert "HTTP 500" in line and "not added" in line and "--no-fetch" in line
    assert stored(env) == []
    kept = run(env, "add", "--no-fetch", feed_server.url("/500"))
    assert kept.returncode == 0, kept.stderr
    assert [s["url"] for s in stored(env)] == [feed_server.url("/500")]


def test_a_page_naming_one_feed_subscribes_to_it(
    env: dict[str, str], feed_server: FeedServer
) -> None:
    page = feed_server.add("/news/index.html", ONE_FEED)
    result = run(env, "add", page)
    assert result.returncode == 0, result.stderr
    feed = feed_server.url("/rss2.xml")  # "../rss2.xml" resolved against the page
    assert f"found the feed {feed}" in result.stdout
    assert "added Harbor Gazette" in result.stdout
    assert feed_server.hits["/rss2.xml"] == 1  # the checked response is the one stored
    sources = stored(env)
    assert [s["url"] for s in sources] == [feed]
    assert len(json.loads(run(env, "list", "--json").stdout)) == 3
    again = run(env, "add", page)
    assert again.returncode == 0 and "already subscribed: Harbor Gazette" in again.stdout


def test_a_page_naming_a_feed_that_is_not_there_keeps_nothing(
    env: dict[str, str], feed_server: FeedServer
) -> None:
    gone = feed_server.add("/gone.html", ONE_FEED.replace(b"../rss2.xml", b"/404"))
    line = refused(env, "add", gone)
    assert f"names the feed {feed_server.url('/404')}, but it answers HTTP 404" in line
    html = feed_server.add("/loop.html", ONE_FEED.replace(b"../rss2.xml", b"/html"))
    line = refused(env, "add", html)
    assert "but that is not a feed" in line
    assert stored(env) == []


def test_a_page_naming_several_feeds_lists_them_and_keeps_nothing(
    env: dict[str, str], feed_server: FeedServer
) -> None:
    page = feed_server.add("/two.html", TWO_FEEDS)
    result = run(env, "add", page)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"tuireader: {page} names 2 feeds; add one of them by its URL:"
    assert lines[1:] == [
        f"  {feed_server.url('/rss2.xml')}  (Stories)",
        f"  {feed_server.url('/atom.xml')}  (Comments)",
    ]
    assert stored(env) == []
    picked = run(env, "add", feed_server.url("/atom.xml"))
    assert picked.returncode == 0, picked.stderr


def _not_text_files(tmp_path: Path) -> dict[str, Path]:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)
    files = {
        "random bytes": ("noise.txt", random.Random(1).randbytes(3000)),
        "an image renamed .html": ("photo.html", png),
        "a PDF renamed .txt": ("paper.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
        "an empty file": ("empty.md", b""),
    }
    out = {}
    for what, (name, data) in files.items():
        (tmp_path / name).write_bytes(data)
        out[what] = tmp_path / name
    return out


def test_a_file_that_is_not_text_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    files = _not_text_files(tmp_path)
    reasons = {what: refused(env, "add", str(path)) for what, path in files.items()}
    assert "not text: binary data" in reasons["random bytes"]
    assert "not text: a PNG image" in reasons["an image renamed .html"]
    assert "not text: a PDF" in reasons["a PDF renamed .txt"]
    assert "empty file" in reasons["an empty file"]
    assert "a character device, not a regular file" in refused(env, "add", "/dev/null")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.txt")
        assert "a FIFO (named pipe)" in refused(env, "add", str(tmp_path / "pipe.txt"))
    assert stored(env) == []


def test_a_folder_loads_its_text_files_and_names_the_skipped_ones(
    env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    _not_text_files(folder)
    (folder / "real.txt").write_text("A real headline\n\nAnd its body.\n")
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.md")
    result = run(env, "add", str(folder))
    assert result.returncode == 0, result.stderr
    skipped_files = 5 if hasattr(os, "mkfifo") else 4
    assert f"1 new story, {skipped_files} files skipped" in result.stdout
    skipped = sorted(line for line in result.stderr.splitlines() if line.startswith("SKIPPED"))
    expected = [
        "empty.md: empty file",
        "noise.txt: not text: binary data",
        "paper.txt: not text: a PDF (`tuireader save` reads PDFs)",
        "photo.html: not text: a PNG image",
    ]
    if hasattr(os, "mkfifo"):
        expected.append("pipe.md: not a regular file: a FIFO (named pipe)")
    assert skipped == sorted(f"SKIPPED {folder}/{line}" for line in expected)
    titles = [s["title"] for s in json.loads(run(env, "list", "--json").stdout)]
    assert titles == ["A real headline"]
    (status,) = [s["status"] for s in stored(env)]
    assert isinstance(status, str)
    assert "file(s) failed" in status and "noise.txt: not text" in status


def test_save_refuses_what_is_not_one_readable_file(env: dict[str, str], tmp_path: Path) -> None:
    files = _not_text_files(tmp_path)
    assert "not text: binary data" in refused(env, "save", str(files["random bytes"]))
    assert "empty file" in refused(env, "save", str(files["an empty file"]))
    assert "it is a folder" in refused(env, "save", str(tmp_path))
    assert "a character device" in refused(env, "save", "/dev/null")
    assert "no such file or folder" in refused(env, "save", str(tmp_path / "gone.md"))
    assert "only http(s) URLs" in refused(env, "save", "gopher://example.org/")
    assert stored(env) == []  # not even the Saved inbox


def test_numbers_out_of_range_are_usage_errors(env: dict[str, str]) -> None:
    assert "--limit must be at least 1" in refused(env, "list", "--limit", "0")
    assert "--days must be at least 1" in refused(env, "clusters", "--days", "-3")
    assert "no story with id 424242" in refused(env, "show", "424242")
    assert "no source matches" in refused(env, "remove", "nothing-by-this-name")
