"""The move from newsboat against the real newsboat (Debian's /usr/bin/newsboat): its
``cache.db`` made by ``newsboat -x reload`` from loopback feeds, read state set with
``newsboat -I``; a ``urls``/``config`` pair using every construct the import maps; then
``tuireader import --from newsboat`` and ``export --to newsboat`` back into newsboat."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from feedserver import FEEDS, FeedServer
from test_cli import run

NEWSBOAT = shutil.which("newsboat")
pytestmark = pytest.mark.skipif(NEWSBOAT is None, reason="newsboat is not installed")

NO_GUID = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Undated Notes</title><link>http://notes.example/</link>
<description>items without guids</description>
<item><title>First note</title><link>http://notes.example/1</link>
<pubDate>Tue, 03 Nov 2026 10:00:00 GMT</pubDate><description>one</description></item>
<item><title>Second note</title><link>http://notes.example/2</link>
<pubDate>Wed, 04 Nov 2026 10:00:00 GMT</pubDate><description>two</description></item>
</channel></rss>
"""

CONFIG = """\
# killfile rules, kept but hidden ("display")
ignore-article "*" "title =~ \\"Library\\""
ignore-article "{atom}" "author = \\"Nobody\\""
ignore-mode "display"
bind-key ^D pagedown
bind-key J next-unread articlelist
bind-key b bookmark
unbind-key x
macro z open ; toggle-article-read
macro y set browser "lynx" ; open-in-browser
color background red green
max-items 100
"""

TOML_BEFORE = """\
# my settings, written by hand
[general]
theme = "textual-light"   # keep this comment

[keys]
help = "question_mark,f1"
"""


@dataclass
class Newsboat:
    """A newsboat setup in a folder, and how to run newsboat on it."""

    folder: Path
    env: dict[str, str]

    def run(self, *args: str, urls: Path | None = None, cache: Path | None = None) -> None:
        assert NEWSBOAT is not None
        command = [NEWSBOAT, "-u", str(urls or self.folder / "urls")]
        command += ["-c", str(cache or self.folder / "cache.db")]
        command += ["-C", str(self.folder / "config"), *args]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr

    def items(self, cache: Path | None = None) -> dict[str, tuple[str, bool, str]]:
        """title → (feed url, read, flags) of every article in a cache."""
        with sqlite3.connect(cache or self.folder / "cache.db") as conn:
            rows = conn.execute("SELECT title, feedurl, unread, coalesce(flags, '') FROM rss_item")
            return {title: (feed, not unread, flags) for title, feed, unread, flags in rows}


@pytest.fixture
def newsboat(tmp_path: Path, feed_server: FeedServer) -> Newsboat:
    folder = tmp_path / "newsboat"
    folder.mkdir()
    feed_server.add("/noguid.xml", NO_GUID)
    local = tmp_path / "local-feed.xml"
    local.write_bytes((FEEDS / "rss1.rdf").read_bytes())
    urls = {name: feed_server.url(f"/{name}") for name in ("rss2.xml", "atom.xml", "noguid.xml")}
    filtered = feed_server.url("/atom03.xml")
    (folder / "urls").write_text(
        "# my feeds\n"
        f'{urls["rss2.xml"]} news "~Harbour news" local\n'
        f"{urls['atom.xml']}\ttech # a comment after the tags\n"
        "\n"
        f"{urls['noguid.xml']} misc\n"
        f'"exec:cat {local}" scripts "~Meadow (script)"\n'
        f'"filter:cat:{filtered}" filtered\n'
        '"query:Unread news:unread = \\"yes\\" and tags # \\"news\\"" views\n'
        '"query:This week:age between 0:7"\n'
    )
    (folder / "config").write_text(CONFIG.format(atom=urls["atom.xml"]))
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "dumb"}
    setup = Newsboat(folder, env)
    setup.run("-x", "reload")
    items = setup.items()
    assert len(items) == 10, items  # 3 + 2 + 2, 2 (exec), 1 (filter)
    with sqlite3.connect(folder / "cache.db") as conn:
        guids = dict(conn.execute("SELECT title, guid FROM rss_item"))
    read = ["Library extends opening hours", "Second note", "Comet visible at dawn"]
    read.append("Compiler release adds faster builds")
    (tmp_path / "read.txt").write_text("".join(guids[t] + "\n" for t in read))
    setup.run("-I", str(tmp_path / "read.txt"))
    with sqlite3.connect(folder / "cache.db") as conn:  # what newsboat's edit-flags writes
        conn.execute("UPDATE rss_item SET flags = 'ab' WHERE title = 'First note'")
    assert {t for t, (_, was_read, _) in setup.items().items() if was_read} == set(read)
    return setup


def _stories(env: dict[str, str]) -> dict[str, tuple[str, bool, bool]]:
    """title → (source url, read, starred) of every stored story."""
    result = run(env, "list", "--json", "--limit", "1000")
    assert result.returncode == 0, result.stderr
    # and those the imported ignore-article rules hide (newsboat keeps them in its cache too)
    hidden = run(env, "list", "--ignored", "--json", "--limit", "1000")
    assert hidden.returncode == 0, hidden.stderr
    sources = json.loads(run(env, "sources", "--json").stdout)
    url_of = {s["id"]: s["url"] for s in sources}
    return {
        s["title"]: (url_of[s["source_id"]], s["read"], s["starred"])
        for s in json.loads(result.stdout) + json.loads(hidden.stdout)
    }


def test_import_brings_urls_config_and_cache_over(
    newsboat: Newsboat, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    config_toml = tmp_path / "config" / "config.toml"
    config_toml.parent.mkdir()
    config_toml.write_text(TOML_BEFORE)

    result = run(isolated_env, "import", "--from", "newsboat", str(newsboat.folder))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "5 sources added, 2 of them command feeds" in out
    assert "2 saved views: Unread news, This week" in out
    assert "10 stories" in out and "4 read, 1 starred" in out
    for unmapped in ("bookmark", "set browser lynx", "unbind-key x", "color, max-items"):
        assert unmapped in out.split("not brought over")[1], unmapped

    sources = {s["url"]: s for s in json.loads(run(isolated_env, "sources", "--json").stdout)}
    by_end = {url.rsplit("/", 1)[-1]: s for url, s in sources.items()}
    harbour = by_end["rss2.xml"]
    assert (harbour["title"], harbour["folder"], harbour["tags"]) == (
        "Harbour news",
        "news",
        ["local"],
    )
    assert (by_end["atom.xml"]["folder"], by_end["atom.xml"]["title"]) == (
        "tech",
        "Valley Tech Notes",
    )
    commands = {url: s for url, s in sources.items() if s["kind"] == "command"}
    assert sorted(url.split(":", 1)[0] for url in commands) == ["exec", "filter"]
    exec_source = next(s for url, s in commands.items() if url.startswith("exec:cat /"))
    assert (exec_source["title"], exec_source["folder"]) == ("Meadow (script)", "scripts")

    config = tomllib.loads(config_toml.read_text())
    new_lines = iter(config_toml.read_text().splitlines())
    assert all(old in new_lines for old in TOML_BEFORE.splitlines())  # all kept, in order
    assert config["general"] == {"theme": "textual-light"}
    assert config["views"] == {
        "Unread news": {"query": 'unread = "yes" and tags # "news"'},
        "This week": {"query": "age between 0:7"},
    }
    atom = by_end["atom.xml"]["url"]
    assert config["ignore"] == [
        {"query": 'title =~ "Library"', "action": "hide"},
        {"query": 'author = "Nobody"', "sources": [atom], "action": "hide"},
    ]
    assert config["keys"] == {
        "help": "question_mark,f1",
        "page_down": "ctrl+d,pagedown",
        "next_unread": "J,n",
    }
    assert config["macros"] == {"z": ["open", "toggle_read"]}

    expected = {
        title: (feed, was_read, bool(flags))
        for title, (feed, was_read, flags) in newsboat.items().items()
    }
    assert _stories(isolated_env) == expected

    # a later refresh of the same feeds finds every story it already has
    feeds = [url for url, s in sources.items() if s["kind"] == "feed"]
    refreshed = run(isolated_env, "refresh", *feeds)
    assert refreshed.returncode == 0, refreshed.stderr
    assert "0 new stories" in refreshed.stdout
    assert _stories(isolated_env) == expected

    # a second import changes nothing and says so
    again = run(isolated_env, "import", "--from", "newsboat", str(newsboat.folder))
    assert again.returncode == 0, again.stderr
    assert "0 sources added; 5 already here" in again.stdout
    assert "0 stories" in again.stdout
    assert "already" in again.stdout.split("not brought over")[1]
    assert tomllib.loads(config_toml.read_text()) == config


def test_export_goes_back_into_newsboat(
    newsboat: Newsboat, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    assert run(isolated_env, "import", "--from", "newsboat", str(newsboat.folder)).returncode == 0
    # a story read here after the move goes back as read
    stories = json.loads(run(isolated_env, "list", "--json", "--unread").stdout)
    seals = next(s for s in stories if s["title"] == "Harbour seals counted in annual survey")
    assert run(isolated_env, "mark", str(seals["id"]), "--read").returncode == 0

    back = tmp_path / "back"
    back.mkdir()
    result = run(isolated_env, "export", "--to", "newsboat", str(back))
    assert result.returncode == 0, result.stderr
    assert "5 feeds, 2 views" in result.stdout
    cache = back / "cache.db"
    newsboat.run("-x", "reload", urls=back / "urls", cache=cache)
    newsboat.run("-I", str(back / "read-articles"), urls=back / "urls", cache=cache)

    ours = {title: was_read for title, (_, was_read, _) in _stories(isolated_env).items()}
    theirs = {title: was_read for title, (_, was_read, _) in newsboat.items(cache).items()}
    assert theirs == ours
    assert theirs["Harbour seals counted in annual survey"] is True
    # the urls file reads back into the same subscriptions
    again = {**isolated_env, "TUIREADER_DATA_DIR": str(tmp_path / "again")}
    assert run(again, "import", "--from", "newsboat", str(back / "urls")).returncode == 0
    first = json.loads(run(isolated_env, "sources", "--json").stdout)
    second = json.loads(run(again, "sources", "--json").stdout)
    shape = [(s["url"], s["kind"], s["title"], s["folder"], s["tags"]) for s in first]
    assert sorted(shape) == sorted(
        (s["url"], s["kind"], s["title"], s["folder"], s["tags"]) for s in second
    )
    assert run(isolated_env, "export", "--to", "newsboat", str(back)).returncode == 2  # no clobber


def test_import_of_newsboats_opml_export(
    newsboat: Newsboat, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    assert NEWSBOAT is not None
    exported = subprocess.run(
        [
            NEWSBOAT,
            "-u",
            str(newsboat.folder / "urls"),
            "-c",
            str(newsboat.folder / "cache.db"),
            "-C",
            str(newsboat.folder / "config"),
            "-e",
        ],
        env=newsboat.env,
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(exported)
    result = run(isolated_env, "import", "--from", "newsboat", str(opml))
    assert result.returncode == 0, result.stderr
    titles = {s["title"] for s in json.loads(run(isolated_env, "sources", "--json").stdout)}
    assert {"Harbour news", "Valley Tech Notes", "Undated Notes"} <= titles
