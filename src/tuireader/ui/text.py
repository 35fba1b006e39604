"""Text helpers for the screen: ages and column-exact fitting of untrusted strings."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.cells import cell_len
from rich.text import Text

from tuireader.domain.text import clean_line


def age(when: datetime | None, now: datetime | None = None) -> str:
    """A short age: "now", "5m", "3h", "2d", "7w", "3y"."""
    if when is None:
        return ""
    seconds = max(0, int(((now or datetime.now(UTC)) - when).total_seconds()))
    for unit, size in (("y", 365 * 86400), ("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "now"


def fit(text: str, columns: int) -> str:
    """Cut (with …) or pad ``text`` to exactly ``columns`` cells; wide characters count two."""
    text = clean_line(text)
    if cell_len(text) <= columns:
        return text + " " * (columns - cell_len(text))
    out: list[str] = []
    used = 0
    for ch in text:
        w = cell_len(ch)
        if used + w > columns - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (columns - 1 - used)


def plain(text: str) -> Text:
    """Untrusted text as a Rich ``Text``: no markup interpreted, no control characters."""
    return Text(clean_line(text))
