"""Make feed bytes safe for any XML parser before parsing.

Both parsers trust the document too much: an internal DTD subset can expand entities
quadratically or read ``/dev/zero``; lxml silently truncates text at an undeclared HTML
entity and drops items holding raw control bytes. We therefore strip the DOCTYPE, turn
HTML named entities into numeric references and drop C0 control bytes first. A terminal
escape sequence goes whole (before its ESC byte is dropped, which would leave ``[31m`` as
text), and so does one written as a character reference (``&#27;[31m``), which XML forbids.
"""

from __future__ import annotations

import html.entities
import re

_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.IGNORECASE | re.DOTALL)
_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{0,31});")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Character references to C0 controls (not tab, newline, return), which XML 1.0 forbids.
_CONTROL_REF = re.compile(
    rb"&#(?:0*(?:[0-8]|1[1-9]|2\d|3[01])|[xX]0*(?:[0-8]|[bBcCeEfF]|1[0-9a-fA-F]));"
)
# 7-bit terminal escape sequences (the 8-bit forms are characters, cleaned after parsing):
# string sequences (OSC, DCS, SOS, PM, APC) to BEL or ST, CSI, and two-byte escapes.
_ESCAPE_SEQ = re.compile(
    rb"\x1b[\]PX^_][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    rb"|\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    rb"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}
_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")


def _entity(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    text = html.entities.html5.get(name.decode("ascii") + ";")
    if text is None:
        return b"&amp;" + name + b";"
    return b"".join(b"&#%d;" % ord(ch) for ch in text)


def guard_xml(data: bytes) -> bytes:
    """The document with its DOCTYPE removed, HTML entities numeric, escape sequences and C0
    bytes dropped."""
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!doctype" in head:
        data = _DOCTYPE.sub(b"", data, count=1)
    if b"&" in data:
        data = _ENTITY.sub(_entity, data)
        if b"&#" in data:
            data = _CONTROL_REF.sub(_control_byte, data)
    if b"\x1b" in data:
        data = _ESCAPE_SEQ.sub(b"", data)
    return _CONTROL.sub(b"", data)


def _control_byte(match: re.Match[bytes]) -> bytes:
    ref = match.group(0)[2:-1]
    return bytes([int(ref[1:], 16) if ref[:1] in b"xX" else int(ref)])


def count_items(data: bytes) -> int:
    """How many ``<item>``/``<entry>`` elements the document has, by a cheap scan."""
    return len(_ITEM.findall(data))


def needs_tolerant_parser(data: bytes) -> bool:
    """Features the fast parser is known to lose: send these to feedparser."""
    head = data[:2048]
    if b"my.netscape.com/rdf/simple/0.9" in head or b"<CHANNEL" in head:
        return True  # RSS 0.90, CDF
    # fastfeedparser keeps xhtml content but loses xhtml titles and xml:base.
    return (
        b"xml:base" in data or re.search(rb"<(?:\w+:)?title[^>]*type=[\"']xhtml", data) is not None
    )


def rdf_with_content(data: bytes) -> bool:
    """An RSS 1.0 document carrying ``content:encoded`` (which fastfeedparser drops)."""
    return b"<rdf:RDF" in data[:2048] and b"content:encoded" in data
