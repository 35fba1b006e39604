"""Plain-text story bodies to reader Markdown."""

from __future__ import annotations

import re

from tuireader.content.escape import escape_line_starts, escape_text, guard_links
from tuireader.content.links import LinkTable

_URL = re.compile(r"https?://[^\s<>\"'`]+", re.I)
_URL_TAIL = ".,;:!?)]}'\""
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


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
        resolved = table.resolve(url)
        marker = f" [{table.add_link(resolved)}]" if resolved else ""
        parts.append(escape_text(url) + marker)
        start = end
    parts.append(escape_text(line[start:]))
    return "".join(parts)
