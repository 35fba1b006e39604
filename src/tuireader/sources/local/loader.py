"""Loading a local file or folder: dispatch each file to the parser its kind needs."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tuireader.domain.errors import ComponentError, NotOpmlError, SourceError
from tuireader.domain.files import kind_of, os_reason
from tuireader.domain.ids import dedupe_keys
from tuireader.domain.models import ParsedFeed, Source, Story
from tuireader.domain.text import one_line_error
from tuireader.sources.local.htmlpage import parse_html_page
from tuireader.sources.local.jsonlist import parse_json_list
from tuireader.sources.local.markdown import parse_markdown
from tuireader.sources.local.pagedump import (
    looks_like_page_dump,
    parse_page_dump,
    parse_plain_text,
)
from tuireader.sources.local.sniff import UNICODE_BOMS, not_text_reason
from tuireader.sources.opml import read_opml

logger = logging.getLogger(__name__)

INPUT_ERRORS = (SourceError, NotOpmlError, ValueError, RecursionError)
"""What a bad file makes a parser raise; anything else but OSError is a fault of ours."""

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Files larger than this are reported, not read."""
MAX_FILES = 5000
"""At most this many files are read from one folder."""

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf"})
SUFFIXES = FEED_SUFFIXES | {".json", ".opml", ".html", ".htm", ".md", ".markdown", ".txt"}
"""The file kinds a folder is searched for; others are ignored."""

ParseFeed = Callable[[bytes, str], ParsedFeed]


@dataclass(slots=True)
class LocalResult:
    """What one local path holds."""

    stories: list[Story] = field(default_factory=list)
    """Every story, keys unique across the path's files."""
    feeds: list[Source] = field(default_factory=list)
    """Subscriptions listed by OPML files."""
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(relative path, one-line message) for each file that could not be read."""
    title: str = ""
    """What to call the source: a folder's name; for a single file, the feed's title or the
    page's site name (a page dump's breadcrumb, an HTML page's og:site_name), else the
    file's name."""
    damaged: bool = False
    """A feed file was damaged (cut off, malformed): its complete items were kept, and the
    load reports a failure, as a damaged feed over HTTP does."""
    degraded: bool = False
    """A file failed for a reason other than its content (a component missing, a bug, the
    file unreadable for now): the load must be done again, so its fingerprint is not kept."""


@dataclass(slots=True)
class _Parsed:
    stories: list[Story] = field(default_factory=list)
    feeds: list[Source] = field(default_factory=list)
    title: str = ""
    scoped: bool = False
    """Keys already name the file ("f:" + path), so need no prefix."""
    problem: str = ""
    """The feed file is damaged ("truncated or malformed: kept N items")."""


def _candidates(path: Path) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """(file, relative path) pairs to consider, sorted, and listing errors."""
    if path.is_file():
        return [(path, path.name)], []
    if not path.is_dir():
        return [], [(path.name or str(path), _not_regular(path))]
    errors: list[tuple[str, str]] = []
    found: list[tuple[Path, str]] = []

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename or path)
        rel = where.relative_to(path).as_posix() if where.is_relative_to(path) else str(where)
        errors.append((rel, one_line_error(exc.strerror or exc)))

    for folder, dirs, files in os.walk(path, onerror=on_error):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(folder)
        for name in sorted(files):
            if name.startswith(".") or Path(name).suffix.lower() not in SUFFIXES:
                continue
            full = base / name
            if not full.is_file():  # a FIFO or device would block or never end: never read
                errors.append((full.relative_to(path).as_posix(), _not_regular(full)))
                continue
            found.append((full, full.relative_to(path).as_posix()))
    found.sort(key=lambda pair: pair[1])
    if len(found) > MAX_FILES:
        errors.append((".", f"more than {MAX_FILES} files; the rest were skipped"))
        found = found[:MAX_FILES]
    return found, errors


def _not_regular(path: Path) -> str:
    """Why a path that is not a regular file or a folder is not read."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return "a broken link" if path.is_symlink() else os_reason(exc)
    return f"not a regular file: {kind_of(mode)}"


def fingerprint(path: Path) -> str:
    """A cheap signature of a path: relative path, size and mtime of every file considered.

    It changes when a file is added, removed or modified, so the caller can skip an
    unchanged path without parsing anything.
    """
    files, errors = _candidates(path)
    digest = hashlib.sha1(str(path).encode("utf-8", "replace"))
    for full, rel in files:
        try:
            info = full.stat()
            line = f"{rel}\x1f{info.st_size}\x1f{info.st_mtime_ns}\n"
        except OSError as exc:
            line = f"{rel}\x1f!{type(exc).__name__}\n"
        digest.update(line.encode("utf-8", "replace"))
    for rel, message in errors:
        digest.update(f"!{rel}\x1f{message}\n".encode("utf-8", "replace"))
    return digest.hexdigest()


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return data


def _decode(data: bytes) -> str:
    if data.startswith(UNICODE_BOMS):
        return data.decode("utf-32" if data.startswith(b"\x00\x00") else "utf-16", "replace")
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def _single(story: Story | None) -> _Parsed:
    if story is None:
        raise ValueError("no title found")
    return _Parsed(stories=[story], scoped=True)


def _parse_file(full: Path, rel: str, data: bytes, parse_feed: ParseFeed) -> _Parsed:
    suffix = full.suffix.lower()
    if suffix in FEED_SUFFIXES:
        feed = parse_feed(data, full.as_uri())
        return _Parsed(
            stories=list(feed.stories),
            feeds=list(feed.feeds),
            title=feed.title,
            problem=feed.problem,
        )
    if suffix == ".opml":
        return _Parsed(feeds=read_opml(data))
    text = _decode(data)
    if suffix in (".html", ".htm"):
        return _single(parse_html_page(text, rel))
    if suffix in (".md", ".markdown"):
        return _single(parse_markdown(text, rel))
    if suffix == ".json":
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"invalid JSON: {exc}") from None
        version = value.get("version") if isinstance(value, dict) else None
        if isinstance(version, str) and "jsonfeed" in version:
            feed = parse_feed(data, full.as_uri())
            return _Parsed(stories=list(feed.stories), title=feed.title)
        return _Parsed(stories=parse_json_list(value))
    if suffix == ".txt":
        if looks_like_page_dump(text):
            return _single(parse_page_dump(text, rel))
        if not text.strip():
            raise ValueError("empty file")
        return _single(parse_plain_text(text, rel))
    raise ValueError(f"unsupported file type {suffix or '(none)'}")


def load_path(path: Path, parse_feed: ParseFeed) -> LocalResult:
    """Load a file, or every supported file under a folder (recursively, sorted).

    Hidden files and folders are skipped. Feed files (.xml/.rss/.atom/.rdf and JSON
    Feeds) go to ``parse_feed(data, path.as_uri())``. Keys are unique across files:
    page dumps, Markdown and HTML stories are keyed ``"f:" + relative path``, and
    inside a folder the stories of feed and JSON files are prefixed with
    ``"f:" + relative path + "|"``. A broken file becomes an entry in ``errors``;
    this never raises for a bad file. A file that failed through a fault of ours (a
    :class:`ComponentError`, a bug) is an entry too, and marks the result ``degraded``.
    """
    in_folder = path.is_dir()
    files, errors = _candidates(path)
    result = LocalResult(errors=list(errors))
    seen_feeds: set[str] = set()
    for full, rel in files:
        try:
            data = _read(full)
            skip = not_text_reason(data, utf8=full.suffix.lower() not in FEED_SUFFIXES)
            if skip is not None:
                result.errors.append((rel, skip))
                continue
            parsed = _parse_file(full, rel, data, parse_feed)
        except ComponentError as exc:  # a component missing: read it again next time
            result.errors.append((rel, one_line_error(exc)))
            result.degraded = True
            continue
        except OSError as exc:  # unreadable for now (permissions, vanished): read it again
            result.errors.append((rel, os_reason(exc)))
            result.degraded = True
            continue
        except INPUT_ERRORS as exc:
            result.errors.append((rel, one_line_error(exc)))
            continue
        except Exception as exc:  # a parser's bug on one file must not stop the rest
            logger.exception("reading %s failed", full)
            result.errors.append((rel, one_line_error(f"internal error: {exc!r}")))
            result.degraded = True
            continue
        if parsed.problem:  # its complete items are kept; the file is reported as failed
            result.errors.append((rel, parsed.problem))
            result.damaged = True
        if in_folder and not parsed.scoped:
            for story in parsed.stories:
                story.key = f"f:{rel}|{story.key}"
        result.stories.extend(parsed.stories)
        for source in parsed.feeds:
            if source.url not in seen_feeds:
                seen_feeds.add(source.url)
                result.feeds.append(source)
        if not in_folder:
            page = parsed.stories[0].source_title if len(parsed.stories) == 1 else ""
            result.title = parsed.title or page
    result.title = result.title or path.name
    result.stories = dedupe_keys(result.stories)
    return result
