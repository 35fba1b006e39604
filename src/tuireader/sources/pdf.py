"""PDF files as stories: the document's title and its text, via pypdf."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from tuireader.domain.errors import ComponentError, SourceError
from tuireader.domain.models import ContentType, Story
from tuireader.domain.text import clean_line, clean_text

MAX_PAGES = 200


def parse_pdf(data: bytes, name: str) -> Story:
    """Title (metadata, else the first line, else ``name``) and text of a PDF."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:
        raise ComponentError(f"PDF reading unavailable: {exc} — run `tuireader doctor`") from exc

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
        meta = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"not a readable PDF: {clean_line(str(exc))[:80]}") from None
    text = clean_text("\n\n".join(p.strip() for p in pages if p.strip()))
    if not text:
        raise SourceError("the PDF holds no text (a scan?)")
    title = clean_line(str(meta.title)) if meta is not None and meta.title else ""
    if not title:
        title = clean_line(text.splitlines()[0])[:120] or PurePosixPath(name).stem
    author = clean_line(str(meta.author)) if meta is not None and meta.author else ""
    return Story(key="", title=title, author=author, content=text, content_type=ContentType.TEXT)
