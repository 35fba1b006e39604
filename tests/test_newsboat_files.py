"""newsboat's own test files (tests/fixtures/newsboat, from its repository), read the way
newsboat's tests expect: test/fileurlreader.cpp, test/opml.cpp, test/opmlurlreader.cpp,
test/configparser.cpp."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuireader.domain.command_feed import CommandFeed, parse_command_url
from tuireader.domain.errors import NotOpmlError
from tuireader.domain.models import Source, SourceKind
from tuireader.sources.newsboat.config import operation_sequence, read_config, read_macro
from tuireader.sources.newsboat.tokens import tokenize
from tuireader.sources.newsboat.urls import UrlEntry, UrlKind, read_urls, write_urls
from tuireader.sources.opml import read_opml_document

DATA = Path(__file__).parent / "fixtures" / "newsboat"


def _urls(name: str) -> list[UrlEntry]:
    return read_urls((DATA / name).read_text(encoding="utf-8"))


def _newsboat_tags(source: Source) -> list[str]:
    """A source as newsboat's OPML import writes it to ``urls``: ``~title``, the outline
    folder as one tag, then the categories."""
    tags = [f"~{source.title}"] if source.title else []
    tags += [source.folder] if source.folder else []
    return tags + [t for t in source.tags if t not in tags]


def _opml(name: str) -> dict[str, list[str]]:
    read = read_opml_document((DATA / name).read_bytes())
    return {s.url: _newsboat_tags(s) for s in [*read.feeds, *read.commands]}


# test/fileurlreader.cpp -------------------------------------------------------------------
def test_url_reader_extracts_urls_tags_and_lines() -> None:
    entries = _urls("test-urls.txt")
    assert [e.url for e in entries] == [
        "http://test1.url.cc/feed.xml",
        "http://anotherfeed.com/",
        "http://onemorefeed.at/feed/",
    ]
    assert [e.line for e in entries] == [1, 2, 4]  # line numbers count the comments
    assert entries[0].tags == ("~title", "tag1", "tag2")
    assert entries[1].tags == ()
    assert entries[2].tags == ("tag1", "~another title", "tag3")
    all_tags = sorted({t for e in entries for t in e.plain_tags})
    assert all_tags == ["tag1", "tag2", "tag3"]  # get_alltags leaves the ~titles out
    assert [e.title for e in entries] == ["title", "", "another title"]


def test_url_reader_merges_the_tags_of_a_duplicate_url() -> None:
    (entry,) = _urls("test-duplicate-urls.txt")
    assert entry.url == "http://anotherfeed.com/"
    assert entry.tags == ("tag1", "tag2", "tag3", "tag4")


def test_url_reader_preserves_urls_as_is() -> None:
    (entry,) = _urls("926-urls")
    assert entry.url == (
        "exec:curl --silent https://feeds.metaebene.me/raumzeit/m4a  | "
        r"sed 's#\(</guid>\|</id>\)#-M4A&#'"
    )
    assert entry.kind is UrlKind.EXEC


def test_url_writer_writes_what_it_reads_back() -> None:
    entries = _urls("test-urls.txt")
    assert read_urls(write_urls(entries)) == [
        UrlEntry(e.url, e.tags, n) for n, e in enumerate(entries, 1)
    ]


def test_url_writer_quotes_exec_and_filter_urls_as_newsboat_does() -> None:
    text = write_urls(
        [
            UrlEntry("exec:cat header body footer", ("tag1", "tag 2")),
            UrlEntry('filter:sed "s/foo/bar":https://example.com/feed.xml', ("tag1", "tag 2")),
        ]
    )
    assert text.splitlines() == [
        '"exec:cat header body footer" "tag1" "tag 2"',
        r'"filter:sed \"s/foo/bar\":https://example.com/feed.xml" "tag1" "tag 2"',
    ]
    back = read_urls(text)
    assert back[1].kind is UrlKind.FILTER
    assert parse_command_url(back[1].url) == CommandFeed(
        'sed "s/foo/bar"', "https://example.com/feed.xml"
    )


# test/opml.cpp, test/opmlurlreader.cpp ------------------------------------------------------
EXAMPLE = {
    "https://example.com/feed.xml": ["~example.com website"],
    "https://example.com/mirrors/distrowatch.rss": ["~Distrowatch mirror"],
    "https://example.com/feed.atom": ["~example.com website (Atom feed)"],
    "https://example.com/feed.rss09": ["~example.com website (RSS 0.9 feed)"],
    "https://blogs.example.com/~john/posts.rss": ["~John's musings", "Blogs"],
    "https://blogs.example.com/~mike/.rss": ["~Notes by Mike", "Blogs/friends"],
    "https://fred.example.com/writing/index.php?type=rss": ["~Fred on everything", "eloquent"],
}


def test_opml_import_reads_titles_and_nested_folders() -> None:
    assert _opml("example.opml") == EXAMPLE


def test_opml_import_reads_a_second_example() -> None:
    assert _opml("example2.opml") == {
        "https://one.example.com/file.xml": ["~To rule them all"],
        "https://to.example.com/elves/tidings.rss": ["~Another file"],
        "https://third.example.com/~of/internet.rss": ["~Really?", "Rant boards/humans"],
        "https://four.example.com/~john/posts.rss": ["~and another", "Rant boards"],
        "https://example.com/five.atom": ["~another title"],
        "https://freddie.example.com/ritin/index.pl?format=rss": [
            "~freddie rite about fings",
            "eloquent",
        ],
        "https://example.com/feed2.rss09": ["~an outdated feed"],
    }


def test_opml_import_keeps_tags_from_the_category_attribute() -> None:
    assert _opml("category.opml") == {
        "http://feeds.bbci.co.uk/news/business/rss.xml?edition=int": [
            "tag one",
            "tag_two",
            "tag/three",
        ]
    }


def test_opml_pipe_urls_become_exec_feeds() -> None:
    read = read_opml_document((DATA / "piped.opml").read_bytes())
    assert _opml("piped.opml") == {
        "exec:~/fetch_tweets.py": ["~Birdsite search"],
        "https://example.com/feed.atom": ["~example.com website (Atom feed)", "tagged"],
    }
    assert [s.kind for s in read.commands] == [SourceKind.COMMAND]
    assert [s.kind for s in read.feeds] == [SourceKind.FEED]


def test_opml_filtercmd_becomes_a_filter_feed() -> None:
    assert _opml("filtered.opml") == {
        "https://example.com/another_feed.atom": ["~example.com website (Atom feed)", "misc"],
        "filter:~/.bin/keep_interesting.pl:https://example.com/firehose": ["~Firehose"],
    }


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("opml-element-missing.opml", "the <opml> root element is missing"),
        ("body-element-missing.opml", "the <body> element in the <opml> root element is missing"),
    ],
)
def test_opml_without_its_elements_is_a_one_line_error(name: str, message: str) -> None:
    with pytest.raises(NotOpmlError) as raised:
        read_opml_document((DATA / name).read_bytes())
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_an_unknown_encoding_is_not_opml_rather_than_a_crash() -> None:
    with pytest.raises(NotOpmlError):
        read_opml_document(b'<?xml version="1.0" encoding="latin-9"?><opml><body/></opml>')


# test/configparser.cpp, test/configcontainer.cpp -------------------------------------------
def test_config_reads_settings_comments_and_macros() -> None:
    config = read_config(DATA / "test-config.txt")
    assert config.problems == []
    values = {line.command: line.args for line in config.lines}
    assert values["show-read-feeds"] == ("no",)
    assert values["max-items"] == ("100",)  # "# another comment" dropped
    assert values["cache-file"] == ("~/foo",)
    assert values["search-highlight-colors"] == ("white", "red", "bold")
    macros = {m.key: m.operations for m in map(read_macro, config.lines) if m is not None}
    assert macros["k"] == (
        ("open",),
        ("reload",),
        ("reload-all",),
        ("mark-feed-read",),
        ("save",),
        ("next-unread",),
    )
    assert macros["j"] == (("open", "foo", "bar", "baz"), ("save", "blafasel"))
    assert macros["l"] == (("open",),)
    assert macros["m"] == (("quit",),)


def test_config_without_a_final_newline_reads_its_last_line() -> None:
    config = read_config(DATA / "test-config-without-newline-at-the-end.txt")
    assert [(line.command, line.args) for line in config.lines] == [
        ("browser", ("firefox",)),
        ("download-path", ("whatever",)),
    ]


def test_config_joins_lines_ending_in_a_backslash() -> None:
    config = read_config(DATA / "config-multi-line")
    macros = {m.key: m for m in map(read_macro, config.lines) if m is not None}
    assert [op[0] for op in macros["p"].operations] == ["open", "reload", "quit", "quit"]
    assert macros["p"].description == "opens, reloads, quits, then quits newsboat"
    assert [op[0] for op in macros["j"].operations] == ["quit"] * 4


def test_config_include_is_relative_to_the_including_file_and_read_once(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "config").write_text('include sub/keys\ninclude sub/keys\nbrowser "w3m"\n')
    (tmp_path / "sub" / "keys").write_text("bind-key ^D pagedown\ninclude ../config\n")
    config = read_config(tmp_path / "config")
    assert [line.command for line in config.lines] == ["bind-key", "bind-key", "browser"]
    missing = read_config(tmp_path / "nothing")
    assert missing.lines == [] and len(missing.problems) == 1


def test_backticks_are_reported_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "config").write_text(f'bind-key `touch {marker}` sort\nbrowser "a\\`b"\n')
    config = read_config(tmp_path / "config")
    assert not marker.exists()
    assert len(config.problems) == 1 and "not run" in config.problems[0]
    assert [line.command for line in config.lines] == ["browser"]


# newsboat's keymap tokenizer (rust/libnewsboat/src/keymap.rs) ------------------------------
@pytest.mark.parametrize(
    ("text", "operations"),
    [
        ("open ; next ; prev", [["open"], ["next"], ["prev"]]),
        ('set "arg 1" ; set "arg 2" "arg 3"', [["set", "arg 1"], ["set", "arg 2", "arg 3"]]),
        (";;; ;; ; open ; ;;;;", [["open"]]),
        (
            'set browser "sleep 3; do-something ; echo hi"; open-in-browser',
            [["set", "browser", "sleep 3; do-something ; echo hi"], ["open-in-browser"]],
        ),
        ('set a b "--" "name of function"', [["set", "a", "b", "--", "name of function"]]),
    ],
)
def test_operation_sequences_split_as_newsboat_splits_them(
    text: str, operations: list[list[str]]
) -> None:
    parsed = operation_sequence(text)
    assert parsed is not None
    assert [list(op) for op in parsed[0]] == operations


def test_operation_sequence_description_must_be_quoted() -> None:
    assert operation_sequence('set a b -- "name of function"') == (
        (("set", "a", "b"),),
        "name of function",
    )
    assert operation_sequence("open -- invalid description") is None


def test_tokenizer_keeps_hashes_inside_tokens_and_quotes() -> None:
    assert tokenize('http://x.example/#frag "a # b" tag # comment') == [
        "http://x.example/#frag",
        "a # b",
        "tag",
    ]
