"""Text helpers for the screen: ages and column-exact fitting of untrusted strings."""

from __future__ import annotations

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.text import Text

from tuireader.domain.text import clean_line


def fit(text: str, columns: int) -> str:
    """Cut (with …) or pad ``text`` to exactly ``columns`` cells, as the terminal counts them:
    a wide character takes two, a character cluster (an emoji sequence) is never split."""
    text = clean_line(text)
    if cell_len(text) <= columns:
        return set_cell_size(text, columns)
    head = chop_cells(text, columns - 1)[0] if columns > 1 else ""
    return set_cell_size(head + "…", columns)


def plain(text: str) -> Text:
    """Untrusted text as a Rich ``Text``: no markup interpreted, no control characters."""
    return Text(clean_line(text))
