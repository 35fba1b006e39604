"""Story bodies as reader text: Markdown with numbered links and image placeholders."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from tuireader.content.escape import guard_links, split_fences
from tuireader.content.html_converter import ReaderConverter
from tuireader.content.links import LinkTable
from tuireader.content.markdown_input import render_markdown
from tuireader.content.text_input import render_plain
from tuireader.domain.models import ContentType
from tuireader.domain.plain_text import plain_text
from tuireader.domain.text import clean_text

logger = logging.getLogger(__name__)

DEGRADED_NOTE = "*This story could not be laid out; it is shown as plain text.*"
"""The first line of a body that fell back to its plain text."""

# What a hostile body can make the converter raise: nesting deeper than the tree walk can go.
_HOSTILE_INPUT_ERRORS = (RecursionError,)

_BLANK_RUN = re.compile(r"\n(?:[ \t]*\n)+")
# One stray space before a line's text, left by whitespace between HTML blocks.
_STRAY_INDENT = re.compile(r"^ (?=\S)", re.M)


@dataclass(frozen=True, slots=True)
class ReaderText:
    """A story body ready to read.

    ``markdown`` suits Textual's ``Markdown`` widget and also reads well printed as-is. Links
    in it read ``link text [N]`` and images ``[image N: alt]``; ``N`` is 1-based into
    ``links`` or ``images``, which hold only absolute http(s) URLs. No raw HTML, Markdown link
    or Markdown image from the story survives in ``markdown``.
    """

    markdown: str
    links: tuple[str, ...] = ()
    """Openable links, link ``N`` at index ``N - 1``."""
    images: tuple[str, ...] = ()
    """Image URLs, image ``N`` at index ``N - 1``."""
    degraded: bool = False
    """Whether the body could not be converted and is shown as plain text after a note."""


def render_reader(content: str, content_type: ContentType, base_url: str = "") -> ReaderText:
    """Turn a story body into :class:`ReaderText`.

    Relative links and images resolve against ``base_url``. HTML loses scripts, styles,
    embeds, forms and tracking pixels; Markdown keeps its shape but loses raw HTML; plain
    text keeps its paragraphs and line breaks. Never raises on malformed input: a body the
    converter cannot handle (nested too deep) is logged and shown as its plain text under
    :data:`DEGRADED_NOTE`, with ``degraded`` set.
    """
    content = clean_text(content)
    table = LinkTable(base_url)
    try:
        markdown = _render(content, content_type, table)
    except _HOSTILE_INPUT_ERRORS:
        logger.exception("could not convert a %s story body; showing its plain text", content_type)
        table = LinkTable(base_url)
        plain = render_plain(plain_text(content, content_type), table)
        markdown = f"{DEGRADED_NOTE}\n\n{clean_text(plain).strip()}"
        return ReaderText(markdown.strip("\n"), table.links, table.images, degraded=True)
    return ReaderText(clean_text(markdown).strip("\n"), table.links, table.images)


def _render(content: str, content_type: ContentType, table: LinkTable) -> str:
    if content_type == ContentType.HTML:
        converter = ReaderConverter(table)
        markdown = _tidy(converter.render(content), guard=True)
        return converter.restore_code(markdown)
    if content_type == ContentType.MARKDOWN:
        return _tidy(render_markdown(content, table), guard=False)
    return _tidy(render_plain(content, table), guard=False)


def _tidy(markdown: str, *, guard: bool) -> str:
    """Fold runs of blank lines to one outside code blocks; guard the prose against links."""
    pieces = split_fences(markdown)
    for index in range(0, len(pieces), 2):
        prose = _STRAY_INDENT.sub("", _BLANK_RUN.sub("\n\n", pieces[index]))
        pieces[index] = guard_links(prose) if guard else prose
    return "".join(pieces)
