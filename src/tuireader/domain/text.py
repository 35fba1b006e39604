"""Making untrusted text safe to store and print."""

from __future__ import annotations

import re

# C0 except tab and newline, DEL, C1, and the bidi embedding/override/isolate marks.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]"
)
_SPACES = re.compile(r"[ \t\r\n\u00a0\u2028\u2029]+")


def clean_text(text: str | None) -> str:
    """Drop control characters (but newline and tab) and bidi overrides."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("", text)


def clean_line(text: str | None) -> str:
    """A single line: :func:`clean_text` with all whitespace runs folded to one space."""
    if not text:
        return ""
    return _SPACES.sub(" ", _UNSAFE.sub("", text)).strip()


def safe_link(url: str | None) -> str:
    """The URL if it is an http(s) link, else the empty string."""
    if not url:
        return ""
    url = clean_line(url)
    lowered = url.lower()
    if lowered.startswith(("http://", "https://")) and " " not in url:
        return url
    return ""


def one_line_error(exc: BaseException | str, limit: int = 200) -> str:
    """A short, single-line, printable message for an error."""
    text = exc if isinstance(exc, str) else (str(exc) or type(exc).__name__)
    line = clean_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"
