"""Making untrusted text safe to store and print."""

from __future__ import annotations

import re

# Whole terminal escape sequences, removed before single characters so that no residue of
# one (``[31m``, ``]0;title``, an OSC 8 link's hidden URL) is left behind as text. 7-bit
# forms start with ESC, 8-bit forms with a C1 byte. A string sequence (OSC, DCS, SOS, PM,
# APC) runs to BEL or ST; one left unterminated ends at the next escape or the end of its
# line, so a broken sequence cannot eat the rest of the text.
_STRING_END = "(?:\x07|\x1b\\\\|\x9c)?"
_ESCAPES = re.compile(
    # OSC, DCS, SOS, PM, APC: introducer, payload, terminator
    "(?:\x1b[\\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c\n]*"
    + _STRING_END
    # CSI: parameters, intermediates, final byte (a broken one ends at the first other byte)
    + "|(?:\x1b\\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    # two-byte (and charset-designating) escapes: ESC, intermediates, a final byte
    + "|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
# C0 except tab and newline, DEL, C1, and the bidi embedding/override/isolate marks.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]"
)
_C1_INTRODUCER = re.compile("[\x90\x98\x9b\x9d\x9e\x9f]")
_SPACES = re.compile(r"[ \t\r\n\u00a0\u2028\u2029]+")


def strip_escapes(text: str) -> str:
    """``text`` without terminal escape sequences (CSI, OSC, DCS, SOS, PM, APC, ``ESC x``),
    each removed whole; the readable text between them stays."""
    if "\x1b" not in text and not _C1_INTRODUCER.search(text):
        return text
    return _ESCAPES.sub("", text)


def clean_text(text: str | None) -> str:
    """Drop escape sequences whole, then control characters (but newline and tab) and bidi
    overrides."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("", strip_escapes(text))


def clean_line(text: str | None) -> str:
    """A single line: :func:`clean_text` with all whitespace runs folded to one space."""
    if not text:
        return ""
    return _SPACES.sub(" ", _UNSAFE.sub("", strip_escapes(text))).strip()


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


def plural(count: int, one: str, many: str = "") -> str:
    """``1 story``, ``2 stories`` (``many`` defaults to ``one`` + "s")."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
