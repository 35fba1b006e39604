"""Text helpers for the screen: ages and column-exact fitting of untrusted strings."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from tuireader.domain.text import clean_line


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
