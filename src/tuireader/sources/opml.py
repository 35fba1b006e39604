"""OPML subscription lists: reading them tolerantly and writing OPML 2.0."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from tuireader.domain.command_feed import command_source
from tuireader.domain.errors import NotOpmlError
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.text import clean_line, safe_link
from tuireader.sources.guard import guard_xml

_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.IGNORECASE | re.DOTALL)
_XML_URL = re.compile(rb"""xmlurl\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)


def _attr(element: ET.Element, name: str) -> str:
    """An attribute by case-insensitive name (OPML files disagree on ``xmlUrl``)."""
    wanted = name.casefold()
    for key, value in element.attrib.items():
        if key.casefold() == wanted:
            return value
    return ""


def _feed_url(raw: str) -> str:
    """An outline's feed URL if it is an http(s) URL with a host, else the empty string."""
    url = safe_link(raw)
    try:
        return url if url and urlsplit(url).hostname else ""
    except ValueError:  # a malformed host ("http://[x")
        return ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].casefold()


def _tags(element: ET.Element) -> tuple[str, ...]:
    """The ``category`` attribute: comma-separated, each kept whole (``tag/three`` is one
    tag, as newsboat exports it), a leading or trailing slash dropped (OPML 2.0 writes
    ``/Boston/Weather``)."""
    found = (clean_line(c).strip("/") for c in _attr(element, "category").split(","))
    return tuple(dict.fromkeys(t for t in found if t))


def _command_url(element: ET.Element) -> str:
    """Liferea's conventions, as newsboat imports them: ``xmlUrl="|command"`` is an
    ``exec:`` feed, a ``filtercmd`` attribute makes a ``filter:`` feed."""
    raw = _attr(element, "xmlUrl") or _attr(element, "url")
    url = f"exec:{raw[1:]}" if raw.startswith("|") else raw
    filtercmd = _attr(element, "filtercmd")
    if filtercmd and url:
        url = f"filter:{filtercmd}:{url}"
    if url.startswith(("exec:", "filter:")) and "\n" not in url and "\r" not in url:
        return url
    return ""


@dataclass
class OpmlRead:
    """What an OPML document lists."""

    feeds: list[Source] = field(default_factory=list)
    """Its http(s) feeds."""
    commands: list[Source] = field(default_factory=list)
    """Its command feeds (``|command`` URLs, ``filtercmd``): never subscribed by a plain
    import, since a file from elsewhere would run them; ``import --from newsboat`` does."""


def _walk(element: ET.Element, folder: str, out: OpmlRead, seen: set[str]) -> None:
    for child in element:
        if _local(child.tag) != "outline":
            continue
        name = clean_line(_attr(child, "text") or _attr(child, "title"))
        title = clean_line(_attr(child, "title") or _attr(child, "text"))
        command = _command_url(child)
        url = "" if command else _feed_url(_attr(child, "xmlUrl") or _attr(child, "url"))
        if command:
            if command not in seen:
                seen.add(command)
                out.commands.append(command_source(command, title, folder, _tags(child)))
        elif url:
            if url not in seen:
                seen.add(url)
                out.feeds.append(
                    Source(
                        url=url, kind=SourceKind.FEED, title=title, folder=folder, tags=_tags(child)
                    )
                )
            _walk(child, folder, out, seen)
        elif len(child):
            inner = f"{folder}/{name}" if folder and name else (folder or name)
            _walk(child, inner, out, seen)


def _scan(data: bytes) -> list[Source]:
    """Feed URLs found by pattern in a document too broken to parse as XML."""
    out: list[Source] = []
    seen: set[str] = set()
    for match in _XML_URL.finditer(data):
        raw = match.group(1)[1:-1].decode("utf-8", "replace")
        url = _feed_url(html.unescape(raw))
        if url and url not in seen:
            seen.add(url)
            out.append(Source(url=url, kind=SourceKind.FEED))
    return out


def read_opml(data: bytes) -> list[Source]:
    """The http(s) feeds an OPML document lists, in order, without duplicates (see
    :func:`read_opml_document`)."""
    return read_opml_document(data).feeds


def read_opml_document(data: bytes) -> OpmlRead:
    """The feeds and command feeds an OPML document lists, in order, without duplicates.

    Nested outlines become folders joined with "/"; ``category`` becomes tags. A DOCTYPE
    (and so any entity declaration) is removed before parsing; a document that is not
    well-formed XML is scanned for ``xmlUrl`` attributes instead. Raises
    :class:`NotOpmlError` (a usage error: the user named the file) when the document lists
    no feeds and is not OPML: no ``<opml>`` root, no ``<body>``, an unknown encoding.
    """
    data = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not data:
        raise NotOpmlError("not OPML: the file is empty")
    data = _DOCTYPE.sub(b"", data, count=1)
    if b"<!ENTITY" in data.upper():
        raise NotOpmlError("not accepted: OPML with entity declarations")
    # as for feeds: HTML entities (&eacute;) made numeric, control bytes and escape
    # sequences dropped, so one of them cannot send the whole file to the fallback scan
    data = guard_xml(data)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        found = _scan(data)
        if found:
            return OpmlRead(feeds=found)
        raise NotOpmlError(f"not OPML: {clean_line(str(exc))}") from None
    except LookupError as exc:  # <?xml encoding="latin-9"?>: a codec Python does not know
        raise NotOpmlError(f"not OPML: {clean_line(str(exc))}") from None
    if _local(root.tag) != "opml":
        raise NotOpmlError(
            f"not OPML: the <opml> root element is missing (the document is"
            f" <{clean_line(_local(root.tag))[:40]}>)"
        )
    body = next((child for child in root if _local(child.tag) == "body"), None)
    out = OpmlRead()
    _walk(root if body is None else body, "", out, set())
    if body is None and not out.feeds and not out.commands:
        raise NotOpmlError("not OPML: the <body> element in the <opml> root element is missing")
    return out


@dataclass
class _Folder:
    items: list[Source | tuple[str, _Folder]] = field(default_factory=list)
    folders: dict[str, _Folder] = field(default_factory=dict)

    def child(self, name: str) -> _Folder:
        if name not in self.folders:
            self.folders[name] = _Folder()
            self.items.append((name, self.folders[name]))
        return self.folders[name]


def _feed_line(source: Source, indent: str) -> str:
    title = clean_line(source.title) or source.url
    attrs = f'type="rss" text={quoteattr(title)} title={quoteattr(title)}'
    attrs += f" xmlUrl={quoteattr(source.url)}"
    if source.tags:
        attrs += f" category={quoteattr(','.join(clean_line(t) for t in source.tags))}"
    return f"{indent}<outline {attrs}/>"


def _emit(folder: _Folder, depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    for item in folder.items:
        if isinstance(item, Source):
            lines.append(_feed_line(item, indent))
        else:
            name, inner = item
            lines.append(f"{indent}<outline text={quoteattr(name)} title={quoteattr(name)}>")
            _emit(inner, depth + 1, lines)
            lines.append(f"{indent}</outline>")


def write_opml(sources: Iterable[Source], title: str = "tuireader subscriptions") -> str:
    """An OPML 2.0 document for the feed sources; folders become nested outlines.

    Local sources and anything without an http(s) URL are left out.
    """
    root = _Folder()
    for source in sources:
        url = safe_link(source.url)
        if source.kind != SourceKind.FEED or not url:
            continue
        node = root
        for part in (clean_line(p) for p in source.folder.split("/")):
            if part:
                node = node.child(part)
        node.items.append(source if url == source.url else replace(source, url=url))
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{escape(clean_line(title))}</title>",
        "  </head>",
        "  <body>",
    ]
    _emit(root, 2, lines)
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
