"""The newsboat import's parts: where it looks, how it keys newsboat's articles, how it
writes the config, how it maps keys; and that a plain OPML import never takes a command."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tuireader.config.additions import Additions, CannotMerge, IgnoreEntry, merge, read_views
from tuireader.config.settings import Settings, parse_settings
from tuireader.domain.errors import UsageError
from tuireader.domain.models import SourceKind
from tuireader.services.library import Library
from tuireader.services.newsboat_import import NewsboatFiles, cached_story, find_files
from tuireader.services.newsboat_keys import map_keys, textual_key
from tuireader.sources.feedparse import parse_feed
from tuireader.sources.newsboat.cache import CachedItem
from tuireader.sources.newsboat.config import ConfigLine
from tuireader.storage.database import open_database

DATA = Path(__file__).parent / "fixtures" / "newsboat"


# where newsboat's files are ---------------------------------------------------------------


def _library(tmp_path: Path) -> Library:
    """An empty library in a real SQLite file."""
    conn, _ = open_database(tmp_path / "t.db")
    return Library(conn, Settings())


def test_files_are_found_where_newsboat_looks(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".newsboat").mkdir(parents=True)
    (home / ".newsboat" / "urls").write_text("http://a.example/feed\n")
    found = find_files(None, {}, home)
    assert found.urls == home / ".newsboat" / "urls"
    assert found.cache == home / ".newsboat" / "cache.db"
    # an XDG config folder wins, with the cache in the XDG data folder
    xdg = tmp_path / "xdg-config" / "newsboat"
    xdg.mkdir(parents=True)
    (xdg / "config").write_text("")
    env = {"XDG_CONFIG_HOME": str(xdg.parent), "XDG_DATA_HOME": str(tmp_path / "xdg-data")}
    found = find_files(None, env, home)
    assert (found.urls, found.config) == (xdg / "urls", xdg / "config")
    assert found.cache == tmp_path / "xdg-data" / "newsboat" / "cache.db"
    # the XDG defaults under HOME
    (home / ".config" / "newsboat").mkdir(parents=True)
    (home / ".config" / "newsboat" / "urls").write_text("")
    assert find_files(None, {}, home).cache == home / ".local/share/newsboat/cache.db"


def test_one_file_is_sniffed_and_nothing_there_is_a_usage_error(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.xml"
    opml.write_bytes((DATA / "example.opml").read_bytes())
    assert find_files(opml, {}, tmp_path) == NewsboatFiles(opml=opml)
    urls = tmp_path / "my-urls"
    urls.write_text("http://a.example/feed\n")
    assert find_files(urls, {}, tmp_path) == NewsboatFiles(urls=urls)
    with pytest.raises(UsageError, match="no newsboat files"):
        find_files(tmp_path / "empty", {}, tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no newsboat files"):
        find_files(tmp_path / "empty", {}, tmp_path)


# newsboat's articles keyed as our parser keys the same items --------------------------------
NO_GUID = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<link>http://n.example/</link><description>d</description>
<item><title>Dated</title><link>http://n.example/1</link>
<pubDate>Tue, 03 Nov 2026 10:00:00 +0100</pubDate></item>
<item><title>Guid</title><guid>urn:x:2</guid><link>http://n.example/2</link></item>
<item><title>Title only</title><description>no link, no guid</description></item>
</channel></rss>"""


def _item(guid: str, title: str, link: str, published: int) -> CachedItem:
    return CachedItem(
        "http://n.example/feed", guid, title, "", link, published, "", True, "", False, "", ""
    )


def test_cached_articles_get_the_keys_our_parser_gives_the_same_items() -> None:
    parsed = {s.title: s for s in parse_feed(NO_GUID, "http://n.example/feed").stories}
    dated = parsed["Dated"].published
    assert dated is not None
    # newsboat's guids: link + pubDate text, the guid, the title
    cached = [
        _item(
            "http://n.example/1Tue, 03 Nov 2026 10:00:00 +0100",
            "Dated",
            "http://n.example/1",
            int(dated.timestamp()),
        ),
        _item("urn:x:2", "Guid", "http://n.example/2", 1_790_000_000),
    ]
    for item in cached:
        assert cached_story(item).key == parsed[item.title].key, item.title
    untitled = parsed["Title only"]
    assert untitled.key.startswith("t:")
    item = _item("Title only", "Title only", "", 1_790_000_000)  # newsboat's fetch time
    assert cached_story(item).key == untitled.key


def test_a_plain_opml_import_never_subscribes_to_a_command(tmp_path: Path) -> None:
    library = _library(tmp_path)
    added, _ = library.import_opml((DATA / "piped.opml").read_bytes())
    assert [s.url for s in added] == ["https://example.com/feed.atom"]
    assert all(s.kind is SourceKind.FEED for s in library.sources())


# the config, added to and never clobbered --------------------------------------------------
def test_additions_quote_any_name_and_query_and_read_back() -> None:
    additions = Additions(
        views={
            'a "quoted" view.name': 'title =~ "\\\\d+" and tags # "x"',
            "plain": 'unread = "yes"',
        },
        ignores=[IgnoreEntry('author = "Bob"', ("https://a.example/feed?x=1&y=2",))],
        keys={"page_down": "ctrl+d,pagedown"},
        macros={"z": ["open", "toggle_read"]},
    )
    text = merge("", additions).text
    back = tomllib.loads(text)
    assert back["views"]['a "quoted" view.name'] == {"query": 'title =~ "\\\\d+" and tags # "x"'}
    assert back["ignore"][0]["sources"] == ["https://a.example/feed?x=1&y=2"]
    assert read_views(text) == additions.views
    assert parse_settings(text).keys == {"page_down": "ctrl+d,pagedown"}


def test_additions_keep_what_the_config_already_says() -> None:
    before = '[keys]  # mine\nhelp = "f1"\npage_down = "space"\n\n[views.plain]\nquery = "x"\n'
    additions = Additions(
        views={"plain": "y", "new": "z"}, keys={"page_down": "ctrl+d", "help": "h"}
    )
    additions.keys["first"] = "home"
    merged = merge(before, additions)
    after = tomllib.loads(merged.text)
    assert after["keys"] == {"help": "f1", "page_down": "space", "first": "home"}
    assert after["views"] == {"plain": {"query": "x"}, "new": {"query": "z"}}
    assert len(merged.kept) == 3
    assert merged.text.startswith("[keys]  # mine\n")


def test_additions_refuse_a_config_they_cannot_write_into_cleanly() -> None:
    with pytest.raises(CannotMerge):
        merge('views = { a = { query = "x" } }\n', Additions(views={"b": "y"}))
    with pytest.raises(CannotMerge):
        merge("keys = { help = 'f1' }\n", Additions(keys={"first": "home"}))
    with pytest.raises(CannotMerge):
        merge("not toml [", Additions(views={"b": "y"}))


# keys ------------------------------------------------------------------------------------
def _line(command: str, *args: str, text: str = "") -> ConfigLine:
    return ConfigLine(command, args, "config:1", text or " ".join(args))


DEFAULTS = {"cursor_down": "j,down", "open": "enter,l", "open_browser": "o", "quit": "q"}


def test_a_bound_key_moves_to_its_command() -> None:
    mapping = map_keys([_line("bind-key", "j", "open")], DEFAULTS)
    assert mapping.keys == {"cursor_down": "down", "open": "j,enter,l"}
    only = map_keys([_line("bind-key", "q", "open")], DEFAULTS)  # quit had only q
    assert only.keys == {"open": "q,enter,l"}


def test_mapped_keys_pass_the_apps_config_check() -> None:
    from tuireader.ui.commands import COMMANDS
    from tuireader.ui.config_check import check_keys

    lines = [_line("bind-key", k, op) for k, op in (("^D", "pagedown"), ("J", "next-unread"))]
    lines += [_line("bind-key", "/", "search"), _line("bind-key", "ENTER", "open-in-browser")]
    mapping = map_keys(lines, {c.id: c.keys for c in COMMANDS})
    assert mapping.keys["open_browser"] == "enter,o"
    report = check_keys(mapping.keys)
    assert (report.errors, report.warnings) == ([], [])


def test_what_does_not_map_is_listed_with_why() -> None:
    lines = [
        _line("bind-key", "p", "pb-play"),
        _line("bind-key", "p", "open", "podcast"),
        _line("macro", text="o open ; open-in-browser"),
        _line("macro", text='x set browser "w3m" ; open-in-browser'),
        _line("macro", text="v open ; quit"),
    ]
    mapping = map_keys(lines, DEFAULTS)
    assert mapping.keys == {}
    assert mapping.macros == {"v": ["open", "quit"]}
    reasons = " | ".join(mapping.unmapped)
    assert "pb-play" in reasons and "'podcast'" in reasons
    assert "here o is open_browser" in reasons and "set browser w3m" in reasons


@pytest.mark.parametrize(
    ("key", "name"),
    [("a", "a"), ("A", "A"), ("^K", "ctrl+k"), ("ENTER", "enter"), ("NPAGE", "pagedown")],
)
def test_newsboat_key_names(key: str, name: str) -> None:
    assert textual_key(key) == name


def test_punctuation_keys_are_named_as_textual_names_them() -> None:
    from textual.keys import _character_to_key

    for char in "/?,.;:'\"-+=[]{}()!@#$%^&*_~`|\\<>":
        assert textual_key(char) == _character_to_key(char), char


# the two OPML bugs, at the command line ----------------------------------------------------
def test_opml_command_line_keeps_category_tags_and_refuses_in_one_line(
    isolated_env: dict[str, str],
) -> None:
    from test_cli import run

    done = run(isolated_env, "import", str(DATA / "category.opml"))
    assert done.returncode == 0, done.stderr
    (source,) = json.loads(run(isolated_env, "sources", "--json").stdout)
    assert source["tags"] == ["tag one", "tag_two", "tag/three"]
    for name in ("opml-element-missing.opml", "body-element-missing.opml"):
        refused = run(isolated_env, "import", str(DATA / name))
        assert refused.returncode == 2
        assert refused.stderr.count("\n") == 1 and "internal error" not in refused.stderr
        assert "element" in refused.stderr and "missing" in refused.stderr
    piped = run(isolated_env, "import", str(DATA / "piped.opml"))
    assert "imported 1 feed" in piped.stdout and "left out 1 command feed" in piped.stdout


def test_urls_lines_that_do_not_map_are_listed(tmp_path: Path) -> None:
    from tuireader.services.newsboat_import import NewsboatImport

    library = _library(tmp_path)
    urls = tmp_path / "urls"
    urls.write_text(
        "https://a.example/feed !hidden work\n"
        "file:///home/me/feed.xml\n"
        '"query:no expression"\n'
        '"https://b.example/has space"\n'
        "http://\n"
    )
    config = tmp_path / "config.toml"
    report = NewsboatImport(library, config, {}).run(NewsboatFiles(urls=urls))
    assert [(s.url, s.folder, s.tags) for s in report.added] == [
        ("https://a.example/feed", "work", ())
    ]
    reasons = "\n".join(report.unmapped)
    assert "line 1" in reasons and "hidden" in reasons
    assert "line 2" in reasons and "not an http(s) feed" in reasons
    assert "line 3" in reasons
    assert "line 4" in reasons and "no spaces" in reasons
    assert "line 5" in reasons and "no host" in reasons
    assert not config.exists()  # nothing to add: the config is not created


def test_expressions_tuireader_cannot_read_are_left_out_and_the_config_still_loads(
    tmp_path: Path,
) -> None:
    from tuireader.config.settings import load_settings
    from tuireader.services.newsboat_import import NewsboatImport

    library = _library(tmp_path)
    urls = tmp_path / "urls"
    urls.write_text(
        "https://a.example/feed\n"
        '"query:Broken:title =~ \\"([\\""\n'
        '"query:Bad Attr:bogus = \\"x\\""\n'
        '"query:Fine:unread = \\"yes\\""\n'
    )
    newsboat_config = tmp_path / "newsboat-config"
    newsboat_config.write_text(
        'ignore-article "*" "title =~ \\"(unclosed\\""\n'
        'ignore-article "*" "nosuch > 3"\n'
        'ignore-article "*" "title =~ \\"^Sponsored\\""\n'
    )
    config = tmp_path / "config.toml"
    report = NewsboatImport(library, config, {}).run(
        NewsboatFiles(urls=urls, config=newsboat_config)
    )
    assert report.views == ["Fine"] and report.ignores == 1
    reasons = "\n".join(report.unmapped)
    assert "'Broken' left out: column 1: bad regex" in reasons
    assert "'Bad Attr' left out: column 1: unknown attribute 'bogus'" in reasons
    assert "newsboat-config:1: ignore-article left out: column 1: bad regex" in reasons
    assert "ignore-article left out: column 1: unknown attribute 'nosuch'" in reasons
    settings = load_settings(config)  # the config still loads: every command still runs
    assert settings is not None and list(settings.views) == ["Fine"]
    assert [rule.query for rule in settings.ignore] == ['title =~ "^Sponsored"']
    again = NewsboatImport(library, config, {}).run(
        NewsboatFiles(urls=urls, config=newsboat_config)
    )  # the second time, the config has them: nothing is said to be imported
    assert (again.views, again.ignores) == ([], 0)
    assert "view 'Fine': the config already has" in "\n".join(again.unmapped)


def test_views_saved_in_the_app_go_back_to_newsboat_too(tmp_path: Path) -> None:
    from tuireader.services.newsboat_export import export_newsboat
    from tuireader.sources.newsboat.urls import read_urls

    library = _library(tmp_path)
    library.save_view('age between 0:7 and unread = "yes"')  # as ctrl+s keeps one
    library.save_view('title =~ "bsd"', name="Linux")  # a name the config has: kept apart
    config = tmp_path / "config.toml"
    config.write_text("[views.Linux]\nquery = 'title =~ \"linux\"'\n")
    back = tmp_path / "back"
    back.mkdir()
    report = export_newsboat(library, config, back)
    queries = [e.query for e in read_urls((back / "urls").read_text()) if e.query[0]]
    assert queries == [
        ("Linux", 'title =~ "linux"'),
        ('age between 0 7 and unread = "yes"', 'age between 0:7 and unread = "yes"'),
        ("Linux (2)", 'title =~ "bsd"'),
    ]
    assert report.views == 3
