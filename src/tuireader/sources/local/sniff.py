"""Is a file text? A look at its first bytes, so an image, a PDF or random bytes renamed
``.txt`` is skipped with a reason instead of becoming a story titled with garbage."""

from __future__ import annotations

SAMPLE = 8192
"""How many leading bytes are looked at."""

_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (8, b"WEBP", "a WebP image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (4, b"ftyp", "a video or image (ISO media)"),
    (0, b"%PDF-", "a PDF (`tuireader save` reads PDFs)"),
    (0, b"PK\x03\x04", "a ZIP archive (or an office document)"),
    (0, b"\x1f\x8b", "gzip-compressed data"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"\x7fELF", "a program"),
    (0, b"OggS", "audio or video (Ogg)"),
    (0, b"ID3", "audio (MP3)"),
    (0, b"fLaC", "audio (FLAC)"),
    (0, b"SQLite format 3\x00", "an SQLite database"),
)

UNICODE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
"""UTF-16 and UTF-32 byte-order marks: text with NUL bytes in it."""

_CONTROL = (frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x20)) | {0x7F}) - {0x1B}
"""C0 control bytes that text does not hold (tab, newlines, form feed and the escape of
terminal colours are text)."""

MAX_CONTROL = 0.02
"""More than this share of control bytes in the sample: binary."""
MAX_UNDECODABLE = 0.10
"""More than this share of characters not decodable as UTF-8: not text we can read."""


def not_text_reason(data: bytes, *, utf8: bool = True) -> str | None:
    """Why ``data`` is not a text file, or ``None`` when it reads as text.

    ``utf8``: the file will be decoded as UTF-8 (Markdown, plain text, HTML pages, JSON);
    feeds declare their own encoding, so for them only binary signs count.
    """
    if not data.strip():
        return "empty file"
    for offset, magic, what in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return f"not text: {what}"
    if data.startswith(UNICODE_BOMS):
        return None
    sample = data[:SAMPLE]
    if b"\x00" in sample or sum(b in _CONTROL for b in sample) > MAX_CONTROL * len(sample):
        return "not text: binary data"
    if utf8:
        # cut at a character boundary so a sample ending mid-character is not held against it
        cut = len(sample) if len(data) <= SAMPLE else _boundary(sample)
        text = sample[:cut].decode("utf-8", errors="replace")
        if text and text.count("\ufffd") > MAX_UNDECODABLE * len(text):
            return "not text: not UTF-8"
    return None


def _boundary(sample: bytes) -> int:
    """The length of ``sample`` without a trailing partial UTF-8 sequence."""
    end = len(sample)
    for back in range(1, min(4, end) + 1):
        byte = sample[end - back]
        if byte < 0x80:
            return end
        if byte >= 0xC0:  # a lead byte: keep the sequence only if it is complete
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return end if back >= need else end - back
    return end
