"""Story bodies (HTML, Markdown, plain text) turned into reader text and plain text.

Imports only :mod:`tuireader.domain` and parsing libraries (markdownify, bs4, lxml).
"""

from tuireader.content.plain import plain_text, summarize
from tuireader.content.reader import ReaderText, format_link_list, render_reader

__all__ = ["ReaderText", "format_link_list", "plain_text", "render_reader", "summarize"]
