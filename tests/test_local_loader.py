"""Loading local files and folders: dispatch, key scoping, errors, fingerprints."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tuireader.domain.models import ParsedFeed, SourceKind, Story
from tuireader.sources.feedparse import parse_feed
from tuireader.sources.local import fingerprint, load_path, sample_library
from tuireader.sources.local.loader import MAX_FILE_BYTES

FIXTURES = Path(__file__).parent / "fixtures" / "local"


class RecordingFeedParser:
    """A stand-in feed parser that returns two fixed stories and remembers its calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, data: bytes, url: str) -> ParsedFeed:
        self.calls.append(url)
        if b"<broken" in data:
            raise ValueError("parse error: mismatched tag")
        return ParsedFeed(
            title="Recorded", stories=[Story(key="a", title="A"), Story(key="b", title="B")]
        )


DUMP = "Current:Home > LocalTitle here -Site\nTitle here\nDate:2026-01-01 10:00:00\nBody.\n"


def _tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "one.xml").write_bytes(b"<rss/>")
    (root / "sub" / "two.rss").write_bytes(b"<rss/>")
    (root / "sub" / "deeper" / "dump.txt").write_text(DUMP, "utf-8")
    (root / "sub" / "note.md").write_text("# A note\n\nText.\n", "utf-8")
    (root / "list.json").write_text(json.dumps([{"title": "J", "id": "a"}]), "utf-8")
    (root / "feed.json").write_text(
        json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": []}), "utf-8"
    )
    (root / ".secret.txt").write_text("hidden", "utf-8")
    (root / ".hidden" / "x.txt").write_text("hidden", "utf-8")
    (root / "photo.jpg").write_bytes(b"\xff\xd8")


def test_folder_recursion_dispatch_and_key_scoping(tmp_path: Path) -> None:
    _tree(tmp_path)
    parser = RecordingFeedParser()
    result = load_path(tmp_path, parser)
    assert result.errors == []
    assert parser.calls == [
        (tmp_path / "feed.json").as_uri(),
        (tmp_path / "one.xml").as_uri(),
        (tmp_path / "sub" / "two.rss").as_uri(),
    ]
    keys = [s.key for s in result.stories]
    assert keys == [
        "f:feed.json|a",
        "f:feed.json|b",
        "f:list.json|a",
        "f:one.xml|a",
        "f:one.xml|b",
        "f:sub/deeper/dump.txt",
        "f:sub/note.md",
        "f:sub/two.rss|a",
        "f:sub/two.rss|b",
    ]
    dump = next(s for s in result.stories if s.key == "f:sub/deeper/dump.txt")
    assert dump.categories == ("Local",)
    assert result.title == tmp_path.name  # a folder is called by its name, not a page's site


def test_single_feed_file_keeps_feed_keys_and_title(tmp_path: Path) -> None:
    (tmp_path / "f.atom").write_bytes(b"<feed/>")
    result = load_path(tmp_path / "f.atom", RecordingFeedParser())
    assert [s.key for s in result.stories] == ["a", "b"]
    assert result.title == "Recorded"
    assert result.errors == []


def test_broken_files_give_errors_while_others_load(tmp_path: Path) -> None:
    (tmp_path / "a_broken.xml").write_bytes(b"<broken")
    (tmp_path / "b_bad.json").write_text("{not json", "utf-8")
    (tmp_path / "c_empty.txt").write_text("", "utf-8")
    (tmp_path / "d_bad.opml").write_text("<html>nothing here</html>", "utf-8")
    (tmp_path / "e_good.txt").write_text(DUMP, "utf-8")
    (tmp_path / "f_notlist.json").write_text('{"title": "x"}', "utf-8")
    result = load_path(tmp_path, RecordingFeedParser())
    assert [s.key for s in result.stories] == ["f:e_good.txt"]
    assert [rel for rel, _ in result.errors] == [
        "a_broken.xml",
        "b_bad.json",
        "c_empty.txt",
        "d_bad.opml",
        "f_notlist.json",
    ]
    assert all("\n" not in message and message for _, message in result.errors)
    assert "mismatched tag" in result.errors[0][1]


def test_oversized_file_is_reported_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    (tmp_path / "ok.md").write_text("# Fine\n", "utf-8")
    result = load_path(tmp_path, RecordingFeedParser())
    assert [s.title for s in result.stories] == ["Fine"]
    assert result.errors == [("big.txt", "file is larger than 20 MB")]


def test_missing_path_is_an_error_not_an_exception(tmp_path: Path) -> None:
    result = load_path(tmp_path / "nope", RecordingFeedParser())
    assert result.stories == []
    assert result.errors == [("nope", "no such file or folder")]


def test_plain_text_and_bom_and_bad_utf8(tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_bytes(b"\xef\xbb\xbfGrocery notes\nEggs \xff\xfe and bread\n")
    result = load_path(tmp_path / "plain.txt", RecordingFeedParser())
    assert result.errors == []
    (story,) = result.stories
    assert story.title == "Grocery notes"
    assert story.content.startswith("Eggs ")
    assert "\ufffd" in story.content


def test_opml_in_folder_lists_feeds(tmp_path: Path) -> None:
    (tmp_path / "subs.opml").write_bytes((FIXTURES / "subscriptions.opml").read_bytes())
    (tmp_path / "again.opml").write_bytes((FIXTURES / "subscriptions.opml").read_bytes())
    result = load_path(tmp_path, RecordingFeedParser())
    assert result.errors == []
    assert result.stories == []
    assert [f.url for f in result.feeds] == [
        "https://news.example/rss",
        "https://blog.example/atom.xml",
        "https://deep.example/feed",
        "https://loose.example/feed",
    ]
    assert all(f.kind is SourceKind.FEED for f in result.feeds)


def test_fingerprint_changes_only_when_files_change(tmp_path: Path) -> None:
    _tree(tmp_path)
    before = fingerprint(tmp_path)
    assert fingerprint(tmp_path) == before
    (tmp_path / "photo2.png").write_bytes(b"ignored kind")
    (tmp_path / ".hidden" / "y.txt").write_text("hidden", "utf-8")
    assert fingerprint(tmp_path) == before

    note = tmp_path / "sub" / "note.md"
    stat = note.stat()
    note.write_text("# A note\n\nText!\n", "utf-8")  # same size, new content
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = fingerprint(tmp_path)
    assert changed != before
    assert fingerprint(tmp_path) == changed

    (tmp_path / "new.md").write_text("# New\n", "utf-8")
    added = fingerprint(tmp_path)
    assert added != changed
    (tmp_path / "new.md").unlink()
    assert fingerprint(tmp_path) == changed


def test_fingerprint_of_single_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# A\n", "utf-8")
    first = fingerprint(path)
    (tmp_path / "b.md").write_text("# B\n", "utf-8")  # a sibling does not matter
    assert fingerprint(path) == first
    path.write_text("# A longer\n", "utf-8")
    assert fingerprint(path) != first


def test_sample_library_loads_without_errors() -> None:
    result = load_path(sample_library(), parse_feed)
    assert result.errors == []
    titles = {s.title for s in result.stories}
    assert len(result.stories) >= 15
    dumps = [s for s in result.stories if s.key.startswith("f:pages/") and s.key.endswith(".txt")]
    assert len(dumps) == 4
    for story in dumps:
        lists = story.related + story.ranking + story.recommendation
        assert lists, story.title
        assert set(lists) <= titles, set(lists) - titles
        assert story.popularity is not None and story.published is not None
    html = next(s for s in result.stories if s.key == "f:pages/harbour-tunnel.html")
    assert "Subscribe now" not in html.content and "All rights reserved" not in html.content
    assert all(s.published is not None and s.published.year == 2026 for s in result.stories)
    assert len({s.key for s in result.stories}) == len(result.stories)


def test_sample_library_is_small() -> None:
    assets = sample_library().parent
    total = sum(p.stat().st_size for p in assets.rglob("*") if p.is_file())
    assert total < 60_000
    assert (assets / "README.md").is_file()


def test_fifo_in_folder_is_skipped(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        return
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "ok.md").write_text("# Fine\n", "utf-8")
    result = load_path(tmp_path, RecordingFeedParser())
    assert [s.title for s in result.stories] == ["Fine"]
    assert result.errors == []


def test_a_source_is_named_after_its_page_or_folder(tmp_path: Path) -> None:
    from tuireader.sources.feedparse import parse_feed

    dumps = tmp_path / "finance-dumps"
    dumps.mkdir()
    dump = dumps / "000_b0af3b7295f0ef33.txt"
    dump.write_bytes((FIXTURES / "evervision_dump.txt").read_bytes())
    assert load_path(dump, parse_feed).title == "EverVision Finance"
    assert load_path(dumps, parse_feed).title == "finance-dumps"
    page = load_path(FIXTURES / "saved_page.html", parse_feed)
    assert page.title == page.stories[0].source_title != ""
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list\nApples\n", "utf-8")
    assert load_path(notes, parse_feed).title == "notes.txt"
