"""Plain-text and Markdown story bodies to reader Markdown."""

from __future__ import annotations

import re

from tuireader.content.escape import escape_line_starts, escape_text, guard_links
from tuireader.content.links import LinkTable, image_placeholder

_URL = re.compile(r"https?://[^\s<>\"'`]+", re.I)
_URL_TAIL = ".,;:!?)]}'\""
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")

# A fenced code block: its fence, then anything up to a closing fence or the end.
_FENCED = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_HELD = re.compile(r"\x00(\d+)\x00")

_DROPPED_HTML = re.compile(
    r"<(script|style|iframe|object|embed|noscript|template|svg|form|textarea|select|title)\b"
    r".*?(?:</\1\s*>|\Z)",
    re.I | re.S,
)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HTML_IMG = re.compile(r"<img\b([^<>]*)>", re.I)
_HTML_A = re.compile(r"<a\b([^<>]*)>(.*?)</a\s*>", re.I | re.S)
_HTML_BR = re.compile(r"<br\s*/?>", re.I)
_HTML_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>|<![A-Za-z][^<>]*>|<\?.*?\?>", re.S)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")

_TEXT = r"((?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*)"
_DEST = r"(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)"
_TITLE = r"""(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?"""
_INLINE_IMAGE = re.compile(r"!\[" + _TEXT + r"\]\(\s*" + _DEST + _TITLE + r"\s*\)", re.S)
_INLINE_LINK = re.compile(r"\[" + _TEXT + r"\]\(\s*" + _DEST + _TITLE + r"\s*\)", re.S)
_DEFINITION = re.compile(
    r"^ {0,3}\[((?:[^\[\]\\]|\\.){1,999})\]:[ \t]*\n?[ \t]*(<[^<>\n]*>|\S+)"
    r"""(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*$""",
    re.M,
)
_REFERENCE = re.compile(r"(!?)\[" + _TEXT + r"\](?:\[((?:[^\[\]\\]|\\.)*)\])?", re.S)
_TOKEN_PATTERNS = {
    "image": _INLINE_IMAGE,
    "link": _INLINE_LINK,
    "autolink": _AUTOLINK,
    "html_img": _HTML_IMG,
    "html_a": _HTML_A,
    "reference": _REFERENCE,
}
_TOKENS = re.compile(
    "|".join(f"(?P<{k}>{p.pattern})" for k, p in _TOKEN_PATTERNS.items() if k != "reference"),
    re.I | re.S,
)
_TOKENS_WITH_REFERENCES = re.compile(
    "|".join(f"(?P<{k}>{p.pattern})" for k, p in _TOKEN_PATTERNS.items()), re.I | re.S
)

# Anything left that Markdown could still turn into a link, a definition or HTML.
_LEFTOVER = re.compile(r"(?<=\])[(:]|^( {0,3})\[(?=[^\]\n]*\]:)|<(?=[A-Za-z/!?])", re.M)


def render_plain(text: str, table: LinkTable) -> str:
    """Reader Markdown for a plain-text body: paragraphs and line breaks kept, nothing marked up.

    Bare http(s) URLs are numbered like links (``https://... [N]``).
    """
    paragraphs = []
    for paragraph in _PARAGRAPH_BREAK.split(text.strip()):
        lines = [_plain_line(line.rstrip(), table) for line in paragraph.split("\n")]
        paragraphs.append(escape_line_starts("  \n".join(lines)))
    return guard_links("\n\n".join(p for p in paragraphs if p.strip()))


def _plain_line(line: str, table: LinkTable) -> str:
    parts: list[str] = []
    start = 0
    for match in _URL.finditer(line):
        url = match.group().rstrip(_URL_TAIL)
        end = match.start() + len(url)
        parts.append(escape_text(line[start : match.start()]))
        parts.append(_numbered(escape_text(url), table.resolve(url), table))
        start = end
    parts.append(escape_text(line[start:]))
    return "".join(parts)


def render_markdown(text: str, table: LinkTable) -> str:
    """Reader Markdown for a Markdown body: kept as written, but with links numbered.

    Inline and reference links become ``text [N]``, images ``[image N: alt]``, raw HTML is
    dropped (its ``<a>``, ``<img>`` and ``<br>`` are kept in the same forms), and code blocks
    and code spans are left exactly as they are.
    """
    pieces: list[str] = []
    start = 0
    for match in _FENCED.finditer(text):
        pieces.append(_render_prose(text[start : match.start()], table))
        pieces.append(match.group())
        start = match.end()
    pieces.append(_render_prose(text[start:], table))
    return "".join(pieces)


def _render_prose(text: str, table: LinkTable) -> str:
    if not text:
        return text
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        held.append(match.group())
        return f"\x00{len(held) - 1}\x00"

    text = _CODE_SPAN.sub(hold, text)
    if "<" in text:
        text = _DROPPED_HTML.sub("", _COMMENT.sub("", text))
    definitions: dict[str, str] = {}

    def define(match: re.Match[str]) -> str:
        definitions.setdefault(_label(match.group(1)), _dest(match.group(2)))
        return ""

    if "]:" in text:
        text = _DEFINITION.sub(define, text)
    text = _Linker(table, definitions).sub(text)
    if "<" in text:
        text = _HTML_TAG.sub("", _HTML_BR.sub("  \n", text))
    text = _LEFTOVER.sub(lambda m: f"{m.group(1) or ''}\\{m.group().lstrip(' ')}", text)
    return _HELD.sub(lambda m: held[int(m.group(1))], text)


class _Linker:
    """Rewrites the links and images of Markdown prose, numbering them in reading order."""

    def __init__(self, table: LinkTable, definitions: dict[str, str]) -> None:
        self._table = table
        self._definitions = definitions
        self._tokens = _TOKENS_WITH_REFERENCES if definitions else _TOKENS

    def sub(self, text: str) -> str:
        return self._tokens.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        kind = match.lastgroup
        token = match.group()
        if kind == "autolink":
            target = token[1:-1]
            return _numbered(escape_text(target), target, self._table)
        if kind == "html_img":
            attrs = _attrs(token)
            return _image(attrs.get("alt", ""), attrs.get("src", ""), self._table)
        pattern = _TOKEN_PATTERNS[kind or ""]
        found = pattern.fullmatch(token)
        if found is None:
            return token
        if kind == "image":
            return _image(found[1], _dest(found[2]), self._table)
        if kind == "link":
            return self._link(found[1], _dest(found[2]))
        if kind == "html_a":
            return self._link(found[2], _attrs(found[1]).get("href", ""))
        bang, text, label = found.groups()
        href = self._definitions.get(_label(label or text))
        if href is None:
            return token
        return _image(text, href, self._table) if bang else self._link(text, href)

    def _link(self, text: str, href: str) -> str:
        # A linked picture: the image inside the link text is numbered before the link.
        return _link(self.sub(text), href, self._table)


def _attrs(source: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR.finditer(source):
        name, *values = match.groups()
        found.setdefault(name.lower(), next((v for v in values if v is not None), ""))
    return found


def _label(label: str) -> str:
    return " ".join(label.casefold().split())


def _dest(dest: str) -> str:
    return dest[1:-1] if dest.startswith("<") and dest.endswith(">") else dest


def _numbered(text: str, href: str, table: LinkTable) -> str:
    url = table.resolve(href)
    return f"{text} [{table.add_link(url)}]" if url else text


def _link(text: str, href: str, table: LinkTable) -> str:
    text = text.strip()
    url = table.resolve(href)
    if not text:
        return f"[{table.add_link(url)}]" if url else ""
    return _numbered(text, url, table)


def _image(alt: str, src: str, table: LinkTable) -> str:
    url = table.resolve(src)
    alt = alt.replace("\\", "")
    if not url:
        return image_placeholder(None, alt) if alt.strip() else ""
    return image_placeholder(table.add_image(url), alt)
