"""Fast plain text of story bodies, and a story's text as search and discovery read it
(pure functions: the search index's triggers call them from SQL too)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import unescape

from tuireader.domain.models import ContentType
from tuireader.domain.text import clean_line

_DROPPED = re.compile(
    r"<(script|style|noscript|template|svg|head|title|iframe|object|textarea|select)\b"
    r".*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)",
    re.I | re.S,
)
# Tags that end a word: a line, block or cell. Other (inline) tags vanish without a gap.
_BREAKING_TAG = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|thead|tbody|tfoot|caption|"
    r"blockquote|pre|section|article|header|footer|aside|main|figure|figcaption|img|"
    r"address|details|summary|center|nav)\b(?:[^<>\"']|\"[^\"]*\"|'[^']*')*>",
    re.I,
)
_TAG = re.compile(r"<[A-Za-z/!?](?:[^<>\"']|\"[^\"]*\"|'[^']*')*>|<[A-Za-z/!?][^<>]*$")
_MD_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()\s]*(?:\s+\"[^\"]*\")?\)")
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\s]*(?:\s+\"[^\"]*\")?\)")
_MD_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:.*$", re.M)
_MD_LINE_MARKS = re.compile(r"^[ \t]*(?:#{1,6}|>|[-+*]|\d{1,9}[.)])[ \t]+", re.M)
# Emphasis, code and strike marks; an underscore only where it is not inside a word.
_MD_INLINE_MARKS = re.compile(r"[*`~]+|(?<![^\W_])_+|_+(?![^\W_])")


def plain_text(content: str, content_type: ContentType) -> str:
    """The words of a story body on one line, markup removed, for indexing.

    HTML loses tags (block tags leave a space), scripts, styles and comments, and has its
    entities decoded; Markdown loses its link targets and the commonest marks. Whitespace is
    folded and control characters removed. Never raises.
    """
    if not content:
        return ""
    if content_type == ContentType.HTML:
        text = _html_text(content)
    elif content_type == ContentType.MARKDOWN:
        text = _markdown_text(content)
    else:
        text = content
    return clean_line(text)


def story_text(
    title: str, body: str, content_type: ContentType, categories: Sequence[str] = ()
) -> str:
    """A story's text, the one thing search and discovery index: its title, its sections
    (the feed's categories) and its body as plain text, one line each.

    The same whatever the body came from (a feed item, a fetched page, a saved one), so a
    story is found and compared by the same words however it got into the library.
    """
    return f"{title}\n{' '.join(categories)}\n{plain_text(body, content_type)}"


def _html_text(content: str) -> str:
    if "<" in content:
        content = _DROPPED.sub(" ", content)
        content = _BREAKING_TAG.sub(" ", content)
        content = _TAG.sub("", content)
    if "&" in content:
        content = unescape(content)
    return content


def _markdown_text(content: str) -> str:
    if "<" in content:
        content = _html_text(content)
    if "[" in content:
        content = _MD_DEFINITION.sub(" ", content)
        content = _MD_IMAGE.sub(r"\1", content)
        content = _MD_LINK.sub(r"\1", content)
    return _MD_INLINE_MARKS.sub("", _MD_LINE_MARKS.sub(" ", content))
