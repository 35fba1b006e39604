"""Escaping untrusted text so Markdown shows it literally.

The reader's Markdown must never carry a live link, image, raw HTML tag or autolink that came
from a story: links are shown as numbered ``text [N]`` markers instead. Text is escaped one
fragment at a time (an HTML text node, say) with :func:`escape_text`; :func:`guard_links` then
runs over the assembled prose, because a link can also be formed across the seam of two
fragments (``[x]`` then ``(url)``).
"""

from __future__ import annotations

import re

# `code` and *emphasis* markers; "<" that could open a tag or autolink (or does so with the
# next fragment); "_" not inside a word; "&" that starts an entity.
_SPECIAL = re.compile(r"[`*]|<(?=[A-Za-z/!?]|$)|(?<![^\W_])_|_(?![^\W_])|&(?=#?\w+;)")
# "](" and "]:" would finish an inline link or a link reference definition.
_LINK_TAIL = re.compile(r"(?<=\])[(:]")
# A fenced code block, possibly inside list items or quotes: its fence, then up to that fence.
_FENCED = re.compile(r"^([ \t>]*)(`{3,})[^`\n]*\n.*?^[ \t>]*\2[ \t]*$", re.M | re.S)
# What opens a block at the start of a line: heading, quote, list item, fence, table row.
_LINE_START = re.compile(
    r"^([ \t]*)(?:(#{1,6}(?=\s|$)|>|[-+](?=\s|$)|-{2,}|=|~~~|\|)|(\d{1,9})([.)])(?=\s|$))", re.M
)


def escape_text(text: str) -> str:
    """``text`` with the characters Markdown would act on backslash-escaped.

    Kept minimal so the result still reads well when printed as-is.
    """
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    return _SPECIAL.sub(r"\\\g<0>", text)


def guard_links(text: str) -> str:
    """``text`` (Markdown prose, no code) with every ``](`` and ``]:`` broken up."""
    return _LINK_TAIL.sub(r"\\\g<0>", text)


def split_fences(text: str) -> list[str]:
    """``text`` cut into prose and fenced code, alternately: prose first, prose last."""
    pieces: list[str] = []
    start = 0
    for match in _FENCED.finditer(text):
        pieces.append(text[start : match.start()])
        pieces.append(match.group())
        start = match.end()
    pieces.append(text[start:])
    return pieces


def escape_line_starts(text: str) -> str:
    """``text`` with block markers at line starts escaped, so plain text stays paragraphs."""
    return _LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, digits, dot = match.groups()
    if marker is not None:
        return f"{indent}\\{marker}"
    return f"{indent}{digits}\\{dot}"


def code_fence(code: str) -> str:
    """A fenced code block holding ``code`` that no backtick run inside it can close."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code}\n{fence}"
